"""What one report costs in AWS calls, counted from the code, and the monthly bill
that follows for 1,000 and 100,000 reports a month.

    .venv/bin/python bench/costs.py

A report's life runs in-process on moto through the real handlers, with every
boto3 call recorded (the failure-injection hook, never failing here): filed with
a photo and a phone that asked for updates, dispatched, photo processed, claimed,
worked, resolved with an after-photo, each step dispatched; plus the statistics job
and the schedules, whose cost is per run, not per report. DynamoDB units are
counted per item (a transaction's item costs two), reads as one unit a call
(items are small: eventually consistent reads of < 4 KB are half a unit, so this
overstates). Prices: stated below, USD, ap-southeast-3 (Jakarta) list prices of
November 2026 as best known; check the regional pricing pages before relying on them.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRICE = {
    "api_request": 4.25 / 1e6,  # API Gateway REST, per request
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_s": 0.0000166667,
    "ddb_write_unit": 1.4375 / 1e6,  # on-demand
    "ddb_read_unit": 0.2875 / 1e6,
    "ddb_storage_gb": 0.2875,
    "s3_put": 0.0054 / 1000,
    "s3_get": 0.00043 / 1000,
    "s3_storage_gb": 0.025,
    "sns_publish": 0.50 / 1e6,
    "sms_segment_id": 0.0329,  # SNS transactional SMS to Indonesia, per segment
    "kms_request": 0.03 / 10000,
    "kms_key_month": 1.0,
}
WRITE_UNITS = {"PutItem": 1, "UpdateItem": 1, "DeleteItem": 1}
READS = {"GetItem", "Query", "Scan"}


def units(calls: list[tuple[str, str, dict]]) -> Counter:
    out: Counter = Counter()
    for service, operation, params in calls:
        if service == "dynamodb":
            if operation == "TransactWriteItems":
                out["ddb_write_unit"] += 2 * len(params.get("TransactItems", []))
            elif operation == "BatchWriteItem":
                out["ddb_write_unit"] += sum(
                    len(v) for v in params.get("RequestItems", {}).values()
                )
            elif operation in WRITE_UNITS:
                out["ddb_write_unit"] += WRITE_UNITS[operation]
            elif operation in READS:
                out["ddb_read_unit"] += 1
        elif service == "s3":
            out["s3_put" if operation == "PutObject" else "s3_get"] += 1
        elif service == "sns" and operation == "Publish":
            out["sns_publish"] += 1
            if "PhoneNumber" in params:
                out["sms_segment_id"] += 1
        elif service == "kms":
            out["kms_request"] += 1
    return out


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict]] = []

    def hook(self, client):
        if not getattr(client, "_kawal_recorded", False):
            # the call's own parameters, before botocore serialises them
            client.meta.events.register("before-parameter-build", self._record)
            client._kawal_recorded = True
        return client

    def _record(self, model, params, **_):
        self.calls.append((model.service_model.signing_name, model.name, dict(params)))


def life_of_a_report() -> tuple[dict[str, list], float]:
    """The calls of each step of one report's life; and the wall time of the API call."""
    import base64

    from chalice.test import Client
    from moto import mock_aws

    from chalicelib import bootstrap, config
    from chalicelib.adapters import aws
    from chalicelib.domain.principals import Principal
    from chalicelib.entry import events
    from chalicelib.storage import ReportStore
    from kawal_deploy import resources
    from kawal_local.pump import StreamReader, drain, scheduled_event
    from tests.support.images import camera_jpeg

    os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                      AWS_DEFAULT_REGION="ap-southeast-3", AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled")  # fmt: skip
    stage = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["dev"]
    os.environ.update(stage["environment_variables"])
    steps: dict[str, list] = {}
    with mock_aws():
        aws.reset()
        made = resources.bootstrap()
        os.environ.update(COGNITO_USER_POOL_ID=made["cognito_user_pool_id"],
                          COGNITO_CLIENT_ID=made["cognito_client_id"])  # fmt: skip
        recorder = Recorder()
        real = aws.client
        aws.client = lambda service: recorder.hook(real(service))
        from app import app

        reader = StreamReader(config.table_name())
        store = ReportStore()
        squad = Principal("squad", "tim-orange", "orange")

        def step(name, action):
            recorder.calls = []
            action()
            steps[name] = [
                c
                for c in recorder.calls
                if c[1] not in ("DescribeStream", "GetShardIterator", "GetRecords")
            ]

        photo = base64.b64encode(camera_jpeg(1600, 1200)).decode()
        body = {"label": "jalan_rusak", "lat": -8.05, "lon": 111.71, "district": "trenggalek",
                "contact": {"phone": "081234567890", "notify": True},
                "photo": {"content_type": "image/jpeg", "data_base64": photo}}  # fmt: skip
        report = {}
        with Client(app, stage_name="dev", project_dir=str(ROOT)) as client:

            def submit():
                started = time.perf_counter()
                answer = client.http.post("/reports", headers={"Content-Type": "application/json"},
                                          body=json.dumps(body))  # fmt: skip
                report["ms"] = (time.perf_counter() - started) * 1000
                report.update(answer.json_body)

            step("file a report with a photo (API)", submit)
        step("dispatch: new report to the squad", lambda: drain(reader, events.dispatch_stream))
        from tests.integration.workflow_helpers import process_uploads

        class _Aws:
            client = staticmethod(aws.client)

        step("process the photo", lambda: process_uploads(_Aws))
        workflow = bootstrap.workflow(store)
        for action in ("claim", "progress"):
            step(f"{action} (API)", lambda a=action: workflow.staff_action(report["id"], a, squad))
            step(f"dispatch: {action}", lambda: drain(reader, events.dispatch_stream))
        step("stats job, one run", lambda: events.compute_stats(scheduled_event(), None))
        step(
            "redrive schedule, one run",
            lambda: events.redrive_notifications(scheduled_event(), None),
        )
        step("housekeeping schedule, one run", lambda: events.housekeeping(scheduled_event(), None))
        aws.client = real
    return steps, report.get("ms", 0.0)


