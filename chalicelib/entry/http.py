"""HTTP plumbing shared by entry modules: JSON in, JSON out, one error shape."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from chalice import Response
from pydantic import BaseModel, ValidationError

from chalicelib import config
from chalicelib.domain.errors import InvalidInput, KawalError, MalformedJson, PayloadTooLarge
from chalicelib.entry import contract

log = logging.getLogger("kawal")
M = TypeVar("M", bound=BaseModel)
JSON = "application/json; charset=utf-8"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(body, BaseModel):
        text = body.model_dump_json()
    elif isinstance(body, list) and body and isinstance(body[0], BaseModel):
        text = "[" + ",".join(b.model_dump_json() for b in body) + "]"
    else:
        text = json.dumps(body, ensure_ascii=False, default=str)
    return Response(
        body=text, status_code=status, headers={"Content-Type": JSON, **(headers or {})}
    )


def error_response(error: KawalError) -> Response:
    return json_response(error.body(), error.status, error.headers)


def _details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(p) for p in e["loc"]) or "(body)",
            "issue": e["msg"],
            "type": e["type"],
        }
        for e in exc.errors(include_url=False, include_input=False)
    ]


def parse_body(request: Any, model: type[M]) -> M:
    """Parse and validate a JSON body strictly; every failure is a 4xx."""
    raw = request.raw_body or b""
    if len(raw) > config.max_body_bytes():
        raise PayloadTooLarge(f"the request body is larger than {config.max_body_bytes()} bytes")
    if not raw.strip():
        raise MalformedJson("the request body is empty; send a JSON object")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise MalformedJson("the request body is not valid JSON") from None
        if any(e["type"] == "model_type" and not e["loc"] for e in exc.errors()):
            raise InvalidInput("the request body must be a JSON object") from None
        raise InvalidInput(
            "the request has invalid fields", _details(exc), code="validation_failed"
        ) from None


def raw_body(request: Any) -> bytes:
    """The body as sent (Chalice gives bytes; text only from its local test client)."""
    raw = request.raw_body or b""
    return raw if isinstance(raw, bytes) else raw.encode()


def query(request: Any) -> dict[str, str]:
    """The query string's parameters (a repeated one: its last value, as Chalice gives)."""
    return dict(request.query_params or {})


def parse_query(request: Any, model: type[M]) -> M:
    """Validate the query string against a model (numbers parsed, bounds checked):
    a missing or bad parameter is a 400 naming it."""
    try:
        return model.model_validate(query(request))
    except ValidationError as exc:
        raise InvalidInput(
            "the query has missing or invalid parameters", _details(exc), code="validation_failed"
        ) from None


def cookie(request: Any, name: str) -> str | None:
    """One cookie the browser sent (None when absent, empty or unreadable)."""
    from http.cookies import CookieError, SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load((request.headers or {}).get("cookie", ""))
    except CookieError:
        return None
    found = jar.get(name)
    return found.value if found and found.value else None


def source_ip(request: Any) -> str:
    """The caller's address as API Gateway saw it (not a header a client can forge)."""
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


INTERNAL = "something went wrong on our side; please retry"
ErrorShape = Callable[[Any, KawalError], Response]
_SHAPES: dict[str, ErrorShape] = {}


class HttpError(KawalError):
    """An error whose status is known only when it happens (Chalice's own, a crash)."""

    def __init__(self, status: int, message: str, code: str):
        super().__init__(message, code=code)
        self.status = status


def error_shape(prefix: str, shape: ErrorShape) -> None:
    """Paths under ``prefix`` answer errors in another shape (Open311's, say)."""
    _SHAPES[prefix] = shape


def render_error(request: Any, error: KawalError) -> Response:
    path = str(getattr(request, "path", "") or "")
    shape = next((s for prefix, s in _SHAPES.items() if path.startswith(prefix)), None)
    return shape(request, error) if shape else error_response(error)


def route(
    bp: Any, path: str, *, methods: list[str], doc: dict[str, Any] | None = None, **options: Any
) -> Callable[[Callable], Callable]:
    """``bp.route`` whose view renders our errors (Chalice would turn any exception
    raised in a view into its own 500 before middleware could see it), and that
    enters the route in the published contract: ``doc`` holds the models it reads
    and returns (``contract.Operation``'s fields), the summary is the docstring."""

    def register(view: Callable) -> Callable:
        fields = dict(doc or {})
        fields.setdefault("auth", ("staff",) if options.get("authorizer") else ())
        module = view.__module__.rsplit(".", 1)[-1]
        for method in methods:
            contract.register(
                contract.Operation(
                    method=method,
                    path=path,
                    summary=(view.__doc__ or view.__name__.replace("_", " ")).split("\n")[0],
                    tag=contract.TAGS.get(module, module),
                    **fields,
                )
            )

        query = fields.get("query", ())
        strict = "error_model" not in fields  # Open311 clients may send more; ignore it

        @functools.wraps(view)
        def rendered(*args: Any, **kwargs: Any) -> Any:
            try:
                contract.check_query(query, bp.current_request.query_params or {}, strict)
                return view(*args, **kwargs)
            except KawalError as exc:
                return render_error(bp.current_request, exc)

        bp.route(path, methods=methods, **options)(rendered)
        return view

    return register


def optional_body(request: Any, model: type[M]) -> M:
    """A JSON body that may be left out entirely (all its fields are optional)."""
    return parse_body(request, model) if (request.raw_body or b"").strip() else model()


def error_middleware(event: Any, get_response: Any) -> Response:
    """Every response leaves in one shape: domain errors rendered, Chalice's own
    errors (415, 405, …) rewritten, and anything unexpected logged and hidden."""
    from chalicelib.adapters import covert

    try:
        with covert.opening(None):  # closed unless the caller is cleared (authn.principal)
            response = get_response(event)
    except KawalError as exc:
        return render_error(event, exc)
    except Exception:
        log.exception("unhandled error")
        return render_error(event, HttpError(500, INTERNAL, "internal_error"))
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
        code = str(body["Code"])
        snake = "".join("_" + c.lower() if c.isupper() else c for c in code).lstrip("_")
        message = str(body.get("Message", code))
        if response.status_code >= 500:  # already logged with its traceback by Chalice
            snake, message = "internal_error", INTERNAL
        rendered = render_error(event, HttpError(response.status_code, message, snake))
        rendered.headers = {**response.headers, **rendered.headers}
        return rendered
    return response
