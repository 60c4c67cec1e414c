"""Small helpers for API tests: JSON requests through chalice.test.Client, table reads."""

from __future__ import annotations

import json
import uuid
from typing import Any

from chalicelib import config
from chalicelib.adapters import aws

JSON_HEADERS = {"Content-Type": "application/json"}


def report_body(**changes: Any) -> dict[str, Any]:
    body = {
        "client_report_id": str(uuid.uuid4()),
        "label": "jalan_rusak",
        "lat": -8.05,
        "lon": 111.71,
        "district": "trenggalek",
        "description": "Jalan berlubang di depan pasar",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def post_json(client, path: str, body: Any, headers: dict | None = None):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.http.post(path, headers=headers or JSON_HEADERS, body=raw)


def all_items() -> list[dict[str, Any]]:
    """Every item in the table: tests may Scan, request paths never do."""
    db = aws.client("dynamodb")
    items, kwargs = [], {"TableName": config.table_name()}
    while True:
        page = db.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def keys() -> set[tuple[str, str]]:
    return {(i["PK"]["S"], i["SK"]["S"]) for i in all_items()}
