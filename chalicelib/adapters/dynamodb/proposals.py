"""ProposalStore: citizens' proposals (usulan) in the one table.

    item              PK                  SK                 GSI1 (by status, oldest first)
    proposal          PROPOSAL#<id>       META               PROPOSALS#<status>, <created>#<id>
    short code        PCODE#<code>        META               -
    supporter         PROPOSAL#<id>       SUPPORT#<sid>      -
    contact           CONTACT#<id>        META / SUPPORTER#  -  (sealed, apart, as a reporter's)

Proposal ids are derived with their own purpose, so a CONTACT# of a proposal never
meets a report's."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.base import (
    _cancellation_reasons,
    _key,
    _marshal,
    _model,
    _Table,
    _ts,
    dynamodb_errors,
)
from chalicelib.adapters.dynamodb.items import _contact_fields, _contact_item
from chalicelib.domain.errors import CodeTaken, StaleReport, Unavailable
from chalicelib.domain.proposals import Proposal, ProposalExists

# What a step may change; "supporters" only ever by atomic adds.
_MUTABLE = ("status", "forum_level", "forum_date", "rkpd_year", "reason", "report_id",
            "updated_at", "moderated_at", "version")  # fmt: skip


def proposal_item(proposal: Proposal) -> dict[str, Any]:
    created = _ts(proposal.created_at)
    return {
        "PK": f"PROPOSAL#{proposal.id}",
        "SK": "META",
        "type": "proposal",
        **proposal.model_dump(mode="json", exclude={"created_at", "updated_at", "moderated_at"}),
        "created_at": proposal.created_at,
        "updated_at": proposal.updated_at,
        "moderated_at": proposal.moderated_at,
        "GSI1PK": f"PROPOSALS#{proposal.status}",
        "GSI1SK": f"{created}#{proposal.id}",
    }


class ProposalStore(_Table):
    def create_proposal(self, proposal: Proposal, contact: dict[str, Any] | None) -> None:
        """The proposal, its code and its sealed contact, or nothing at all."""
        from botocore.exceptions import ClientError

        put = self._put_new
        items = [
            put(proposal_item(proposal)),
            put({"PK": f"PCODE#{proposal.code}", "SK": "META", "proposal_id": proposal.id}),
        ]
        if contact:
            items.append(put(_contact_item(proposal.id, "META", contact)))
        token = hashlib.sha256(f"{proposal.attempt}|{proposal.code}".encode()).hexdigest()[:36]
        try:
            with dynamodb_errors():
                self._db.transact_write_items(TransactItems=items, ClientRequestToken=token)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = _cancellation_reasons(exc)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise ProposalExists(proposal.id) from exc
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise CodeTaken(proposal.code) from exc
            raise Unavailable("storage is busy, please retry shortly") from exc

    def get_proposal(self, proposal_id: str) -> Proposal | None:
        found = self._get(f"PROPOSAL#{proposal_id}", "META", consistent=True)
        return _model(Proposal, found) if found else None

    def proposal_id_for_code(self, code: str) -> str | None:
        found = self._get(f"PCODE#{code.upper()}", "META")
        return found["proposal_id"] if found else None

    def save_proposal(self, proposal: Proposal, expected_version: int) -> bool:
        """A step, if nobody took one since the proposal was read; it moves in GSI1."""
        item = proposal_item(proposal)
        names = (*_MUTABLE, "GSI1PK")
        sets = {k: item[k] for k in names if item.get(k) is not None}
        removes = [k for k in names if k not in sets]
        expression = "SET " + ", ".join(f"#{k} = :{k}" for k in sets)
        if removes:
            expression += " REMOVE " + ", ".join(f"#{k}" for k in removes)
        return self._update_if(
            _key(f"PROPOSAL#{proposal.id}", "META"),
            UpdateExpression=expression,
            ConditionExpression="#version = :expected",
            ExpressionAttributeNames={f"#{k}": k for k in names},
            ExpressionAttributeValues={
                **{f":{k}": _marshal({k: v})[k] for k, v in sets.items()},
                ":expected": {"N": str(expected_version)},
            },
        )

    def add_proposal_supporter(
        self, proposal_id: str, supporter_id: str, contact: dict[str, Any] | None, now: datetime
    ) -> bool:
        """Count a supporter once (a retry adds nothing); whether it was new."""
        items = [
            self._put_new(
                {"PK": f"PROPOSAL#{proposal_id}", "SK": f"SUPPORT#{supporter_id}", "at": now}
            ),
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": _key(f"PROPOSAL#{proposal_id}", "META"),
                    "UpdateExpression": "ADD supporters :one",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]
        if contact:
            item = _contact_item(proposal_id, f"SUPPORTER#{supporter_id}", contact)
            items.append({"Put": {"TableName": self.table_name, "Item": _marshal(item)}})
        try:
            self._transact(items, proposal_id)
            return True
        except StaleReport:  # the supporter item exists: a retry
            return False

    def proposals_in(self, status: str) -> list[Proposal]:
        items = self._query_all(
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"PROPOSALS#{status}"}},
        )
        return [_model(Proposal, i) for i in items]

    def proposal_contacts(self, proposal_id: str) -> list[dict[str, Any]]:
        """The proposer's (first) and supporters' contacts, opened: to tell them a step."""
        items = self._partition(f"CONTACT#{proposal_id}", consistent=True)
        items.sort(key=lambda i: i["SK"] != "META")
        return [_contact_fields(i) for i in items]
