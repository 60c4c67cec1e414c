"""The shadow squad's inspections, in one covert partition (``INSPECTIONS``: a few a
week, read whole by the command centre's overview): never in a project's partition and
in no index, so no public read, list, count or cursor ever passes one."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.base import _Table
from chalicelib.domain.inspections import Inspection

PARTITION = "INSPECTIONS"


def _sk(inspection: Inspection) -> str:
    return f"{inspection.project_id}#{inspection.id}"


class InspectionStore(_Table):
    def add_inspection(self, inspection: Inspection) -> bool:
        """Store it unless an inspection with its id exists; whether it was new."""
        item = {"PK": PARTITION, "SK": _sk(inspection), "type": "inspection"}
        return self._create(item | inspection.model_dump(mode="json"))

    def inspection(self, project_id: str, inspection_id: str) -> Inspection | None:
        found = self._get(PARTITION, f"{project_id}#{inspection_id}", consistent=True)
        return _inspection(found) if found else None

    def inspections(self, project_id: str | None = None) -> list[Inspection]:
        """Every inspection (of one project), by visit date, oldest first."""
        values = {":pk": {"S": PARTITION}}
        condition = "PK = :pk"
        if project_id:
            condition += " AND begins_with(SK, :p)"
            values[":p"] = {"S": f"{project_id}#"}
        items = self._query_all(
            KeyConditionExpression=condition, ExpressionAttributeValues=values, ConsistentRead=True
        )
        return sorted((_inspection(i) for i in items), key=lambda i: (i.visited_on, i.at))


def _inspection(item: dict) -> Inspection:
    return Inspection.model_validate(
        {k: v for k, v in item.items() if k in Inspection.model_fields}
    )
