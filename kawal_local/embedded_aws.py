"""moto's server on loopback, with each AWS call made atomic.

DynamoDB serialises a conditional write or a transaction against every other
write to the same items. moto's threaded server does not: it checks conditions,
then writes, then restores a deep-copied backup on failure, so two concurrent
calls can both pass a condition. The local runner serialises requests to keep
DynamoDB's guarantees (no duplicate report from concurrent retries); nothing in
the app long-polls moto, so this costs little.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.moto_server.threaded_moto_server import MotoRequestHandler, ThreadedMotoServer
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


class _OneCallAtATime:
    def __init__(self, app: Any):
        self.app, self.lock = app, threading.Lock()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        with self.lock:
            # Materialise the body inside the lock: the response is fully computed here.
            return list(self.app(environ, start_response))


class EmbeddedAws(ThreadedMotoServer):
    def _server_entry(self) -> None:
        app = _OneCallAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
