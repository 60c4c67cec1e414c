"""Reports: create, transitions, the indexes they are read by, merges."""

from __future__ import annotations

import hashlib
from typing import Any

from chalicelib.adapters import covert
from chalicelib.adapters.dynamodb.base import (
    MUTABLE,
    OPEN_ONLY,
    _cancellation_reasons,
    _key,
    _model,
    _plain,
    _to_attr,
    _ts,
    dynamodb_errors,
    report_key,
)
from chalicelib.adapters.dynamodb.chats import ChatItems
from chalicelib.adapters.dynamodb.check_requests import PARTITION as CHECK_REQUESTS
from chalicelib.adapters.dynamodb.check_requests import CheckRequestItems
from chalicelib.adapters.dynamodb.items import (
    COVERT_FIELDS,
    _contact_item,
    event_item,
    new_report_item,
    opened_partition,
    photo_item,
    report_item,
    sealed_words,
)
from chalicelib.adapters.dynamodb.listings import ReportListings
from chalicelib.adapters.dynamodb.people import PeopleItems
from chalicelib.adapters.dynamodb.photos import PhotoItems
from chalicelib.adapters.dynamodb.privacy import PrivacyItems
from chalicelib.adapters.dynamodb.push import DigestItems, PushItems
from chalicelib.domain.errors import (
    CodeTaken,
    Conflict,
    ReportExists,
    StaleReport,
    Unavailable,
)
from chalicelib.domain.models import (
    Loaded,
    Photo,
    Report,
    ShadowCheck,
    TimelineEntry,
)

# a transaction holds 100 items; a merge writes four besides the contacts it copies
MERGE_CONTACTS_MAX = 96


