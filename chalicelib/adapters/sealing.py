"""Reporter contact, encrypted at rest with the stage's KMS key.

Each contact is one KMS ``Encrypt`` (it is far under KMS's 4 KB limit), bound
by its encryption context to the report it belongs to: a sealed contact copied
onto another report does not open. It is opened only for the audited
command-centre read and to send the reporter's (or supporter's) own updates.
The same key seals a WhatsApp conversation's draft (``purpose``): its label and place
are no table reader's business either, covert or not."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import config
from chalicelib.adapters import aws
from chalicelib.domain.errors import Unavailable

PURPOSE = "reporter-contact"


def _context(report_id: str, purpose: str) -> dict[str, str]:
    return {"purpose": purpose, "report_id": report_id}


def seal(report_id: str, contact: dict[str, Any], purpose: str = PURPOSE) -> bytes:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return aws.client("kms").encrypt(
            KeyId=config.contact_key_id(),
            Plaintext=json.dumps(contact, ensure_ascii=False).encode(),
            EncryptionContext=_context(report_id, purpose),
        )["CiphertextBlob"]
    except (ClientError, BotoCoreError) as exc:
        # nothing is stored unsealed: the whole submission fails and can be retried
        raise Unavailable("encryption is unavailable, please retry shortly") from exc


def unseal(report_id: str, blob: bytes, purpose: str = PURPOSE) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        plain = aws.client("kms").decrypt(
            CiphertextBlob=blob,
            EncryptionContext=_context(report_id, purpose),
            KeyId=config.contact_key_id(),
        )["Plaintext"]
    except (ClientError, BotoCoreError) as exc:
        raise Unavailable("decryption is unavailable, please retry shortly") from exc
    return json.loads(plain)
