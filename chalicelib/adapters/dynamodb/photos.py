"""Photo items of a report: slots, the three-photo count, claims, outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamodb.base import (
    _cancellation_reasons,
    _key,
    _marshal,
    _model,
    _plain,
    _Table,
    _to_attr,
    _ts,
    dynamodb_errors,
    report_key,
)
from chalicelib.adapters.dynamodb.items import opened, photo_item
from chalicelib.domain.errors import (
    PhotoQuotaReached,
    StaleReport,
    Unavailable,
)
from chalicelib.domain.models import (
    MAX_CITIZEN_PHOTOS,
    Loaded,
    Photo,
)


class PhotoItems(_Table):
    if TYPE_CHECKING:  # the report store's own read, which this part of it uses

        def load(self, report_id: str) -> Loaded | None: ...

    def add_photo(self, photo: Photo, counted: bool, sealed: bool = False) -> Photo:
        """Add a photo slot; a citizen's counts against the report's limit of three.
        A retry with the same photo id returns the slot made the first time. ``sealed``:
        where it was taken is sealed (a covert report's photo, a shadow check's)."""
        from botocore.exceptions import ClientError

        items: list[dict[str, Any]] = []
        if counted:
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": report_key(photo.report_id),
                        "UpdateExpression": "SET citizen_photos = "
                        "if_not_exists(citizen_photos, :zero) + :one",
                        "ConditionExpression": "attribute_exists(PK) AND "
                        "(attribute_not_exists(citizen_photos) OR citizen_photos < :max)",
                        "ExpressionAttributeValues": {
                            ":zero": {"N": "0"},
                            ":one": {"N": "1"},
                            ":max": {"N": str(MAX_CITIZEN_PHOTOS)},
                        },
                    }
                }
            )
        items.append(
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": _marshal(photo_item(photo, sealed)),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        )
        try:
            with dynamodb_errors():
                self._db.transact_write_items(TransactItems=items)
            return photo
        except ClientError as exc:
            reasons = _cancellation_reasons(exc)
            if reasons and reasons[-1] == "ConditionalCheckFailed":
                existing = self.get_photo(photo.report_id, photo.id)
                if existing is not None:
                    return existing
            if counted and reasons and reasons[0] == "ConditionalCheckFailed":
                raise PhotoQuotaReached(photo.report_id) from exc
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                raise Unavailable("storage is busy, please retry shortly") from exc
            raise

    def get_photo(self, report_id: str, photo_id: str) -> Photo | None:
        found = self._get(f"REPORT#{report_id}", f"PHOTO#{photo_id}", consistent=True)
        return _model(Photo, opened(found, report_id, "photo")) if found else None

    def claim_photo(self, report_id: str, photo_id: str, now: datetime, stale: datetime) -> bool:
        """Take a photo for processing: only one worker, once (or again after a
        worker died mid-way: a claim older than ``stale``)."""
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                self._db.update_item(
                    TableName=self.table_name,
                    Key={"PK": {"S": f"REPORT#{report_id}"}, "SK": {"S": f"PHOTO#{photo_id}"}},
                    UpdateExpression="SET #s = :processing, processing_since = :now",
                    ConditionExpression="#s = :awaiting"
                    " OR (#s = :processing AND processing_since < :stale)",
                    ExpressionAttributeNames={"#s": "state"},
                    ExpressionAttributeValues={
                        ":processing": {"S": "processing"},
                        ":awaiting": {"S": "awaiting_upload"},
                        ":now": {"S": _ts(now)},
                        ":stale": {"S": _ts(stale)},
                    },
                )
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def finish_photo(self, photo: Photo) -> None:
        """Record the outcome (ready with derivatives, or rejected with a reason). A
        rejected citizen photo gives its place among the three back, in the same
        transaction: the reporter can send another."""
        fields = ("state", "reason", "display_key", "thumb_key", "width", "height", "processed_at")
        values = {k: getattr(photo, k) for k in fields if getattr(photo, k) is not None}
        update = self._photo_update(photo, values, "processing")
        if photo.state == "rejected" and photo.role == "before":
            self._transact([update, self._release_citizen_photo(photo.report_id)], photo.report_id)
            return
        with dynamodb_errors():
            self._db.update_item(**update["Update"])

    def _photo_update(self, photo: Photo, values: dict[str, Any], expected: str) -> dict:
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(f"REPORT#{photo.report_id}", f"PHOTO#{photo.id}"),
                "UpdateExpression": "SET " + ", ".join(f"#{k} = :{k}" for k in values),
                "ConditionExpression": "#state = :expected",
                "ExpressionAttributeNames": {f"#{k}": k for k in {*values, "state"}},
                "ExpressionAttributeValues": {
                    **{f":{k}": _to_attr(_plain(v)) for k, v in values.items()},
                    ":expected": {"S": expected},
                },
            }
        }

    def _release_citizen_photo(self, report_id: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": report_key(report_id),
                "UpdateExpression": "SET citizen_photos = citizen_photos - :one",
                "ConditionExpression": "citizen_photos > :zero",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"}},
            }
        }

    def expire_unused_slots(self, report_id: str, created_before: datetime) -> int:
        """Citizen slots still waiting for their file after their form expired (S3
        refused the upload, or the phone gave up): expired, each giving its place
        back. Returns how many."""
        released, loaded = 0, self.load(report_id)
        for photo in loaded.photos if loaded else []:
            if (
                photo.role == "before"
                and photo.state == "awaiting_upload"
                and photo.created_at < created_before
            ):
                update = self._photo_update(photo, {"state": "expired"}, "awaiting_upload")
                try:
                    self._transact([update, self._release_citizen_photo(report_id)], report_id)
                    released += 1
                except StaleReport:
                    pass  # its upload arrived meanwhile
        return released
