"""Covert reports sealed at rest (issue #35): their words, place and notes are
AES-GCM sealed under a data key from the stage's covert KMS key, separate from
the contacts' key. Anyone who files may seal; opening needs ``kms:Decrypt`` on
that key, which only the paths serving the command centre and the shadow squad
(and the dispatch that writes to their topics) are given.

Envelope: one ``GenerateDataKey`` per sealed item (KMS's 4 KB ``Encrypt`` limit
would not hold a long description), bound by its encryption context to the
report and the purpose, so a blob copied onto another report or field does not
open. Blob: version byte, 2-byte length, the wrapped key, 12-byte nonce, ciphertext.

Opening is also gated per request: a public or squad read that loads a covert
report (only to answer 404) never asks KMS for anything."""

from __future__ import annotations

import contextlib
import json
import os
import struct
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from chalicelib import config
from chalicelib.domain.errors import Unavailable

VERSION = b"\x01"
_cleared: ContextVar[bool] = ContextVar("covert_cleared", default=False)


def clear(allowed: bool) -> None:
    """Whether this request (or event) serves the command centre or the shadow squad."""
    _cleared.set(allowed)


def cleared() -> bool:
    return _cleared.get()


@contextlib.contextmanager
def opening(allowed: bool = True) -> Iterator[None]:
    """Open covert items (or not) for one request or event, and forget it after: the
    next one in a warm function (or the embedded runner's thread) starts closed."""
    token = _cleared.set(allowed)
    try:
        yield
    finally:
        _cleared.reset(token)


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
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = bytes(getattr(blob, "value", blob))  # boto3's Binary, or bytes
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
