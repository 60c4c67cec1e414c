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
from datetime import UTC, datetime, timedelta
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


def trim_streams(max_age: timedelta, now: datetime | None = None) -> int:
    """Drop stream records older than ``max_age`` from every table, as DynamoDB does
    after 24 hours (moto keeps them forever: memory grows with every write). The
    sequence numbers of the records kept do not change. Returns how many went."""
    from moto.dynamodb.models import dynamodb_backends

    cutoff = (now or datetime.now(UTC)) - max_age
    dropped = 0
    for regions in dynamodb_backends.values():
        for backend in regions.values():
            for table in backend.tables.values():
                shard = getattr(table, "stream_shard", None)
                if shard is None:
                    continue
                old = 0
                for record in shard.items:
                    created = record.record["dynamodb"]["ApproximateCreationDateTime"]
                    if created.tzinfo is None:
                        created = created.replace(tzinfo=UTC)
                    if created >= cutoff:
                        break
                    old += 1
                if old:
                    del shard.items[:old]
                    shard.starting_sequence_number += old
                    dropped += old
    return dropped


class EmbeddedAws(ThreadedMotoServer):
    def start(self) -> None:
        from kawal_local import moto_speed

        moto_speed.install()  # no whole-table copies, no whole-table walks
        super().start()

    def trim_streams(self, max_age: timedelta, until: datetime | None = None) -> int:
        """``trim_streams`` between two calls, never during one."""
        with self._app.lock:
            return trim_streams(max_age, until)

    def _server_entry(self) -> None:
        app = self._app = _OneCallAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
