"""Logs are JSON with a correlation id per request and per report; metrics leave
as CloudWatch embedded-metric documents in the same log stream."""

from __future__ import annotations

import json

from chalicelib.entry import events
from kawal_local.pump import StreamReader, drain

from .helpers import post_json, report_body
from .test_dispatch import subscribe_queue


def lines(captured: str) -> list[dict]:
    out = []
    for line in captured.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def metrics_of(documents: list[dict]) -> dict[str, list[tuple[float, dict]]]:
    """Metric name -> [(value, dimensions)] from EMF documents."""
    found: dict[str, list] = {}
    for doc in documents:
        for directive in doc.get("_aws", {}).get("CloudWatchMetrics", []):
            assert directive["Namespace"] == "Kawal"
            dims = {d: doc[d] for group in directive["Dimensions"] for d in group}
            for metric in directive["Metrics"]:
                value = doc[metric["Name"]]
                total = sum(value) if isinstance(value, list) else value
                found.setdefault(metric["Name"], []).append((total, dims))
    return found


def test_a_report_is_counted_for_its_squad_and_its_logs_carry_ids(client, aws, capsys):
    from chalicelib import config

    subscribe_queue(aws, "orange", "obs-orange")
    capsys.readouterr()
    created = post_json(client, "/reports", report_body()).json_body
    submitted = lines(capsys.readouterr().out)
    assert metrics_of(submitted)["ReportsReceived"] == [(1.0, {"squad": "orange"})]

    drain(StreamReader(config.table_name()), events.dispatch_stream)
    out = capsys.readouterr().out
    assert all(line.startswith("{") for line in out.splitlines() if line.strip()), out  # JSON only
    dispatched = lines(out)
    sent = metrics_of(dispatched)["NotificationsSent"]
    assert (1.0, {"audience": "squad"}) in sent
    logged = [d for d in dispatched if "message" in d and "sent to" in str(d["message"])]
    assert logged and all(d["level"] == "INFO" and d["correlation_id"] for d in logged)
    assert created["id"] in json.dumps(dispatched)


def test_covert_reports_are_counted_without_naming_the_squad(client, aws, capsys):
    capsys.readouterr()
    post_json(client, "/reports", report_body(label="pungutan_liar"))
    ((_value, dims),) = metrics_of(lines(capsys.readouterr().out))["ReportsReceived"]
    assert dims["squad"] == "covert" and "shadow" not in json.dumps(dims)
