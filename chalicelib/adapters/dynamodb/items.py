"""Items as stored: the key schema and index attributes of each kind of item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.dynamodb.base import NEARBY_PARTITION_PRECISION, _ts
from chalicelib.domain.lifecycle import OPEN
from chalicelib.domain.models import (
    Photo,
    Report,
    TimelineEntry,
)

QUEUE_RANK = {"urgent": "1", "normal": "2", "low": "3"}


def photo_item(photo: Photo) -> dict[str, Any]:
    return {
        "PK": f"REPORT#{photo.report_id}",
        "SK": f"PHOTO#{photo.id}",
        "type": "photo",
        **photo.model_dump(),
    }


def report_item(report: Report) -> dict[str, Any]:
    item: dict[str, Any] = {
        "PK": f"REPORT#{report.id}",
        "SK": "META",
        "type": "report",
        **report.model_dump(),
    }
    created = _ts(report.created_at)
    item["GSI1PK"] = f"SQUAD#{report.squad}#{report.status}"
    item["GSI1SK"] = f"{created}#{report.id}"
    if report.device_hash:
        item["GSI6PK"] = f"DEVICE#{report.device_hash}"
        item["GSI6SK"] = f"{created}#{report.id}"
    # Covert reports have their own month partition: absent from the one public
    # reads query (not filtered out after the read, which moves cursors and timings).
    item["GSI5PK"] = month_partition(created[:7], covert=report.covert)
    item["GSI5SK"] = f"{created}#{report.id}"
    if report.status in OPEN and not report.covert:  # "nearby" is a public read
        item["GSI2PK"] = f"GEO#{report.label}#{report.geohash[:NEARBY_PARTITION_PRECISION]}"
        item["GSI2SK"] = f"{report.geohash}#{report.id}"
    if report.status in OPEN:  # the squad's queue: urgent first, then oldest
        item["GSI4PK"] = f"QUEUE#{report.squad}"
        item["GSI4SK"] = f"{QUEUE_RANK[report.priority]}#{created}#{report.id}"
    return item


@dataclass(frozen=True)
class Listing:
    """A list of reports as the table keeps it (an index partition): made by the
    store's intent-named methods, read back by it; opaque to everyone else."""

    index: str
    partition: str

    def __str__(self) -> str:
        return f"{self.index}|{self.partition}"


def month_partition(month: str, *, covert: bool = False) -> str:
    """The GSI5 partition of a month's reports (``YYYY-MM``): public or covert."""
    return f"{'COVERT' if covert else 'ALL'}#{month}"


def event_item(report: Report, entry: TimelineEntry, seq: int) -> dict[str, Any]:
    at = _ts(entry.at)
    return {
        "PK": f"REPORT#{report.id}",
        "SK": f"EVENT#{at}#{seq:04d}",
        "type": "event",
        "report_id": report.id,
        "squad": report.squad,
        "label": report.label,
        "district": report.district,
        "covert": report.covert,  # lets activity readers pass covert entries unread
        **entry.model_dump(exclude={"key"}),
        "GSI3PK": f"ACTIVITY#{at[:13]}",
        "GSI3SK": f"{at}#{report.id}#{seq:04d}",
    }


def _contact_item(report_id: str, sk: str, contact: dict[str, Any]) -> dict[str, Any]:
    """A contact as stored: name, phone and email sealed with KMS; only whether the
    person wants updates and can get them stays readable, so deciding whether to
    notify anyone never needs a decryption."""
    from chalicelib.adapters import sealing

    secret = {k: v for k, v in contact.items() if k != "notify" and v is not None}
    reachable = bool(secret.get("phone") or secret.get("email"))
    return {
        "PK": f"CONTACT#{report_id}",
        "SK": sk,
        "type": "contact",
        "notify": bool(contact.get("notify")) and reachable,
        "sealed": sealing.seal(report_id, secret),
    }


def _contact_fields(item: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.adapters import sealing

    fields = {k: v for k, v in item.items() if k not in {"PK", "SK", "type", "sealed"}}
    if "sealed" in item:
        report_id = item["PK"].removeprefix("CONTACT#")
        blob = item["sealed"]
        fields.update(sealing.unseal(report_id, getattr(blob, "value", blob)))
    return fields
