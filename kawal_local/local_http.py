"""The local HTTP front: ``chalice local``'s server, answering every method.

Python's http.server answers a method it has no ``do_<METHOD>`` for (TRACE, QUERY,
anything) with its own 501 HTML page, before Chalice sees the request. API Gateway
hands every method to the API, which answers 405 in Kawal's error shape; so here.
"""

from __future__ import annotations

from typing import Any

from chalice.local import ChaliceRequestHandler


class AnyMethodRequestHandler(ChaliceRequestHandler):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)


def local_server(app: Any, chalice_config: Any, host: str, port: int) -> Any:
    from chalice.local import LocalDevServer

    return LocalDevServer(app, chalice_config, host, port, handler_cls=AnyMethodRequestHandler)


def public_base_url(host: str, port: int) -> str:
    """Where SMS/email links, Open311's discovery and media links point locally: the
    port the API really listens on, unless PUBLIC_BASE_URL says otherwise."""
    return f"http://{host}:{port}"
