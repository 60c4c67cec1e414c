"""Metrics from threads at once: the local runner (``chalice local``) serves requests
on threads, and the schedule's jobs run beside them, all through one Powertools
Metrics object. ``make fuzz`` met a 500 where one request's flush iterated the metric
set while another thread added to it ("dictionary changed size during iteration")."""

from __future__ import annotations

import contextlib
import io
import sys
import threading

from chalicelib import observe


def test_requests_on_threads_record_and_flush_metrics_without_a_crash():
    observe.count("Warm")  # Powertools imported once, before the threads
    errors: list[Exception] = []

    def worker(k: int) -> None:
        def request(_event):
            for n in range(20):
                observe.count(f"Test{k}_{n}")

        for _ in range(200):
            try:
                observe.middleware(object(), request)
            except RuntimeError as exc:
                errors.append(exc)
                return

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
