"""Load run on loopback: the local runner (`make run`'s program) driven for a fixed
time by concurrent citizens, readers and squad members; then the store is checked.

    .venv/bin/python bench/load.py [--seconds 60] [--workers 8]

Mix per worker step: 55 % file a report (a fifth of them sent twice with the same
client_report_id, as a phone on a flaky network retries), 30 % read a report,
15 % a squad step (tim-orange claims one of its open reports). Baseline, in the
same run and on the same server: `GET /health` (no AWS call at all): the floor of
the local HTTP stack. Afterwards, with the event pump drained:
  * every acknowledged report exists exactly once (retries made no duplicates),
  * every one was dispatched: its squad notification is in the outbox as sent,
  * no 5xx anywhere.
Quotas are raised for the run (one loopback address would hit the per-network
limit at once); they are tested elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LABELS = ["jalan_rusak", "sampah_menumpuk", "lampu_jalan_mati", "banjir", "parkir_liar"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Runner:
    def __init__(self) -> None:
        self.port, self.aws_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.state = ROOT / ".pytest_cache" / f"load-{self.port}.json"
        self.state.parent.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            KAWAL_PORT=str(self.port),
            KAWAL_AWS_PORT=str(self.aws_port),
            KAWAL_SEED="1",
            KAWAL_SEED_DAYS=os.environ.get("KAWAL_SEED_DAYS", "0"),  # history: opt in
            KAWAL_STATE_FILE=str(self.state),
            QUOTA_REPORTS_PER_IP_HOUR="10000000",
            QUOTA_REPORTS_PER_DEVICE_HOUR="10000000",
            PYTHONUNBUFFERED="1",
        )
        self.log = open(ROOT / ".pytest_cache" / f"load-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kawal_local.run"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/health", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("the local runner did not start")

    def env(self) -> dict[str, str]:
        return json.loads(self.state.read_text())["env"]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Load:
    def __init__(self, base: str, squad_token: str) -> None:
        self.base, self.squad = base, {"Authorization": f"Bearer {squad_token}"}
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.acked: dict[str, str] = {}  # client_report_id -> report id
        self.open_orange: list[str] = []

    def _call(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        # A fresh connection per request: chalice local stalls ~40 ms on keep-alive.
        start = time.perf_counter()
        try:
            r = requests.request(method, self.base + path, timeout=30, **kwargs)
        except requests.RequestException:
            with self.lock:
                self.statuses[kind][0] += 1  # no answer at all
            return None
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            self.latency[kind].append(elapsed)
            self.statuses[kind][r.status_code] += 1
        return r

    def submit(self, rng: random.Random) -> None:
        client_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        label = rng.choice(LABELS)
        body = {
            "client_report_id": client_id,
            "label": label,
            "lat": round(-8.05 + rng.uniform(-0.05, 0.05), 6),
            "lon": round(111.71 + rng.uniform(-0.05, 0.05), 6),
            "description": "uji beban",
        }
        for _ in range(2 if rng.random() < 0.2 else 1):  # a retry with the same id
            r = self._call("submit", "POST", "/reports", json=body)
            if r is not None and r.status_code in (200, 201):
                with self.lock:
                    known = self.acked.setdefault(client_id, r.json()["id"])
                    assert known == r.json()["id"], "a retry answered with another report"
                    if r.status_code == 201 and label in (
                        "jalan_rusak",
                        "lampu_jalan_mati",
                        "banjir",
                    ):
                        self.open_orange.append(known)

    def read(self, rng: random.Random) -> None:
        with self.lock:
            ids = list(self.acked.values())
        if ids:
            self._call("read", "GET", f"/reports/{rng.choice(ids)}")

    def claim(self, rng: random.Random) -> None:
        with self.lock:
            if not self.open_orange:
                return
            report_id = self.open_orange.pop(rng.randrange(len(self.open_orange)))
        self._call("claim", "POST", f"/reports/{report_id}/claim", headers=self.squad)

    def baseline(self) -> None:
        self._call("health (baseline)", "GET", "/health")

    def worker(self, seed: int, until: float) -> None:
        rng = random.Random(seed)
        while time.monotonic() < until:
            roll = rng.random()
            if roll < 0.55:
                self.submit(rng)
            elif roll < 0.85:
                self.read(rng)
            else:
                self.claim(rng)


def scan(env: dict[str, str]) -> list[dict]:
    import boto3

    db = boto3.client(
        "dynamodb",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    items, kwargs = [], {"TableName": env["TABLE_NAME"]}
    while True:
        page = db.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def check_store(env: dict[str, str], acked: set[str], wait: float = 60) -> dict[str, int]:
    """Counts from the table itself, once the pump has dispatched everything."""
    deadline = time.monotonic() + wait
    while True:
        items = scan(env)
        reports = defaultdict(int)
        for i in items:
            if i["SK"]["S"] == "META" and i["PK"]["S"].startswith("REPORT#"):
                reports[i["PK"]["S"][len("REPORT#") :]] += 1
        sent = set()
        for i in items:
            if i["PK"]["S"].startswith("NOTIFY#") and i.get("state", {}).get("S") == "sent":
                notification = _plain(i["notification"])
                if notification["audience"] == "squad" and notification["kind"] == "new_report":
                    sent.add(notification["report_id"])
        undispatched = acked - sent
        if not undispatched or time.monotonic() > deadline:
            return {
                "acknowledged": len(acked),
                "stored exactly once": sum(1 for r in acked if reports.get(r) == 1),
                "missing": sum(1 for r in acked if r not in reports),
                "duplicated": sum(1 for r in acked if reports.get(r, 0) > 1),
                "dispatched to their squad": len(acked & sent),
                "not dispatched": len(undispatched),
            }
        time.sleep(1)


def _plain(value: dict) -> dict:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer().deserialize(value)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    runner = Runner()
    try:
        from kawal_local.seed import DEMO_PASSWORD

        os.environ.update(runner.env())
        from kawal_local import resources

        token = resources.sign_in(runner.env()["COGNITO_CLIENT_ID"], "tim-orange", DEMO_PASSWORD)
        load = Load(runner.base, token)
        for _ in range(200):
            load.baseline()
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=load.worker, args=(n, until)) for n in range(args.workers)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        for _ in range(200):
            load.baseline()
        store = check_store(runner.env(), set(load.acked.values()))
    finally:
        runner.stop()

    print(
        f"\nload: {args.workers} workers for {elapsed:.0f} s on loopback (chalice local + moto)\n"
    )
    print("| operation | requests | per s | p50 ms | p90 ms | p99 ms | max ms | statuses |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for kind in ("health (baseline)", "submit", "read", "claim"):
        values = load.latency.get(kind, [])
        if not values:
            continue
        codes = ", ".join(f"{c}×{n}" for c, n in sorted(load.statuses[kind].items()))
        rate = len(values) / elapsed if kind != "health (baseline)" else float("nan")
        print(
            f"| {kind} | {len(values)} | {rate:.1f} | {statistics.median(values):.0f} | "
            f"{percentile(values, 90):.0f} | {percentile(values, 99):.0f} | "
            f"{max(values):.0f} | {codes} |"
        )
    print("\n| store check | count |\n| --- | ---: |")
    for name, value in store.items():
        print(f"| {name} | {value} |")
    server_errors = sum(
        n for kind in load.statuses for c, n in load.statuses[kind].items() if c >= 500 or c == 0
    )
    print(f"| 5xx or no answer | {server_errors} |")
    ok = (
        server_errors == 0
        and store["missing"] == 0
        and store["duplicated"] == 0
        and store["not dispatched"] == 0
    )
    print("\nverdict:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
