"""Covert reports sealed at rest (issue #35): their words, place and notes are
AES-GCM sealed under a data key from the stage's covert KMS key, separate from
the contacts' key. Anyone who files may seal; opening needs ``kms:Decrypt`` on
that key, which only the paths serving the command centre and the shadow squad
(and the dispatch that writes to their topics) are given.

Envelope: one ``GenerateDataKey`` per sealed item (KMS's 4 KB ``Encrypt`` limit
would not hold a long description), bound by its encryption context to the
report and the purpose, so a blob copied onto another report or field does not
open. Blob: version byte, 2-byte length, the wrapped key, 12-byte nonce, ciphertext.

Who opens: the API function (one Lambda for every route, public ones included)
may not decrypt. A command-centre or shadow request hands its caller's own access
token to the vault (``covert_vault``, a function of its own with ``kms:Decrypt``),
which verifies the token itself and opens only for those two groups; locally the
vault runs in-process, same code, same check. The vault also signs the links to
covert photos (stored SSE-KMS under the same key, so only a signer that may decrypt
makes a link that opens), and opens a reporter's own report for their reporter token,
which it checks against the stored hash itself. The dispatch path, which writes to
the shadow and command topics, decrypts directly (``opening()``). A public or squad
read that loads a covert report (only to answer 404) opens nothing."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import struct
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from chalicelib import config
from chalicelib.domain.errors import NotFound, Unavailable

VERSION = b"\x01"
DIRECT = "direct"  # this function holds kms:Decrypt on the covert key itself
OPENERS = ("command", "shadow")  # the groups the vault opens for


@dataclass(frozen=True)
class Reporter:
    """A reporter's own token (UU PDP: their own data): the vault checks it against the
    report's stored hash itself and opens only that report's items."""

    token: str


# None: closed; DIRECT; the caller's access token, or a Reporter, for the vault to verify
_access: ContextVar[str | Reporter | None] = ContextVar("covert_access", default=None)


class Refused(NotFound):
    """The vault opens nothing for this caller: to them the item is absent."""

    code = "report_not_found"


def clear(token: str | Reporter | None) -> None:
    """This request serves the command centre or the shadow squad (their token), or not."""
    _access.set(token)


def cleared() -> bool:
    return _access.get() is not None


@contextlib.contextmanager
def opening(access: str | Reporter | None = DIRECT) -> Iterator[None]:
    """Open covert items (or not: None) for one request or event, and forget it after:
    the next one in a warm function (or the embedded runner's thread) starts closed."""
    token = _access.set(access)
    try:
        yield
    finally:
        _access.reset(token)


def _context(report_id: str, purpose: str) -> dict[str, str]:
    return {"purpose": f"covert-{purpose}", "report_id": report_id}


def _kms(call: str, **kwargs: Any) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.adapters import aws

    try:
        return getattr(aws.client("kms"), call)(**kwargs)
    except (ClientError, BotoCoreError) as exc:
        # nothing covert is ever stored unsealed: the write fails and can be retried
        raise Unavailable("encryption is unavailable, please retry shortly") from exc


def seal(report_id: str, purpose: str, fields: dict[str, Any]) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    context = _context(report_id, purpose)
    key = _kms(
        "generate_data_key",
        KeyId=config.covert_key_id(),
        KeySpec="AES_256",
        EncryptionContext=context,
    )
    nonce = os.urandom(12)
    plain = json.dumps(fields, ensure_ascii=False, default=str).encode()
    sealed = AESGCM(key["Plaintext"]).encrypt(nonce, plain, json.dumps(context).encode())
    wrapped = key["CiphertextBlob"]
    return VERSION + struct.pack(">H", len(wrapped)) + wrapped + nonce + sealed


def unseal(report_id: str, purpose: str, blob: Any) -> dict[str, Any]:
    opened = unseal_many([(report_id, purpose, blob)])[0]
    if opened is None:
        raise Refused("not this reporter's")
    return opened


def unseal_many(sealed: list[tuple[str, str, Any]]) -> list[dict[str, Any] | None]:
    """Open (report id, purpose, blob) triples as this request or event may: directly,
    or through the vault with the caller's token (one call for a whole read). For a
    reporter, items of reports that are not theirs stay closed (None)."""
    access = _access.get()
    if access is None:
        raise Refused("covert items are not opened here")
    if access == DIRECT:
        return [_open(*one) for one in sealed]
    who = {"reporter_token": access.token} if isinstance(access, Reporter) else {"token": access}
    request = {
        **who,
        "sealed": [
            [rid, purpose, base64.b64encode(_raw(b)).decode()] for rid, purpose, b in sealed
        ],
    }
    return _call_vault(request)["opened"]


def view_urls(keys: list[str]) -> dict[str, str]:
    """Links to covert photos, stored SSE-KMS under the covert key: a presigned GET
    works only if its signer may decrypt with that key, so the vault signs them (for
    the caller's token), never the API's own role."""
    access = _access.get()
    if access is None or isinstance(access, Reporter):
        raise Refused("covert photos are not shown here")
    if not keys:
        return {}
    if access == DIRECT:
        return _sign(keys)
    return _call_vault({"token": access, "sign": keys}, "signed")["signed"]


def _sign(keys: list[str]) -> dict[str, str]:
    from chalicelib.adapters import media

    return {k: media.view_url(k) for k in keys if k.startswith(media.PHOTO_PREFIX)}


def _call_vault(request: dict[str, Any], answer_key: str = "opened") -> dict[str, Any]:
    name = config.covert_vault_function()
    if not name:  # the embedded runner: the same handler, in-process
        return vault(request)
    from chalicelib.adapters import aws

    with aws.outage("the vault"):
        answer = aws.client("lambda").invoke(FunctionName=name, Payload=json.dumps(request))
    body = json.loads(answer["Payload"].read())
    if isinstance(body, dict) and body.get("refused"):
        raise Refused(str(body["refused"]))
    if answer.get("FunctionError") or answer_key not in body:
        raise Unavailable("the vault is unavailable, please retry shortly")
    return body


def vault(request: dict[str, Any]) -> dict[str, Any]:
    """The vault's handler: the caller's token verified here, not trusted from the API;
    opened only for the command centre and the shadow squad; or, for a reporter's
    token, the items of the report whose stored hash it matches (read here)."""
    from chalicelib.adapters.tokens import InvalidToken, verify

    if "reporter_token" in request:
        token, sealed = str(request["reporter_token"]), request["sealed"]
        theirs = {rid for rid in {one[0] for one in sealed} if _reporter_of(rid, token)}
        return {
            "opened": [
                _open(rid, purpose, base64.b64decode(b)) if rid in theirs else None
                for rid, purpose, b in sealed
            ]
        }
    try:
        claims = verify(str(request.get("token") or ""))
    except InvalidToken as exc:
        raise Refused("invalid token") from exc
    if not set(claims.get("cognito:groups") or []) & set(OPENERS):
        raise Refused("not the command centre or the shadow squad")
    if "sign" in request:  # links to covert photos (its role may read photos/ and decrypt)
        return {"signed": _sign([str(k) for k in request["sign"]])}
    opened = [_open(rid, purpose, base64.b64decode(b)) for rid, purpose, b in request["sealed"]]
    return {"opened": opened}


def _reporter_of(report_id: str, token: str) -> bool:
    """The token is this report's reporter's: checked against the hash in the table."""
    from chalicelib.adapters import aws
    from chalicelib.domain import identifiers

    with aws.outage("the table"):
        item = aws.client("dynamodb").get_item(
            TableName=config.table_name(),
            Key={"PK": {"S": f"REPORT#{report_id}"}, "SK": {"S": "META"}},
            ProjectionExpression="token_hash",
        )
    stored = item.get("Item", {}).get("token_hash", {}).get("S")
    return bool(stored) and identifiers.token_matches(token, stored)


def _raw(blob: Any) -> bytes:
    return bytes(getattr(blob, "value", blob))  # boto3's Binary, or bytes


def _open(report_id: str, purpose: str, blob: Any) -> dict[str, Any]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = _raw(blob)
    if raw[:1] != VERSION:
        raise ValueError("not a covert envelope")
    (length,) = struct.unpack(">H", raw[1:3])
    wrapped, rest = raw[3 : 3 + length], raw[3 + length :]
    context = _context(report_id, purpose)
    key = _kms(
        "decrypt",
        CiphertextBlob=wrapped,
        EncryptionContext=context,
        KeyId=config.covert_key_id(),
    )["Plaintext"]
    plain = AESGCM(key).decrypt(rest[:12], rest[12:], json.dumps(context).encode())
    return json.loads(plain)