def main() -> int:
    steps, submit_ms = life_of_a_report()
    print("\nAWS calls per step of one report's life (counted on moto through the real handlers)\n")
    print("| step | AWS calls | DynamoDB write units | read calls | S3 | SNS publish | SMS | KMS |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    per_report: Counter = Counter()
    per_run: dict[str, Counter] = {}
    for name, calls in steps.items():
        u = units(calls)
        if "one run" in name:
            per_run[name] = u
        else:
            per_report.update(u)
        print(f"| {name} | {len(calls)} | {u['ddb_write_unit']} | {u['ddb_read_unit']} | "
              f"{u['s3_put'] + u['s3_get']} | {u['sns_publish']} | {u['sms_segment_id']} | {u['kms_request']} |")  # fmt: skip
    # A report's remaining steps (resolve + after-photo, the citizen's view) cost about
    # what claim + photo cost again: counted as such.
    per_report = per_report + units(
        steps["claim (API)"] + steps["dispatch: claim"] + steps["process the photo"]
    )
    api_calls = 6  # file, photo slot/view, claim, progress, after-photo slot, resolve
    runs = {"stats": 30 * 24 * 60 / 15, "redrive": 30 * 24 * 60, "housekeeping": 30 * 24 * 4}
    print(
        "\nmonthly bill, USD (prices in the docstring; storage: 2 MB of photos and 5 KB of items a report, kept a year)\n"
    )
    print("| item | 1,000 reports/month | 100,000 reports/month |")
    print("| --- | ---: | ---: |")
    totals = {1000: 0.0, 100_000: 0.0}
    rows: list[tuple[str, dict[int, float]]] = []

    def add(label: str, per_month) -> None:
        values = {n: per_month(n) for n in totals}
        for n, v in values.items():
            totals[n] += v
        rows.append((label, values))

    add("API Gateway requests", lambda n: n * api_calls * PRICE["api_request"])
    # Lambda: measured on moto's in-process handler as an upper bound of the API's time
    gb_s = lambda n: n * (api_calls * 0.512 * max(submit_ms, 100) / 1000 + 1.536 * 2 * 0.4)  # noqa: E731
    add(
        "Lambda GB-seconds and requests",
        lambda n: gb_s(n) * PRICE["lambda_gb_s"] + n * 12 * PRICE["lambda_request"],
    )
    add(
        "DynamoDB writes and reads",
        lambda n: (
            n
            * (
                per_report["ddb_write_unit"] * PRICE["ddb_write_unit"]
                + per_report["ddb_read_unit"] * PRICE["ddb_read_unit"]
            )
        ),
    )
    schedule_runs = {"stats job, one run": runs["stats"], "redrive schedule, one run": runs["redrive"],
                     "housekeeping schedule, one run": runs["housekeeping"]}  # fmt: skip
    schedule_cost = sum(
        count * (per_run[name]["ddb_read_unit"] * PRICE["ddb_read_unit"]
                 + per_run[name]["ddb_write_unit"] * PRICE["ddb_write_unit"] + PRICE["lambda_request"])
        for name, count in schedule_runs.items()
    )  # fmt: skip
    add(
        "schedules (stats every 15 min, redrive every minute, housekeeping)",
        lambda _n: schedule_cost,
    )
    add(
        "DynamoDB and S3 storage",
        lambda n: n * 12 * (5e-6 * PRICE["ddb_storage_gb"] + 2e-3 * PRICE["s3_storage_gb"]),
    )
    add(
        "S3 requests",
        lambda n: (
            n
            * (per_report["s3_put"] * PRICE["s3_put"] + per_report["s3_get"] * PRICE["s3_get"] * 5)
        ),
    )
    add("SNS publishes", lambda n: n * per_report["sns_publish"] * PRICE["sns_publish"])
    add(
        "SMS to squads (3 phones a squad) and reporters (half opt in)",
        lambda n: n * (3 + 0.5 * per_report["sms_segment_id"]) * PRICE["sms_segment_id"],
    )
    add(
        "KMS (one key, requests)",
        lambda n: PRICE["kms_key_month"] + n * per_report["kms_request"] * PRICE["kms_request"],
    )
    for label, values in rows:
        print(f"| {label} | {values[1000]:.2f} | {values[100_000]:.2f} |")
    print(f"| **total** | **{totals[1000]:.2f}** | **{totals[100_000]:.2f}** |")
    sms_before = {n: v for n, v in rows[-2][1].items()}  # the SMS row: what the channels replace
    channels(per_report, sms_before, {n: totals[n] for n in totals})
    return 0


# -- the people's channels: before (SMS only) and after (push, WhatsApp, SMS fallback) --

CHANNEL_PRICE = {
    "sms": PRICE["sms_segment_id"],
    # Meta's per-message price for a utility template to Indonesia (July 2025 rate card,
    # as best known); replies within the 24-hour window the person opened are free
    "whatsapp_utility": 0.0250,
    "push": 0.0,  # browsers' push services charge nothing
    "ses_email": 0.10 / 1000,
    "secret_month": 0.40,  # Secrets Manager: the WhatsApp secret
}
# How people reach Kawal after this change (a stated assumption, not a measurement):
# the app on most phones, WhatsApp for many, SMS for phones without either.
SOURCE_MIX = {"app": 0.6, "whatsapp": 0.3, "sms": 0.1}
OPT_IN = 0.5  # reporters who ask for updates (as before)
SQUAD_PHONES = 3  # SMS phones per squad before; after, one on-duty phone keeps urgent SMS


def urgent_share() -> float:
    """The share of reports whose label is urgent, over the seeded history's mix of
    squads (each squad's labels equally likely)."""
    from chalicelib.routing import load_catalogue
    from kawal_local.history_cast import SQUAD_WEIGHT

    catalogue = load_catalogue()
    total = sum(SQUAD_WEIGHT.values())
    share = 0.0
    for squad, weight in SQUAD_WEIGHT.items():
        labels = [label for label in catalogue.labels if label.squad == squad]
        urgent = sum(label.priority == "urgent" for label in labels) / len(labels)
        share += weight / total * urgent
    return share


def channels(per_report: Counter, sms_before: dict[int, float], totals: dict[int, float]) -> None:
    urgent = urgent_share()
    updates = per_report["sms_segment_id"]  # reporter updates a report causes (accepted, resolved)
    sms, wa = CHANNEL_PRICE["sms"], CHANNEL_PRICE["whatsapp_utility"]
    rows = [
        ("squads: web push to every member's phone at once", lambda n: n * 0.0),
        (f"squads: SMS to the on-duty phone for urgent reports ({urgent:.0%} of them)",
         lambda n: n * urgent * 1 * sms),
        ("squads: the morning digest by email (7 squads, 30 mornings)",
         lambda _n: 7 * 30 * 3 * CHANNEL_PRICE["ses_email"]),
        ("reporters by app: web push", lambda n: 0.0 * n),
        # the conversation's replies are free (the person opened the 24-hour window);
        # every later update goes as a utility template (the window is not yet tracked)
        ("reporters by WhatsApp: replies free, each update a utility template",
         lambda n: n * SOURCE_MIX["whatsapp"] * OPT_IN * updates * wa
         + CHANNEL_PRICE["secret_month"]),
        ("reporters by SMS: the code back, and updates (half opt in)",
         lambda n: n * SOURCE_MIX["sms"] * (1 + OPT_IN * updates) * sms),
    ]  # fmt: skip
    print("\nmessages to people, USD a month: before, every message by SMS (the row above); "
          f"after, by channel (reports come {SOURCE_MIX['app']:.0%} by app, "
          f"{SOURCE_MIX['whatsapp']:.0%} by WhatsApp, {SOURCE_MIX['sms']:.0%} by SMS)\n")  # fmt: skip
    print("| item | 1,000 reports/month | 100,000 reports/month |")
    print("| --- | ---: | ---: |")
    after = {n: 0.0 for n in sms_before}
    for label, cost in rows:
        values = {n: cost(n) for n in sms_before}
        for n in after:
            after[n] += values[n]
        print(f"| {label} | {values[1000]:.2f} | {values[100_000]:.2f} |")
    print(f"| **messages after** | **{after[1000]:.2f}** | **{after[100_000]:.2f}** |")
    print(f"| messages before (all SMS) | {sms_before[1000]:.2f} | {sms_before[100_000]:.2f} |")
    whole = {n: totals[n] - sms_before[n] + after[n] for n in totals}
    print(f"| **whole bill after** (before: {totals[1000]:.2f} / {totals[100_000]:.2f}) | "
          f"**{whole[1000]:.2f}** | **{whole[100_000]:.2f}** |")  # fmt: skip
    print(f"| **lower by** | **{totals[1000] / whole[1000]:.1f}×** | "
          f"**{totals[100_000] / whole[100_000]:.1f}×** |")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
