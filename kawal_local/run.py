"""`make run`: moto on loopback, every resource bootstrapped, demo data seeded,
the Chalice API served on http://127.0.0.1:8000. Ctrl-C stops it all.

This process holds the embedded AWS, seeds and saves the data; the API and the event
handlers run in a second one (`kawal_local.workers`), started once the data is ready.

Environment: KAWAL_HOST (127.0.0.1), KAWAL_PORT (8000), KAWAL_AWS_PORT (4566),
KAWAL_SEED (1; 0 skips the demo data), KAWAL_REDRIVE_SECONDS (10: how often
failed notifications are retried, as the one-minute schedule does on AWS),
KAWAL_STATS_SECONDS (60: how often the statistics job runs; 15 minutes on AWS).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kawal_local import local_http
from kawal_local.token import STATE

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def configure_local_aws(host: str, aws_port: int) -> None:
    """Point every boto3 client at the embedded AWS; dummy credentials never leave the machine."""
    os.environ["AWS_ENDPOINT_URL"] = f"http://{host}:{aws_port}"
    os.environ["AWS_ACCESS_KEY_ID"] = "local"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "local"
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-3")
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"]
    os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"


def banner(
    host: str, port: int, aws_port: int, seeded: list, staff: list, open311_key: str = ""
) -> str:
    from kawal_local.seed import DEMO_TEMPORARY_PASSWORD, DEMO_TOTP_SECRET, NEW_MEMBER

    base = f"http://{host}:{port}"
    lines = [
        "",
        f"Kawal is running: API {base}  ·  embedded AWS (moto) http://{host}:{aws_port}",
        "",
        "Open in a browser (a phone-sized window suits the apps):",
        f"  citizens' app (Lapor)     {base}/lapor/",
        f"  squads' app (Tim)         {base}/tim/   (sign in as tim-orange)",
        f"  command centre            {base}/command-centre   (sign in as komando)",
        f"  a report's follow page    {base}/r/<code>          (the link in the SMS)",
        f"  public works (Proyek)     {base}/proyek/",
        f"  proposals (Usul)          {base}/lapor/usul   (Bappeda: docs/usulan.md)",
        "",
        "Try the API:",
        f"  curl -s {base}/labels | head -c 400; echo",
        f"  curl -s -X POST {base}/reports -H 'Content-Type: application/json' \\",
        '    -d \'{"client_report_id": "6f1c2a1e-6a41-4d4e-9a7c-2f5b1f0c9d11",',
        '         "label": "jalan_rusak", "lat": -8.05, "lon": 111.71, "district": "trenggalek",',
        '         "description": "Jalan berlubang di depan pasar"}\'',
        f"  curl -s {base}/reports/<id or code from the answer>",
    ]
    if seeded:
        lines += ["", "Demo reports:"]
        lines += [f"  {code}  {base}/reports/{rid}  ({label})" for rid, code, label in seeded]
    lines += ["", "Staff accounts (password Kawal-demo-2026):"]
    lines += [f"  {user:<12} {about}" for user, _, about in staff]
    lines += [
        "  komando and operator also need an authenticator app's code (Google Authenticator,",
        f"  Aegis…): add the key {DEMO_TOTP_SECRET} (time-based, 6 digits)",
        f"  {NEW_MEMBER:<12} new orange squad member: temporary password {DEMO_TEMPORARY_PASSWORD}",
        "               (the first sign-in in /tim/ asks them to choose their own)",
        "  operator resets a squad member's password in /tim/ (Akun tim)",
    ]
    lines += [
        "  a token for one:  TOKEN=$(make -s token USER=komando)",
        f'  curl -s {base}/squads/orange/subscriptions -H "Authorization: Bearer $TOKEN"',
    ]
    if open311_key:
        lines += [
            "",
            f"Open311 GeoReport v2: {base}/open311/v2/services.json  (and .xml)",
            f"  demo api_key: {open311_key}",
            f"  curl -s {base}/open311/v2/requests.json -d api_key={open311_key} \\",
            "    -d service_code=jalan_rusak -d lat=-8.05 -d long=111.71 -d description=Berlubang",
        ]
    lines += ["", "Ctrl-C stops everything.", ""]
    return "\n".join(lines)


STREAM_RETENTION = timedelta(hours=float(os.environ.get("KAWAL_STREAM_RETENTION_HOURS", "24")))
SAVE_SECONDS = float(os.environ.get("KAWAL_SAVE_SECONDS", "300"))
FREE_MEMORY_SECONDS = 60.0


def save(where: Path, moto: Any) -> dict[str, int]:
    from chalicelib import config
    from kawal_local import persist

    items = moto.table_items(config.table_name())
    return persist.save(where, persist.topics(), items)


def in_process(work: Any) -> Any:
    """Run ``work`` with boto3 answered by the embedded AWS's backends in this very
    process (moto's decorator mode, started without a reset and stopped without
    removing data): the same data the server serves, without an HTTP round trip
    per call. Only while nothing else talks to the server (before it is ready)."""
    from moto import mock_aws

    from chalicelib.adapters import aws

    endpoint = os.environ.pop("AWS_ENDPOINT_URL")
    aws.reset()
    mock = mock_aws()
    mock.start(reset=False)
    try:
        return work()
    finally:
        mock.stop(remove_data=False)
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        aws.reset()


def seed_history_quietly(moto: Any, days: int) -> None:
    """The seeded weeks, filed and followed up long ago: their notifications are not
    sent now (the stream records go), and the statistics are computed before the
    command centre is opened."""
    from chalicelib.entry import events
    from kawal_local import pump
    from kawal_local.embedded_aws import trim_streams
    from kawal_local.history import seed_history

    print(f"seeding {days} days of history (KAWAL_SEED_DAYS; 0 = only the demo)…", flush=True)

    # the seeded weeks' stream records go day by day: kept, a year of them would hold
    # a copy of every item written (moto keeps stream records in memory)
    def forget_stream() -> None:
        trim_streams(timedelta(0), datetime.now(UTC))

    done = in_process(lambda: seed_history(days, every_day=forget_stream))
    moto.trim_streams(timedelta(0), until=datetime.now(UTC))
    started = time.monotonic()
    in_process(lambda: events.compute_stats(pump.scheduled_event(), None))
    print(
        f"seeded {done.reports} reports and {done.steps} follow-up steps in {done.seconds} s; "
        f"statistics in {time.monotonic() - started:.1f} s",
        flush=True,
    )


def main() -> int:
    from kawal_local.process_memory import fewer_arenas, give_back_free_memory

    fewer_arenas()  # before any thread; the API's process inherits it through os.environ
    host = os.environ.get("KAWAL_HOST", "127.0.0.1")
    port = int(os.environ.get("KAWAL_PORT", "8000"))
    aws_port = int(os.environ.get("KAWAL_AWS_PORT", "4566"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("werkzeug", "botocore", "moto"):  # the embedded AWS's own request log
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for p in (port, aws_port):
        if not _port_free(host, p):
            print(f"port {host}:{p} is in use; set KAWAL_PORT / KAWAL_AWS_PORT", file=sys.stderr)
            return 2

    configure_local_aws(host, aws_port)
    os.environ.setdefault("PUBLIC_BASE_URL", local_http.public_base_url(host, port))
    from kawal_local.embedded_aws import EmbeddedAws

    moto = EmbeddedAws(ip_address=host, port=aws_port, verbose=False)
    moto.start()
    try:
        sys.path.insert(0, str(PROJECT_DIR))
        from chalice.cli.factory import CLIFactory

        factory = CLIFactory(str(PROJECT_DIR), environ=os.environ)
        # The stage's environment variables, as `chalice local` exports them (the
        # seeding needs them; app.py itself is loaded only by the API's process).
        stage = factory.create_config_obj(chalice_stage_name="dev")
        os.environ.update(stage.environment_variables)

        from kawal_deploy import resources
        from kawal_local import persist
        from kawal_local.seed import (
            seed_demo_reports,
            seed_demo_staff,
            seed_open311_key,
            start_statistics,
        )

        made = resources.bootstrap()
        # What `chalice deploy` would read from the stage config, known only now.
        os.environ["COGNITO_USER_POOL_ID"] = made["cognito_user_pool_id"]
        os.environ["COGNITO_CLIENT_ID"] = made["cognito_client_id"]
        os.environ["TABLE_STREAM_ARN"] = made["table_stream_arn"]
        staff = seed_demo_staff(made["cognito_user_pool_id"])
        open311_key = seed_open311_key()
        shared = ("AWS_", "COGNITO_", "TABLE_", "BUCKET_", "SQUAD_", "KAWAL_STAGE")
        env = {k: v for k, v in os.environ.items() if k.startswith(shared)}
        STATE.write_text(json.dumps({"env": env, "open311_api_key": open311_key}, indent=1))
        seeded: list = []
        where = persist.data_dir()
        restored = bool(where and persist.has_snapshot(where))
        if restored:
            persist.restore(where)
            # what was restored was dispatched before the restart: not again
            moto.trim_streams(timedelta(0), until=datetime.now(UTC) + timedelta(minutes=1))
        elif os.environ.get("KAWAL_SEED", "1") != "0":
            # moto as released slows with every report stored: the demo reports only
            from kawal_local.moto_speed import stock_moto

            days = int(os.environ.get("KAWAL_SEED_DAYS", "0" if stock_moto() else "60"))
            start_statistics(days)  # a new world: nothing older than its history
            if days > 0:
                seed_history_quietly(moto, days)
                from kawal_local.projects_seed import seed_projects

                seed_projects()  # a year of public works, with the history (docs/projects.md)
            seeded = seed_demo_reports()
            from kawal_local.seed_proposals import seed_proposals

            seed_proposals()
        else:
            start_statistics(0)  # a new, empty world

        from kawal_local import pump, workers

        stop = threading.Event()
        # Handlers first: a Ctrl-C the moment /health answers must still stop cleanly.
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        # The API and the event handlers in their own process (their Python work and
        # moto's no longer share one interpreter lock); it prints the banner once
        # it serves, and every message the squads receive.
        feed = {
            "host": host, "port": port, "parent": os.getpid(),
            "uploads_queue": made["uploads_queue"],
            "inbound_sms_topic": made["topics"]["inbound-sms"],
            "banner": banner(host, port, aws_port, seeded, staff, open311_key),
        }  # fmt: skip
        served = subprocess.Popen(
            [sys.executable, "-m", "kawal_local.workers"],
            cwd=PROJECT_DIR,
            env={**os.environ, workers.FEED: json.dumps(feed)},
        )
        threads = [
            # DynamoDB keeps stream records 24 hours; moto would keep them forever
            pump.Loop("stream-trim", 600, lambda: moto.trim_streams(STREAM_RETENTION), stop),
            # what the call threads freed goes back to the system (the runner's memory
            # would otherwise creep up by what glibc keeps for them)
            pump.Loop("free-memory", FREE_MEMORY_SECONDS, give_back_free_memory, stop),
        ]
        if where:  # a crash loses at most a few minutes of a trial
            threads.append(pump.Loop("save", SAVE_SECONDS, lambda: save(where, moto), stop))
        for t in threads:
            t.start()
        while not stop.wait(0.5) and served.poll() is None:
            pass
        print("stopping…", flush=True)
        served.send_signal(signal.SIGINT)
        try:
            served.wait(15)
        except subprocess.TimeoutExpired:
            served.kill()
        stop.set()
        for t in threads:
            t.join(timeout=5)
        if where:
            print(f"data kept in {where}: {save(where, moto)}", flush=True)
    finally:
        moto.stop()
        STATE.unlink(missing_ok=True)
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
