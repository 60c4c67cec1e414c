"""Conversations held by chat (WhatsApp): one item per person (by a hash of their
number) that expires when left half-finished, the messages already handled (Meta and
SNS deliver at least once), and the numbers that asked for no more SMS."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters import sealing
from chalicelib.adapters.dynamodb.base import _key, _marshal, _Table, _ts, dynamodb_errors

CONVERSATION_TTL = timedelta(hours=24)  # WhatsApp's own session window
SEEN_TTL = timedelta(days=7)
# a reply being sent is this run's for longer than the inbound function may run (30 s)
REPLY_LEASE = timedelta(minutes=1)
# a draft towards a covert label names it and its place: every draft is sealed alike
CHAT_PURPOSE = "chat-draft"


def _raw(blob: Any) -> bytes:
    return bytes(getattr(blob, "value", blob))  # boto3's Binary, or bytes


class ChatItems(_Table):
    def first_delivery(self, message_id: str, now: datetime) -> bool:
        """Claim a message id: True the first time, False for a redelivery."""
        expires = int((now + SEEN_TTL).timestamp())
        return self._create({"PK": f"INBOUND#{message_id}", "SK": "META", "expires_at": expires})

    def forget_delivery(self, message_id: str) -> None:
        """Let a redelivery in again (its handling failed half-way)."""
        with dynamodb_errors():
            self._db.delete_item(
                TableName=self.table_name, Key=_key(f"INBOUND#{message_id}", "META")
            )

    def _reply_update(self, message_id: str, expression: str, values: dict, condition: str):
        """One conditional update of a message's held reply; its new image, or None when
        the condition did not hold."""
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                return self._db.update_item(
                    TableName=self.table_name,
                    Key=_key(f"INBOUND#{message_id}", "META"),
                    UpdateExpression=expression,
                    ConditionExpression=condition,
                    ReturnValues="ALL_NEW",
                    **({"ExpressionAttributeValues": values} if values else {}),
                )["Attributes"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise

    def hold_reply(self, message_id: str, text: str, now: datetime) -> None:
        """Keep the reply to a message until it is sent (this run holds it for now)."""
        lease = {"S": _ts(now + REPLY_LEASE)}
        values = {":t": {"S": text}, ":lease": lease}
        self._reply_update(
            message_id, "SET reply = :t, reply_lease = :lease", values, "attribute_exists(PK)"
        )

    def take_reply(self, message_id: str, now: datetime) -> str | None:
        """The kept reply of a message handled before, claimed by a conditional write:
        None when it was sent, or another run is sending it."""
        found = self._reply_update(
            message_id,
            "SET reply_lease = :lease",
            {":lease": {"S": _ts(now + REPLY_LEASE)}, ":now": {"S": _ts(now)}},
            "attribute_exists(reply) AND reply_lease <= :now",
        )
        return found["reply"]["S"] if found else None

    def release_reply(self, message_id: str) -> None:
        """Its send failed: the next delivery of the message may send it at once."""
        values = {":free": {"S": ""}}
        self._reply_update(message_id, "SET reply_lease = :free", values, "attribute_exists(reply)")

    def reply_sent(self, message_id: str) -> None:
        self._reply_update(message_id, "REMOVE reply, reply_lease", {}, "attribute_exists(PK)")

    def conversation(self, person: str, now: datetime) -> dict[str, Any] | None:
        found = self._get(f"CHAT#{person}", "META", consistent=True)
        if found is None or int(found.get("expires_at", 0)) < now.timestamp():
            return None  # TTL deletes lazily: an expired one is already gone
        if "sealed" in found:  # its draft: label, place, point
            return sealing.unseal(person, _raw(found["sealed"]), CHAT_PURPOSE)
        return found.get("state")  # a draft kept before drafts were sealed

    def save_conversation(self, person: str, state: dict[str, Any] | None, now: datetime) -> None:
        with dynamodb_errors():
            if state is None:
                self._db.delete_item(TableName=self.table_name, Key=_key(f"CHAT#{person}", "META"))
                return
            expires = int((now + CONVERSATION_TTL).timestamp())
            sealed = sealing.seal(person, state, CHAT_PURPOSE)
            item = {"PK": f"CHAT#{person}", "SK": "META", "sealed": sealed, "expires_at": expires}
            self._db.put_item(TableName=self.table_name, Item=_marshal(item))

    def set_opt_out(self, number: str, out: bool, now: datetime) -> None:
        """``number`` (a hash) wants no more SMS from Kawal, or wants them again."""
        with dynamodb_errors():
            if not out:
                self._db.delete_item(
                    TableName=self.table_name, Key=_key(f"OPTOUT#{number}", "META")
                )
                return
            item = {"PK": f"OPTOUT#{number}", "SK": "META", "at": now}
            self._db.put_item(TableName=self.table_name, Item=_marshal(item))

    def opted_out(self, number: str) -> bool:
        return self._get(f"OPTOUT#{number}", "META", consistent=True) is not None

    def link_number(self, number: str, report_id: str, now: datetime) -> None:
        """A report filed from this number (a hash): the number's later words may
        answer what its squad asks (kept as long as contacts are)."""
        expires = int((now + timedelta(days=90)).timestamp())
        item = {"PK": f"NUMBER#{number}", "SK": report_id, "at": now, "expires_at": expires}
        with dynamodb_errors():
            self._db.put_item(TableName=self.table_name, Item=_marshal(item))

    def unlink_number(self, number: str, report_id: str) -> None:
        """The number no longer tied to the report (its contact erased or corrected)."""
        with dynamodb_errors():
            self._db.delete_item(TableName=self.table_name, Key=_key(f"NUMBER#{number}", report_id))

    def reports_of_number(self, number: str) -> list[str]:
        return [i["SK"] for i in self._partition(f"NUMBER#{number}")]
