"""Public works in the one table (no Scan):

    item        PK                SK                  GSI1 (a year's projects)
    project     PROJECT#<id>      META                PROJECTS#<year> · <opd>#<id>
    progress    PROJECT#<id>      PROGRESS#<week>     -   (the OPD's weekly report)

A project's own partition holds only what the public may read. The shadow squad's
inspections will never live here (a public read of the partition must not carry them).
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb.base import _key, _Table
from chalicelib.domain.errors import Conflict, StaleReport
from chalicelib.domain.projects import Progress, Project


def project_item(project: Project) -> dict[str, Any]:
    return {
        "PK": f"PROJECT#{project.id}",
        "SK": "META",
        "type": "project",
        **project.model_dump(mode="json"),
        "GSI1PK": f"PROJECTS#{project.fiscal_year}",
        "GSI1SK": f"{project.opd}#{project.id}",
    }


def _project(item: dict[str, Any]) -> Project:
    return Project.model_validate({k: v for k, v in item.items() if k in Project.model_fields})


class ProjectStore(_Table):
    def project(self, project_id: str) -> Project | None:
        found = self._get(f"PROJECT#{project_id}", "META")
        return _project(found) if found else None

    def projects_of_year(self, year: int, opd: str | None = None) -> list[Project]:
        """A fiscal year's projects (one OPD's, if given), by OPD then id."""
        values: dict[str, Any] = {":pk": {"S": f"PROJECTS#{year}"}}
        condition = "GSI1PK = :pk"
        if opd is not None:
            condition += " AND begins_with(GSI1SK, :opd)"
            values[":opd"] = {"S": f"{opd}#"}
        items = self._query_all(
            IndexName="GSI1",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
        return [_project(i) for i in items]

    def create_projects(self, projects: list[Project]) -> None:
        """Store new projects all together, or none (one transaction: at most 100)."""
        if not projects:
            return
        try:
            self._transact([self._put_new(project_item(p)) for p in projects], "projects")
        except StaleReport as exc:
            raise Conflict(
                "some of these projects were stored meanwhile; nothing was imported, "
                "send the file again",
                code="projects_changed",
            ) from exc

    def progress_of(self, project_id: str) -> list[Progress]:
        """The OPD's weekly reports, oldest first."""
        items = self._query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={
                ":pk": {"S": f"PROJECT#{project_id}"},
                ":p": {"S": "PROGRESS#"},
            },
            ConsistentRead=True,
        )
        return [Progress.model_validate(_fields(Progress, i)) for i in items]

    def add_progress(self, progress: Progress) -> bool:
        """Store a week's report unless that week has one, and keep it on the project
        as the latest (one transaction); whether it was new."""
        from chalicelib.adapters.dynamodb.base import _marshal

        week = progress.week.isoformat()
        latest = {"week": week, "physical": progress.physical, "financial": progress.financial}
        try:
            self._transact(
                [
                    self._put_new(
                        {
                            "PK": f"PROJECT#{progress.project_id}",
                            "SK": f"PROGRESS#{week}",
                            "type": "progress",
                            **progress.model_dump(mode="json"),
                        }
                    ),
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": _key(f"PROJECT#{progress.project_id}", "META"),
                            "UpdateExpression": "SET reported = :r",
                            "ConditionExpression": "attribute_exists(PK)",
                            "ExpressionAttributeValues": {":r": _marshal({"r": latest})["r"]},
                        }
                    },
                ],
                progress.project_id,
            )
        except StaleReport:
            return False
        return True

    def advance(self, project: Project, expected_stage: str) -> bool:
        """Store the project's new stage and its document dates, if its stage is still
        ``expected_stage`` (someone else may have moved it); whether it was stored."""
        values = {":s": project.stage, ":e": expected_stage}
        sets = ["stage = :s"]
        for name in ("pho_date", "fho_date"):
            when = getattr(project, name)
            if when is not None:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = when.isoformat()
        return self._update_if(
            _key(f"PROJECT#{project.id}", "META"),
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="stage = :e",
            ExpressionAttributeValues={k: {"S": v} for k, v in values.items()},
        )


def _fields(model: Any, item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in model.model_fields}
