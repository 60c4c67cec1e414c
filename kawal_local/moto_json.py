"""moto's DynamoDB answers written as JSON directly (``moto_speed`` point 3): the
item reads and writes and the stream's records are already in the wire's shape; only
binary values (base64) and times (epoch seconds) need converting."""

from __future__ import annotations

from typing import Any

FAST_JSON = {
    "Query", "Scan", "GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem",
    "BatchWriteItem", "TransactWriteItems", "TransactGetItems",
}  # fmt: skip
fast_json_enabled = True  # the tests compare both ways


def wire(value: Any) -> Any:
    import base64
    from datetime import datetime

    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [wire(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):  # epoch seconds, to the millisecond as moto's serializer
        return int(value.timestamp() * 1000) / 1000
    return value


def wire_dynamo(value: Any) -> Any:
    """``wire(dynamo_to_dict(value))`` in one walk: moto converts every result to plain
    values first (a walk of its own, ~8 % of an Open311 list), then ``_wire`` walked it."""
    import base64
    from datetime import datetime

    from moto.dynamodb.models.dynamo_type import DynamoType

    kind = type(value)
    if kind is str or kind is bool or kind is int or value is None:
        return value
    if isinstance(value, datetime):
        return wire(value)
    if isinstance(value, DynamoType):
        if value.type in ("B", "BS"):  # stored as base64 (or bytes): as moto decodes it
            raw = value.value if value.type == "BS" else [value.value]
            out = [wire(v if isinstance(v, bytes) else base64.b64decode(v)) for v in raw]
            return {value.type: out if value.type == "BS" else out[0]}
        return {value.type: wire_dynamo(value.value)}
    if hasattr(value, "to_json"):
        return wire_dynamo(value.to_json())
    if isinstance(value, dict):
        return {k: wire_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [wire_dynamo(v) for v in value]
    return wire(value)
