"""The embedded AWS's data kept across restarts (``KAWAL_DATA_DIR``): a regency's trial
survives Ctrl-C and a reboot.

moto keeps everything in memory. On the way down (and every few minutes) the runner
writes what the stage holds through the same AWS APIs the app uses: every item of the
table, every object of the bucket, the squads' SMS/email subscriptions; and, read from
moto itself, the material of the KMS keys that sealed the contacts (a new key could not
open them). On start, after bootstrap made fresh resources, it writes them back. Local
only: nothing in ``chalicelib`` knows.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chalicelib import config
from chalicelib.adapters import aws
from chalicelib.adapters.notify import district_policy, topic_arn

log = logging.getLogger("kawal.persist")
PROJECT_DIR = Path(__file__).resolve().parent.parent


def data_dir() -> Path | None:
    """``KAWAL_DATA_DIR``, by default ``.kawal-data`` in the project; ``off``: none."""
    value = os.environ.get("KAWAL_DATA_DIR", str(PROJECT_DIR / ".kawal-data"))
    return None if value.lower() in ("", "off", "0") else Path(value)


def has_snapshot(where: Path) -> bool:
    return (where / "table.jsonl").exists()


def save(where: Path, topics: list[str], items: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Write the stage's data under ``where`` (a new snapshot replaces the old one
    whole: written aside, then renamed). ``items``: the table's, as a Scan gives
    them (the runner's ``EmbeddedAws.table_items``: a Scan of a year took minutes)."""
    where.mkdir(parents=True, exist_ok=True)
    part = where / ".writing"
    part.mkdir(exist_ok=True)
    counts = {
        "items": _save_table(part / "table.jsonl", items),
        "objects": _save_bucket(part / "objects"),
        "subscriptions": _save_subscriptions(part / "subscriptions.json", topics),
        "keys": _save_keys(part / "keys.json"),
    }
    for name in ("table.jsonl", "subscriptions.json", "keys.json"):
        (part / name).replace(where / name)
    objects = where / "objects"
    if objects.exists():
        _remove_tree(objects)
    (part / "objects").replace(objects)
    part.rmdir()
    return counts


def restore(where: Path) -> dict[str, int]:
    """Write a snapshot back into freshly bootstrapped resources."""
    counts = {
        "keys": _restore_keys(where / "keys.json"),
        "items": _restore_table(where / "table.jsonl"),
        "objects": _restore_bucket(where / "objects"),
        "subscriptions": _restore_subscriptions(where / "subscriptions.json"),
    }
    log.info("restored %s from %s", counts, where)
    return counts


def _save_table(path: Path, items: Iterable[dict[str, Any]]) -> int:
    n = 0
    with path.open("w") as out:
        for item in items:
            out.write(json.dumps(item, default=_b64) + "\n")
            n += 1
    return n


def _restore_table(path: Path) -> int:
    db, batch, n = aws.client("dynamodb"), [], 0
    with path.open() as lines:
        for line in lines:
            batch.append({"PutRequest": {"Item": json.loads(line, object_hook=_unb64)}})
            if len(batch) == 25:
                n += _write(db, batch)
                batch = []
    return n + (_write(db, batch) if batch else 0)


def _write(db: Any, batch: list[dict[str, Any]]) -> int:
    pending = batch
    while pending:
        answer = db.batch_write_item(RequestItems={config.table_name(): pending})
        pending = answer.get("UnprocessedItems", {}).get(config.table_name(), [])
    return len(batch)


def _b64(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):  # binary attributes (sealed contacts)
        return {"__b64__": base64.b64encode(value).decode()}
    raise TypeError(type(value))


def _unb64(value: dict[str, Any]) -> Any:
    return base64.b64decode(value["__b64__"]) if set(value) == {"__b64__"} else value


def _save_bucket(folder: Path) -> int:
    s3, bucket, n = aws.client("s3"), config.bucket_name(), 0
    folder.mkdir(parents=True, exist_ok=True)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            got = s3.get_object(Bucket=bucket, Key=entry["Key"])
            target = folder / entry["Key"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(got["Body"].read())
            target.with_name(target.name + ".type").write_text(got.get("ContentType", ""))
            n += 1
    return n


def _restore_bucket(folder: Path) -> int:
    s3, bucket, n = aws.client("s3"), config.bucket_name(), 0
    if not folder.exists():
        return 0
    for path in sorted(folder.rglob("*")):
        if path.is_dir() or path.name.endswith(".type"):
            continue
        kind = path.with_name(path.name + ".type")
        extra = {"ContentType": kind.read_text()} if kind.exists() and kind.read_text() else {}
        key = path.relative_to(folder).as_posix()
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), **extra)
        n += 1
    return n


def _save_subscriptions(path: Path, topics: list[str]) -> int:
    from chalicelib.adapters.notify import list_subscriptions

    kept = {t: list_subscriptions(t) for t in topics}
    path.write_text(json.dumps(kept, indent=1))
    return sum(len(s) for s in kept.values())


def _restore_subscriptions(path: Path) -> int:
    sns, n = aws.client("sns"), 0
    if not path.exists():
        return 0
    for topic, subscriptions in json.loads(path.read_text()).items():
        for s in subscriptions:
            policy = district_policy(s.get("districts"), s.get("urgent_only", False))
            sns.subscribe(
                TopicArn=topic_arn(topic),
                Protocol=s["protocol"],
                Endpoint=s["endpoint"],
                Attributes={"FilterPolicy": policy} if policy else {},
            )
            n += 1
    return n


def _kms_keys() -> dict[str, Any]:
    from moto.kms.models import kms_backends

    keys: dict[str, Any] = {}
    for regions in kms_backends.values():
        for backend in regions.values():
            keys.update(backend.keys)
    return keys


def _save_keys(path: Path) -> int:
    aliases: dict[str, list[str]] = {}
    for page in aws.client("kms").get_paginator("list_aliases").paginate():
        for alias in page["Aliases"]:
            if alias.get("TargetKeyId"):
                aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    keys = {
        kid: {
            "material": base64.b64encode(k.key_material).decode(),
            "aliases": aliases.get(kid, []),
        }
        for kid, k in _kms_keys().items()
    }
    path.write_text(json.dumps(keys, indent=1))
    return len(keys)


def _restore_keys(path: Path) -> int:
    """The stage's keys come back as they were (id and material), and their aliases
    point at them again: every sealed contact opens, new ones are sealed the same way."""
    from copy import copy

    from moto.kms.models import kms_backends

    if not path.exists():
        return 0
    saved = json.loads(path.read_text())
    kms = aws.client("kms")
    backend = kms_backends[aws.client("sts").get_caller_identity()["Account"]][config.region()]
    template = backend.describe_key(config.contact_key_id())
    for key_id, kept in saved.items():
        if key_id not in backend.keys:
            key = copy(template)
            key.id, key.key_material = key_id, base64.b64decode(kept["material"])
            key.arn = template.arn.replace(template.id, key_id)
            key.aliases = {}
            backend.keys[key_id] = key
        for alias in kept["aliases"]:
            kms.update_alias(AliasName=alias, TargetKeyId=key_id)
    return len(saved)


def _remove_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    folder.rmdir()


def topics() -> list[str]:
    from kawal_deploy.resources import NOTIFIED_TOPICS

    return list(NOTIFIED_TOPICS)
