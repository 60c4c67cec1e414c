"""The published API contract: each route declares, where it is registered, the
models it reads and returns; ``document()`` turns them into OpenAPI 3.1.

Pure (no Chalice, no boto3). The document is built only when asked for, so
no function pays for JSON-schema generation at start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Who may call: ``staff`` is a Cognito access token (Authorization: Bearer);
# ``reporter``/``device`` are the secrets a phone got when it filed or registered.
SCHEMES = {
    "staff": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Cognito access token of a staff account; its groups give the role "
        "(command, operator, shadow, squad-<colour>).",
    },
    "reporter": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Reporter-Token",
        "description": "the reporter_token returned when the report was filed",
    },
    "device": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Device-Token",
        "description": "the token from POST /devices",
    },
}
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    302: "Found: follow Location",
    400: "Invalid input: the error says which field and why",
    401: "No or invalid token",
    403: "Not allowed for this role",
    404: "Not found (or not visible to you: covert reports are absent, not forbidden)",
    409: "Conflict: the report changed, or this step does not follow from its status",
    413: "Body too large",
    415: "Unsupported Content-Type",
    429: "Too many requests: wait Retry-After seconds",
    503: "A dependency is unavailable; nothing was stored: retry after Retry-After seconds",
}
TAGS = {
    "api": "citizens",
    "catalogue_api": "citizens",
    "devices_api": "citizens",
    "web_apps": "web apps",
    "lapor_app": "web apps",
    "tim_app": "web apps",
    "accounts_api": "staff accounts",
    "mfa_api": "authn",
    "squads_api": "squads",
    "staff_api": "squad work",
    "followup_api": "follow-up",
    "privacy_api": "personal data (UU PDP)",
    "proposals_api": "proposals (usulan)",
    "whatsapp_api": "channels",
    "push_api": "channels",
    "command_api": "command centre",
    "stats_api": "statistics",
    "open311_api": "Open311 GeoReport v2",
    "contract_api": "contract",
    "projects_api": "public works",
    "proyek_app": "web apps",
}
# API Gateway answers for itself when the authorizer refuses a token, before any
# function runs: {"message": "Unauthorized"} or {"Message": "User is not authorized…"}.
GATEWAY_REFUSAL = {
    "type": "object",
    "properties": {"message": {"type": "string"}, "Message": {"type": "string"}},
    "minProperties": 1,
    "additionalProperties": False,
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    body: Any = None  # a pydantic model, or a raw {media type: schema} mapping
    body_required: bool = True
    # status -> a model, [model] (array), (A, B) (either), a raw JSON schema, or
    # {media type: any of those} when the answer comes in several formats
    returns: dict[int, Any] = field(default_factory=dict)
    query: tuple[Param, ...] = ()
    auth: tuple[str, ...] = ()  # any one of these schemes; "" in it means optional
    errors: tuple[int, ...] = ()  # beyond 400, 404, 503 (and 401/403, 413/415 where apt)
    error_model: Any = None  # another error shape (Open311's)


OPERATIONS: dict[tuple[str, str], Operation] = {}


def register(op: Operation) -> None:
    OPERATIONS[(op.method, op.path)] = op


def check_query(declared: tuple[Param, ...], given: dict[str, str], strict: bool) -> None:
    """The query string against the route's declared parameters: unknown names (a
    typo would otherwise be silently ignored) and values outside an enum or pattern
    are a 400 naming the parameter."""
    from chalicelib.domain.errors import InvalidInput

    known = {p.name: p for p in declared}
    for name, value in given.items():
        param = known.get(name)
        if param is None:
            if strict:
                allowed = ", ".join(known) or "none"
                raise InvalidInput(
                    f"unknown query parameter {name!r} (allowed: {allowed})",
                    [{"field": name, "issue": "unknown parameter"}],
                    code="unknown_parameter",
                )
            continue
        if value == "" and strict:  # OpenAPI: no empty values unless allowEmptyValue
            raise InvalidInput(
                f"{name} is empty; leave it out instead",
                [{"field": name, "issue": "empty"}],
                code=f"invalid_{name}",
            )
        enum, pattern = param.schema.get("enum"), param.schema.get("pattern")
        if (enum and value not in enum) or (pattern and not re.search(pattern, value)):
            expected = f"one of {', '.join(enum)}" if enum else param.description
            raise InvalidInput(
                f"{name} must be {expected}",
                [{"field": name, "issue": "invalid value"}],
                code=f"invalid_{name}",  # the codes handlers used before: invalid_month…
            )


def q(name: str, description: str, required: bool = False, **schema: Any) -> Param:
    return Param(name, description, schema or {"type": "string"}, required)


def _schemas() -> type:
    from pydantic.json_schema import GenerateJsonSchema

    class Schemas(GenerateJsonSchema):
        def uuid_schema(self, _schema: Any) -> dict[str, Any]:
            # pydantic writes format "uuid4", which no validator or fuzzer knows
            return {"type": "string", "format": "uuid", "pattern": UUID4}

    return Schemas


UUID4 = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"


def _is_media_map(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all("/" in k for k in value)


def _models(ops: list[Operation]) -> list[tuple[Any, Any]]:
    from pydantic import BaseModel

    found: dict[tuple[Any, Any], None] = {}

    def walk(value: Any, mode: str) -> None:
        if isinstance(value, list | tuple):
            for v in value:
                walk(v, mode)
        elif _is_media_map(value):
            walk(list(value.values()), mode)
        elif isinstance(value, type) and issubclass(value, BaseModel):
            found[(value, mode)] = None

    for op in ops:
        walk(op.body, "validation")
        walk(list(op.returns.values()), "serialization")
        walk(op.error_model, "serialization")
    return list(found)


def is_public(op: Operation) -> bool:
    """Callable without a staff account (the public contract lists only these)."""
    return "staff" not in op.auth or "" in op.auth


def document(version: str = "1.0.0", *, full: bool = True) -> dict[str, Any]:
    """OpenAPI 3.1: every registered route (``full``, for the command centre), or
    only what anyone may call, in words that name nothing staff-only or covert."""
    from pydantic.json_schema import models_json_schema

    from chalicelib.domain.models import ErrorOut

    ops = sorted(
        (op for op in OPERATIONS.values() if full or is_public(op)),
        key=lambda o: (o.path, o.method),
    )
    refs, defs = models_json_schema(
        [*_models(ops), (ErrorOut, "serialization")],
        ref_template="#/components/schemas/{model}",
        schema_generator=_schemas(),
    )

    def schema(value: Any, mode: Any) -> dict[str, Any]:
        if isinstance(value, list):  # [Model]: an array of them
            return {"type": "array", "items": schema(value[0], mode)}
        if isinstance(value, tuple):  # (A, B): one of them
            return {"anyOf": [schema(v, mode) for v in value]}
        if isinstance(value, dict):  # a raw JSON schema
            return value
        return refs[(value, mode)]

    def content(value: Any, mode: str) -> dict[str, Any]:
        media = value if _is_media_map(value) else {"application/json": value}
        return {m: {"schema": schema(v, mode)} for m, v in media.items()}

    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, content, full)
    schemes = SCHEMES if full else {k: v for k, v in SCHEMES.items() if k != "staff"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kawal",
            "version": version,
            "summary": "Citizen reports to Kabupaten Trenggalek's response squads",
            "description": "Errors are JSON {error: {code, message, details}} (Open311 paths "
            "answer in Open311's own shape). Times are UTC ISO-8601.",
        },
        "paths": paths,
        "components": {"schemas": defs.get("$defs", {}), "securitySchemes": schemes},
    }


def _operation(op: Operation, content: Any, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": f"{op.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', op.path.lower())}",
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
            for n in re.findall(r"{(\w+)}", op.path)
        ]
        + [
            {"name": p.name, "in": "query", "required": p.required, "description": p.description}
            | {"schema": p.schema}
            for p in op.query
        ],
        "responses": {},
    }
    schemes = [s for s in op.auth if s]
    if schemes:
        out["security"] = [{s: []} for s in schemes] + ([{}] if "" in op.auth else [])
    if op.body is not None:
        out["requestBody"] = {
            "required": op.body_required,
            "content": content(op.body, "validation"),
        }
    for status, value in sorted(op.returns.items()):
        answer: dict[str, Any] = {"description": STATUS_TEXT.get(status, str(status))}
        if status == 302:
            answer["headers"] = {"Location": {"schema": {"type": "string"}}}
        elif value is not None:
            answer["content"] = content(value, "serialization")
        out["responses"][str(status)] = answer
    errors = set(op.errors) | {400, 404, 503}
    if schemes and "" not in op.auth:
        errors |= {401, 403}
    if op.body is not None:
        errors |= {413, 415}
    for status in sorted(errors):
        shape = op.error_model or {"$ref": "#/components/schemas/ErrorOut"}
        if status in (401, 403) and schemes:
            shape = {"anyOf": [shape, GATEWAY_REFUSAL]}
        text = STATUS_TEXT[status] if full or status != 404 else "Not found"
        answer = {"description": text, "content": content(shape, "serialization")}
        if status in (429, 503):
            answer["headers"] = RETRY_AFTER
        out["responses"][str(status)] = answer
    return out