class ReportStore(
    ReportListings,
    PhotoItems,
    PeopleItems,
    PrivacyItems,
    ChatItems,
    PushItems,
    DigestItems,
    CheckRequestItems,
):
    """Reports, their timelines, short codes and (apart) reporter contacts."""

    def create_report(
        self,
        report: Report,
        first: TimelineEntry,
        contact: dict[str, Any] | None,
        photo: Photo | None = None,
    ) -> None:
        """Store a new report atomically: the report, its code, its first timeline
        entry and its contact, or nothing at all."""
        from botocore.exceptions import ClientError

        put = self._put_new
        items = [
            put(new_report_item(report)),
            put({"PK": f"CODE#{report.code}", "SK": "META", "report_id": report.id}),
            put(event_item(report, first, 0)),
        ]
        if contact:
            items.append(put(_contact_item(report.id, "META", contact, report.covert)))
        if photo:
            items.append(put(photo_item(photo, report.covert)))
        # DynamoDB answers a retried transaction with the same token as the first
        # (botocore retries after a read timeout); each code drawn is a new request.
        token = hashlib.sha256(f"{report.attempt}|{report.code}".encode()).hexdigest()[:36]
        try:
            with dynamodb_errors():
                self._db.transact_write_items(TransactItems=items, ClientRequestToken=token)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = _cancellation_reasons(exc)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise ReportExists(report.id) from exc
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise CodeTaken(report.code) from exc
            raise Unavailable("storage is busy, please retry shortly") from exc

    def _transition_update(
        self, report: Report, expected_version: int, extra: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """The Update that saves a changed report if nobody changed it since it was read
        (optimistic lock on ``version``), moving it in or out of the open indexes."""
        item = report_item(report)
        keys = (*MUTABLE, *extra, "GSI1PK", "GSI1SK", *OPEN_ONLY)
        sets = {k: item[k] for k in keys if item.get(k) is not None}
        if report.covert:  # its place stays sealed: never a plain district or village
            keys = tuple(k for k in keys if k not in COVERT_FIELDS)
            sets = {k: v for k, v in sets.items() if k in keys}
            if covert.cleared():  # read opened: seal its words and (maybe new) place again
                secret = report.model_dump(mode="json", include=set(COVERT_FIELDS))
                secret = {k: v for k, v in secret.items() if v is not None}
                sets["sealed"] = covert.seal(report.id, "report", secret)
        # what became empty (an assignee after a transfer, an answered question), and
        # out of the open indexes once closed
        removes = [k for k in keys if k not in sets]
        expression = "SET " + ", ".join(f"#{k} = :{k}" for k in sets)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": report_key(report.id),
                "UpdateExpression": expression,
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": {f"#{k}": k for k in sets},
                "ExpressionAttributeValues": {
                    **{f":{k}": _to_attr(_plain(v)) for k, v in sets.items()},
                    ":expected": {"N": str(expected_version)},
                },
            }
        }

    def record_transition(
        self,
        report: Report,
        entry: TimelineEntry,
        expected_version: int,
        action_id: str | None = None,
    ) -> None:
        """Save a status change and its timeline entry together, only if nobody changed
        the report since it was read; with ``action_id`` (the phone's own id for the
        step) a marker is written in the same transaction, once, so a retry finds it."""
        update = self._transition_update(report, expected_version)
        event = event_item(report, entry, report.version)
        writes = [update, self._put_new(event)]
        if action_id is not None:
            marker = {
                "PK": event["PK"],
                "SK": f"ACTION#{action_id}",
                "type": "action_once",
                "action": entry.action,
                "actor_id": entry.actor_id,
                "event_sk": event["SK"],
            }
            writes.append(self._put_new(marker))
        self._transact(writes, report.id)

    def action_done(self, report_id: str, action_id: str) -> dict[str, Any] | None:
        """The marker of a step already made with this client action id, if any."""
        return self._get(f"REPORT#{report_id}", f"ACTION#{action_id}", consistent=True)

    def mark_escalated(self, report: Report, entry: TimelineEntry) -> bool:
        """Flag an overdue report once; the timeline entry tells the command centre."""
        update = {
            "Update": {
                "TableName": self.table_name,
                "Key": report_key(report.id),
                "UpdateExpression": "SET escalated_at = :at",
                "ConditionExpression": "attribute_not_exists(escalated_at) AND #s = :status",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {
                    ":at": {"S": _ts(entry.at)},
                    ":status": {"S": report.status},
                },
            }
        }
        try:
            self._transact_with_event(update, report, entry, report.version)
            return True
        except StaleReport:
            return False

    def _transact_with_event(
        self, update: dict[str, Any], report: Report, entry: TimelineEntry, seq: int
    ) -> None:
        self._transact([update, self._put_new(event_item(report, entry, seq))], report.id)

    def record_comment(
        self, report: Report, entry: TimelineEntry, expected_version: int, resend_key: str
    ) -> tuple[str, bool]:
        """Save a comment and its timeline entry once per ``resend_key`` (the client's
        own id for it): a resend finds the first one's entry. Returns the entry's key
        and whether it is new."""
        event = event_item(report, entry, report.version)
        marker = {"PK": event["PK"], "SK": f"RESENT#{resend_key}", "event_sk": event["SK"]}
        try:
            self._transact(
                [
                    self._transition_update(report, expected_version),
                    self._put_new(event),
                    self._put_new(marker),
                ],
                report.id,
            )
        except StaleReport:
            first = self._get(marker["PK"], marker["SK"], consistent=True)
            if first is None:
                raise
            return first["event_sk"], False
        return event["SK"], True

    def load(self, report_id: str) -> Loaded | None:
        """The report, its timeline and its photos: one Query on its partition."""
        items = opened_partition(self._partition(f"REPORT#{report_id}", consistent=True), report_id)
        meta = next((i for i in items if i["SK"] == "META"), None)
        if meta is None:
            return None
        timeline = [
            _model(TimelineEntry, {**i, "key": i["SK"]})
            for i in items
            if i["SK"].startswith("EVENT#")
        ]
        photos = [_model(Photo, i) for i in items if i["SK"].startswith("PHOTO#")]
        checks = [
            _model(ShadowCheck, {**i, "key": i["SK"]})
            for i in items
            if i["SK"].startswith("CHECK#")
        ]
        duplicates = [
            {"id": i["SK"][len("MERGED#") :], "code": i.get("code")}
            for i in items
            if i["SK"].startswith("MERGED#")
        ]
        return Loaded(
            _model(Report, meta),
            timeline,
            sorted(photos, key=lambda p: p.created_at),
            tuple(checks),
            tuple(duplicates),
        )

    def add_check(self, check: ShadowCheck) -> None:
        """A shadow check, in the report's partition and in the activity index (so the
        statistics job counts it), but not a timeline entry: no stream-driven message,
        no squad view ever shows it. The command centre's request for a check of the
        report, if any, is closed in the same transaction: never a check whose request
        stays pinned, nor a closed request with no check."""
        at = _ts(check.at)
        item = {
            "PK": f"REPORT#{check.report_id}",
            "SK": f"CHECK#{at}#{check.checker}",
            "type": "check",
            **check.model_dump(exclude={"key"}),
            "GSI3PK": f"ACTIVITY#{at[:13]}",
            "GSI3SK": f"{at}#{check.report_id}#check",
        }
        # the shadow squad's words are covert whatever report they are about
        sealed_words(item, check.report_id, "check")
        request = _key(CHECK_REQUESTS, f"REQ#{check.report_id}")
        self._transact(
            [self._put_new(item), {"Delete": {"TableName": self.table_name, "Key": request}}],
            check.report_id,
        )

    def get_report(self, report_id: str) -> tuple[Report, list[TimelineEntry]] | None:
        loaded = self.load(report_id)
        return (loaded.report, loaded.timeline) if loaded else None

    def report_id_for_code(self, code: str) -> str | None:
        found = self._get(f"CODE#{code}", "META")
        return found["report_id"] if found else None

    def merge(
        self, duplicate: Report, entry: TimelineEntry, original_id: str, carried: int
    ) -> None:
        """Reject the duplicate as merged and add its people to the original's supporters,
        with copies of their contacts, in one transaction: a merge that fails leaves no
        copy, and a marker item makes a repeated merge fail, not double count."""
        copies = self.merged_contacts(duplicate.id, original_id)
        if len(copies) > MERGE_CONTACTS_MAX:
            raise Conflict(
                "Laporan ganda ini punya terlalu banyak kontak untuk digabung sekaligus / "
                f"the duplicate holds more than {MERGE_CONTACTS_MAX} contacts to carry over",
                code="merge_too_large",
            )
        self._transact(
            [
                self._put_new(
                    {
                        "PK": f"REPORT#{original_id}",
                        "SK": f"MERGED#{duplicate.id}",
                        "code": duplicate.code,
                    }
                ),
                self._add_supporters(original_id, carried),
                self._transition_update(
                    duplicate, duplicate.version - 1, extra=("merged_into", "merged_into_code")
                ),
                self._put_new(event_item(duplicate, entry, duplicate.version)),
                *copies,
            ],
            duplicate.id,
        )
