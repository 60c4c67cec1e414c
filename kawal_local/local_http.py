"""The local HTTP front: ``chalice local``'s server, answering every method.

Python's http.server answers a method it has no ``do_<METHOD>`` for (TRACE, QUERY,
anything) with its own 501 HTML page, before Chalice sees the request. API Gateway
hands every method to the API, which answers 405 in Kawal's error shape; so here.
"""

from __future__ import annotations

import threading
from typing import Any

from chalice.local import ChaliceRequestHandler


def request_state_per_thread(app: Any) -> None:
    """Chalice keeps the request being served on the app (``app.current_request``):
    right on Lambda, where a process serves one request at a time, and a race under
    ``chalice local``'s threads, where one request could read another's (path,
    headers, identity). Locally, each serving thread gets its own."""
    state = threading.local()

    def slot(name: str) -> property:
        return property(
            lambda _self: getattr(state, name, None),
            lambda _self, value: setattr(state, name, value),
        )

    app.__class__ = type(
        "PerThreadChalice",
        (type(app),),
        {"current_request": slot("request"), "lambda_context": slot("context")},
    )


# As API Gateway does with the stage's minimum_compression_size (.chalice/config.json).
MINIMUM_COMPRESSION_SIZE = 1024


class AnyMethodRequestHandler(ChaliceRequestHandler):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    def _send_http_response_with_body(self, code: int, headers: Any, body: Any) -> None:
        """gzip what a client accepts it for, from the same size up as API Gateway."""
        import gzip

        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        accepts = "gzip" in (self.headers.get("Accept-Encoding") or "")
        if accepts and len(raw) >= MINIMUM_COMPRESSION_SIZE and "Content-Encoding" not in headers:
            raw = gzip.compress(raw, 6)
            headers = {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        super()._send_http_response_with_body(code, headers, raw)


def local_server(app: Any, chalice_config: Any, host: str, port: int) -> Any:
    from chalice.local import LocalDevServer

    return LocalDevServer(app, chalice_config, host, port, handler_cls=AnyMethodRequestHandler)


def public_base_url(host: str, port: int) -> str:
    """Where SMS/email links, Open311's discovery and media links point locally: the
    port the API really listens on, unless PUBLIC_BASE_URL says otherwise."""
    return f"http://{host}:{port}"
