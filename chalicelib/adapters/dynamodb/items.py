"""Items as stored: the key schema and index attributes of each kind of item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.dynamodb.base import NEARBY_PARTITION_PRECISION, _model, _ts
from chalicelib.domain.lifecycle import OPEN
from chalicelib.domain.models import (
    Photo,
    Report,
    TimelineEntry,
)

QUEUE_RANK = {"urgent": "1", "normal": "2", "low": "3"}
# What a covert report keeps sealed (issue #35): its words and its place. Only what
# the indexes and the status machine need stays plain; the point reads as 0, 0.
COVERT_FIELDS = frozenset(
    {"description", "address", "lat", "lon", "geohash", "district", "village", "attributes",
     "media_url", "client_fields"}
)  # fmt: skip
SEALED_PLACE = {"lat": 0.0, "lon": 0.0, "geohash": ""}
# A covert timeline entry's words (a note, a reason): sealed the same way.
COVERT_NOTE = ("note", "reason")


def photo_item(photo: Photo, sealed: bool = False) -> dict[str, Any]:
    """A photo slot as stored; ``sealed`` (a covert report's photo, a shadow check's):
    where the phone took it sealed, as a covert report's own place is."""
    item = {
        "PK": f"REPORT#{photo.report_id}",
        "SK": f"PHOTO#{photo.id}",
        "type": "photo",
        **photo.model_dump(),
    }
    if sealed and (photo.lat is not None or photo.lon is not None):
        from chalicelib.adapters import covert

        where = {"lat": item.pop("lat"), "lon": item.pop("lon")}
        item["sealed"] = covert.seal(photo.report_id, "photo", where)
    return item


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


def new_report_item(report: Report) -> dict[str, Any]:
    """A new report as stored: a covert one with its words and place sealed. (Later
    writes set only status fields plain; a covert report's place is sealed again.)"""
    item = report_item(report)
    if not report.covert:
        return item
    from chalicelib.adapters import covert

    for name in COVERT_FIELDS:
        item.pop(name, None)
    secret = report.model_dump(mode="json", include=set(COVERT_FIELDS), exclude_none=True)
    return {**item, **SEALED_PLACE, "sealed": covert.seal(report.id, "report", secret)}


def opened(item: dict[str, Any], report_id: str, purpose: str) -> dict[str, Any]:
    """An item with its sealed fields back, when this request may open covert ones;
    as stored (placeholders) otherwise."""
    return opened_all([(item, report_id, purpose)])[0]


def opened_all(items: list[tuple[dict[str, Any], str, str]]) -> list[dict[str, Any]]:
    """``opened`` for (item, report id, purpose) triples, in one vault call."""
    from chalicelib.adapters import covert

    sealed = [n for n, (item, _, _) in enumerate(items) if "sealed" in item]
    out = [item for item, _, _ in items]
    if not sealed or not covert.cleared():
        return out
    found = covert.unseal_many([(items[n][1], items[n][2], items[n][0]["sealed"]) for n in sealed])
    for n, fields in zip(sealed, found, strict=True):
        out[n] = {**out[n], **(fields or {})}  # None: not this reporter's, left closed
    return out


# what is sealed in a report's partition, by sort key
PURPOSES = {"META": "report", "EVENT#": "note", "CHECK#": "check", "PHOTO#": "photo"}


def opened_partition(items: list[dict[str, Any]], report_id: str) -> list[dict[str, Any]]:
    """A report's partition as read, its sealed items opened (when this request may)."""
    purpose = {
        n: p for n, i in enumerate(items) for k, p in PURPOSES.items() if i["SK"].startswith(k)
    }
    opened = opened_all([(items[n], report_id, p) for n, p in purpose.items()])
    return [opened.pop(0) if n in purpose else i for n, i in enumerate(items)]


def stored_reports(items: list[dict[str, Any]]) -> list[Report]:
    return [_model(Report, i) for i in opened_all([(i, i["id"], "report") for i in items])]


def sealed_words(item: dict[str, Any], report_id: str, purpose: str) -> dict[str, Any]:
    """``item`` with its note (and reason) sealed: covert words at rest."""
    from chalicelib.adapters import covert

    secret = {k: item.pop(k) for k in COVERT_NOTE if item.get(k) is not None}
    if secret:
        item["sealed"] = covert.seal(report_id, purpose, secret)
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
    item = {
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
    if not report.covert:
        return item
    item.pop("district")  # a covert report's place stays sealed
    return sealed_words(item, report.id, "note")


def _contact_item(
    report_id: str, sk: str, contact: dict[str, Any], covert: bool = False
) -> dict[str, Any]:
    """A contact as stored: name, phone and email sealed with KMS; only whether the
    person wants updates and can get them stays readable, so deciding whether to
    notify anyone never needs a decryption. A covert report's reporter is sealed with
    the covert key (``covert_sealed``), which the API opens only through the vault."""
    from chalicelib.adapters import covert as vault
    from chalicelib.adapters import sealing

    secret = {k: v for k, v in contact.items() if k != "notify" and v is not None}
    reachable = bool(secret.get("phone") or secret.get("email"))
    item = {
        "PK": f"CONTACT#{report_id}",
        "SK": sk,
        "type": "contact",
        "notify": bool(contact.get("notify")) and reachable,
    }
    if covert:
        return {**item, "covert_sealed": vault.seal(report_id, "contact", secret)}
    return {**item, "sealed": sealing.seal(report_id, secret)}


def _contact_fields(item: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.adapters import sealing

    hidden = {"PK", "SK", "type", "sealed", "covert_sealed"}
    fields = {k: v for k, v in item.items() if k not in hidden}
    if "covert_sealed" in item:  # opened where this request may (else name etc. absent)
        report_id = item["PK"].removeprefix("CONTACT#")
        fields.update(opened({"sealed": item["covert_sealed"]}, report_id, "contact"))
        fields.pop("sealed", None)
    if "sealed" in item:
        report_id = item["PK"].removeprefix("CONTACT#")
        blob = item["sealed"]
        fields.update(sealing.unseal(report_id, getattr(blob, "value", blob)))
    return fields
