"""The API and the event handlers of `make run`, in a process of their own.

`kawal_local.run` keeps the embedded AWS (moto) in its process and starts this one
once the data is ready: the API's and the pump's Python work then no longer waits
for moto's on one interpreter lock (two cores, two processes). It is fed by the
runner through the environment: the AWS endpoint, the stage's settings, and
``KAWAL_WORKERS`` (the uploads queue, the inbound-SMS topic, the banner to print).
It stops on SIGINT/SIGTERM, or when the runner that started it is gone.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from kawal_local import local_http

PROJECT_DIR = Path(__file__).resolve().parent.parent
FEED = "KAWAL_WORKERS"


def _loops(feed: dict[str, Any], stop: threading.Event) -> list[threading.Thread]:
    from chalicelib.entry import events
    from kawal_local import pump
    from kawal_local.process_memory import give_back_free_memory

    def every(name: str, seconds: float, work: Any) -> pump.Loop:
        return pump.Loop(name, seconds, work, stop)

    def scheduled(handler: Any) -> Any:
        return lambda: handler(pump.scheduled_event(), None)

    inbox = pump.ensure_inbox()
    say = pump.inbox_printer(inbox, lambda text: print(text, flush=True))
    reader = pump.StreamReader(os.environ["TABLE_NAME"])
    pump.drain(reader, events.dispatch_stream)  # the demo reports reach their squads
    say()
    uploads = pump.queue_feeder(feed["uploads_queue"], events.process_uploads)
    while uploads():  # demo photos, if any, are processed before we say "ready"
        pass
    # each run rewrites the open windows' views (~200 KB with a year of data), and
    # their stream records stay 24 hours: every 20 s that was ~80 MB an hour
    stats_every = float(os.environ.get("KAWAL_STATS_SECONDS", "60"))
    redrive_every = float(os.environ.get("KAWAL_REDRIVE_SECONDS", "10"))
    return [
        # every batch there is, then a pause: a backlog is worked off without waiting
        every("stream", 0.25, lambda: pump.drain(reader, events.dispatch_stream)),
        every("uploads", 0.2, uploads),
        every("inbound-sms", 0.5, pump.sns_feeder(feed["inbound_sms_topic"], events.inbound_sms)),
        every("stats", stats_every, scheduled(events.compute_stats)),
        every("housekeeping", 60, scheduled(events.housekeeping)),
        every("redrive", redrive_every, scheduled(events.redrive_notifications)),
        every("inbox", 0.1, say),
        # what the request threads freed goes back to the system (+18 MB in 15
        # minutes of load without it, 1.5 MB of it Python's)
        every("free-memory", 60, give_back_free_memory),
    ]


def _orphaned(parent: int, stop: threading.Event) -> None:
    """Stop when the runner is gone (killed, not asked): nothing is left serving."""
    while not stop.wait(1):
        if os.getppid() != parent:
            stop.set()


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("werkzeug", "botocore", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    feed = json.loads(os.environ.pop(FEED))
    host, port = feed["host"], int(feed["port"])
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=_orphaned, args=(feed["parent"], stop), daemon=True).start()

    sys.path.insert(0, str(PROJECT_DIR))
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(str(PROJECT_DIR), environ=os.environ)
    chalice_config = factory.create_config_obj(chalice_stage_name="dev")
    app = chalice_config.chalice_app
    local_http.request_state_per_thread(app)

    threads = _loops(feed, stop)
    server = local_http.local_server(app, chalice_config, host, port)
    threads.insert(0, threading.Thread(target=server.serve_forever, name="api", daemon=True))
    for t in threads:
        t.start()
    print(feed["banner"], flush=True)
    while not stop.wait(0.5):  # a timed wait lets the signal handler run promptly
        pass
    server.shutdown()
    for t in threads:
        t.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
