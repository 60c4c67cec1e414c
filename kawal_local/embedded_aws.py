"""moto's server on loopback, with each AWS call made atomic.

DynamoDB serialises a conditional write or a transaction against every other
write to the same items. moto's threaded server does not: it checks conditions,
then writes, then restores a deep-copied backup on failure, so two concurrent
calls can both pass a condition. The local runner serialises the calls of each
group of services that share state (DynamoDB with its streams; SNS, SQS and S3,
which deliver to each other; every other service alone) to keep DynamoDB's
guarantees (no duplicate report from concurrent retries), while a call to one
group never waits for another: the event pump's SNS publishes and the API's KMS
and Cognito calls no longer queue behind DynamoDB writes. ``KAWAL_AWS_LOCK=global``
puts every call behind one lock, as before (the bench's baseline).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.moto_server.threaded_moto_server import MotoRequestHandler, ThreadedMotoServer
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

# Services whose moto backends reach into each other's state share a lock.
GROUPS = {"dynamodbstreams": "dynamodb", "sqs": "messaging", "sns": "messaging",
          "s3": "messaging", "ses": "messaging"}  # fmt: skip
_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/[^/]+/([a-z0-9-]+)/aws4_request")
_QUERY_SCOPE = re.compile(
    r"X-Amz-Credential=[^&]*?(?:/|%2F)\d{8}(?:/|%2F)[^/&%]+(?:/|%2F)([a-z0-9-]+)"
)


def service_of(environ: dict) -> str:
    """The AWS service a request is for, from its signature's credential scope; an
    unsigned one is a browser's form POST (or presigned read) to the bucket."""
    found = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", "")) or _QUERY_SCOPE.search(
        environ.get("QUERY_STRING", "")
    )
    return found.group(1) if found else "s3"


class _OneCallAtATime:
    """One call at a time per group of services (or in all, ``KAWAL_AWS_LOCK=global``)."""

    def __init__(self, app: Any):
        self.app, self._guard, self._locks = app, threading.Lock(), {}
        self.everything = os.environ.get("KAWAL_AWS_LOCK", "service") == "global"

    def lock(self, service: str) -> threading.Lock:
        group = "all" if self.everything else GROUPS.get(service, service)
        with self._guard:
            return self._locks.setdefault(group, threading.Lock())

    def __call__(self, environ: dict, start_response: Any) -> Any:
        with self.lock(service_of(environ)):
            # Materialise the body inside the lock: the response is fully computed here.
            return list(self.app(environ, start_response))


def trim_streams(max_age: timedelta, now: datetime | None = None) -> int:
    """Drop stream records older than ``max_age`` from every table, as DynamoDB does
    after 24 hours (moto keeps them forever: memory grows with every write). The
    sequence numbers of the records kept do not change. Returns how many went."""
    from moto.dynamodb.models import dynamodb_backends

    from kawal_local.moto_memory import created_at

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
                    created = created_at(record)
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


def table_items(table_name: str, lock: Any, chunk: int = 2000) -> Iterator[dict[str, Any]]:
    """Every item of a table as a Scan answers it through boto3 (binary values as
    bytes), read from moto's memory a chunk at a time under ``lock``: as with a Scan,
    each chunk is as it was when read, and calls run between chunks. A year's ~100,000
    items took 164 s of Scan pages (moto walks the whole table for each 1 MB page);
    read so, a few seconds."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.utilities import dynamo_to_dict

    with lock:
        table = next(
            (b.tables[table_name] for regions in dynamodb_backends.values()
             for b in regions.values() if table_name in b.tables),
            None,
        )  # fmt: skip
        keys = [(i.hash_key, i.range_key) for i in table.all_items()] if table else []
    for start in range(0, len(keys), chunk):
        rows = []
        with lock:
            for hash_key, range_key in keys[start : start + chunk]:
                found = table.items.get(hash_key)  # type: ignore[union-attr]
                item = found.get(range_key) if table.range_key_attr and found else found  # type: ignore[union-attr]
                if item is not None:  # deleted since the keys were listed: gone
                    rows.append(dynamo_to_dict(item.attrs))
        yield from rows


class EmbeddedAws(ThreadedMotoServer):
    def start(self) -> None:
        from kawal_local import moto_reads, moto_speed, moto_totp

        # no whole-table copies, no whole-table walks (unless KAWAL_STOCK_MOTO=1)
        if moto_speed.install():
            moto_reads.answers_computed_under_lock = True  # _OneCallAtATime below
        moto_totp.install()  # a real second factor: per-user secrets, codes checked
        super().start()

    def trim_streams(self, max_age: timedelta, until: datetime | None = None) -> int:
        """``trim_streams`` between two calls, never during one."""
        with self._app.lock("dynamodb"):
            return trim_streams(max_age, until)

    def table_items(self, table_name: str) -> Iterator[dict[str, Any]]:
        return table_items(table_name, self._app.lock("dynamodb"))

    def _server_entry(self) -> None:
        app = self._app = _OneCallAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
