"""The command centre's requests for a closure check, in one small partition
(``CHECKREQS``: a few a day, read whole by the shadow squad's queue). Covert: apart
from the report's own partition, so no report read ever carries one; the stream's
INSERT of an item here is what tells the shadow squad."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.base import _key, _Table, dynamodb_errors
from chalicelib.adapters.dynamodb.items import opened, opened_all, sealed_words
from chalicelib.domain.models import CheckRequest

PARTITION = "CHECKREQS"


def _request(item: dict) -> CheckRequest:
    return CheckRequest(
        report_id=item["report_id"], at=item["at"], by=item["by"], note=item.get("note")
    )


class CheckRequestItems(_Table):
    def request_check(self, request: CheckRequest) -> bool:
        """Ask for a check unless one is open for the report; whether it was new."""
        item = {"PK": PARTITION, "SK": f"REQ#{request.report_id}", **request.model_dump()}
        # the regent's words to the checkers: covert, sealed
        item = sealed_words(item, request.report_id, "check-request")
        return self._create({k: v for k, v in item.items() if v is not None})

    def check_request(self, report_id: str) -> CheckRequest | None:
        found = self._get(PARTITION, f"REQ#{report_id}", consistent=True)
        return _request(opened(found, report_id, "check-request")) if found else None

    def check_requests(self) -> list[CheckRequest]:
        """The open requests, the longest waiting first."""
        items = self._partition(PARTITION)
        items = opened_all([(i, i["report_id"], "check-request") for i in items])
        return sorted((_request(i) for i in items), key=lambda r: r.at)

    def close_check_request(self, report_id: str) -> None:
        """The check was made: the request is done (nothing if there was none)."""
        with dynamodb_errors():
            self._db.delete_item(TableName=self.table_name, Key=_key(PARTITION, f"REQ#{report_id}"))
