"""Load run on loopback: the local runner (`make run`'s program) driven for a fixed
time by concurrent citizens, readers and squad members; then the store is checked.

    .venv/bin/python bench/load.py [--seconds 60] [--workers 8] [--history-days 0]
                                   [--mix app|open311] [--reports-per-second 0]
                                   [--phase MIX:WORKERS:SECONDS[:RATE] ...]
                                   [--data-dir DIR]

``--history-days`` seeds that many days first (``KAWAL_SEED_DAYS``; 365 is a regency's
year, ~11,700 reports). ``--data-dir DIR``: the runner starts from the snapshot in DIR
(``KAWAL_DATA_DIR``; a copy, DIR stays as it was) instead of seeding; with no snapshot
there yet, it seeds and saves one into DIR when it stops (``--seconds 0`` keeps it
pristine): a year seeds once (~13 min), then restores. ``--reports-per-second``
(a phase's RATE) caps the filing across all workers (a step that may not file reads
instead); 0: as fast as they can. ``--mix open311`` replaces the app's mix with a council peer's
Open311 client: services (25 %), a form POST (25 %), the request list (25 %), one
request (25 %). The runner's memory is sampled every 10 s.

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
    def __init__(self, history_days: int = 0, data_dir: Path | None = None) -> None:
        self.port, self.aws_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.state = ROOT / ".pytest_cache" / f"load-{self.port}.json"
        self.state.parent.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            KAWAL_PORT=str(self.port),
            KAWAL_AWS_PORT=str(self.aws_port),
            KAWAL_SEED="1",
            KAWAL_SEED_DAYS=str(history_days),  # a seeded history: --history-days
            KAWAL_DATA_DIR=self.data_dir(data_dir),
            KAWAL_STATE_FILE=str(self.state),
            QUOTA_REPORTS_PER_IP_HOUR="10000000",
            QUOTA_REPORTS_PER_DEVICE_HOUR="10000000",
            QUOTA_OPEN311_PER_KEY_HOUR="10000000",
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
        deadline = time.monotonic() + 300 + 3 * history_days  # seeding: ~2 s per day
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/health", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("the local runner did not start")

    def data_dir(self, given: Path | None) -> str:
        """``KAWAL_DATA_DIR``: a copy of ``given``'s snapshot, or ``given`` to save one."""
        if given is None:
            return "off"
        if not (given / "table.jsonl").exists():
            return str(given)
        import shutil
        import tempfile

        copy = Path(tempfile.mkdtemp(prefix="kawal-load-")) / "data"
        shutil.copytree(given, copy)
        return str(copy)

    def env(self) -> dict[str, str]:
        return json.loads(self.state.read_text())["env"]

    def api_key(self) -> str:
        return json.loads(self.state.read_text())["open311_api_key"]

    def rss_mb(self) -> float:
        """The runner's resident memory: its process (the embedded AWS) and the one it
        starts (the API and the pump)."""
        pid = self.proc.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total = 0.0
        for process in [pid, *map(int, children)]:
            for line in Path(f"/proc/{process}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        return total

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
        self.codes: list[str] = []  # Open311 requests filed
        self.key = ""
        self.mix = "app"
        self.rate = 0.0  # reports per second across the workers; 0: no cap
        self.next_filing = 0.0

    def may_file(self) -> bool:
        if not self.rate:
            return True
        with self.lock:
            now = time.monotonic()
            if now < self.next_filing:
                return False
            self.next_filing = max(now, self.next_filing) + 1 / self.rate
            return True

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

    # -- Open311: what a council's peer client does (the workload) --------
    def open311(self, rng: random.Random, key: str) -> None:
        roll = rng.random()
        if roll < 0.25:
            self._call("o311 services", "GET", "/open311/v2/services.json")
        elif roll < 0.5:
            form = {
                "api_key": key, "service_code": rng.choice(LABELS),
                "lat": f"{-8.05 + rng.uniform(-0.05, 0.05):.6f}",
                "long": f"{111.71 + rng.uniform(-0.05, 0.05):.6f}",
                "description": f"uji beban {rng.getrandbits(64):x}",
            }  # fmt: skip
            r = self._call("o311 POST", "POST", "/open311/v2/requests.json", data=form)
            if r is not None and r.status_code in (200, 201):
                with self.lock:
                    self.codes.append(r.json()[0]["service_request_id"])
        elif roll < 0.75:
            self._call("o311 list", "GET", "/open311/v2/requests.json")
        else:
            with self.lock:
                code = rng.choice(self.codes) if self.codes else None
            if code:
                self._call("o311 one", "GET", f"/open311/v2/requests/{code}.json")

    def worker(self, seed: int, until: float) -> None:
        rng = random.Random(seed)
        while time.monotonic() < until:
            if self.mix == "open311":
                self.open311(rng, self.key)
                continue
            roll = rng.random()
            if roll < 0.55 and self.may_file():
                self.submit(rng)
            elif roll < 0.85:  # a step that may not file reads instead
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


def check_store(env: dict[str, str], acked: set[str], wait: float = 120) -> dict[str, int]:
    """Counts from the table itself, once the pump has dispatched everything (or
    ``wait`` seconds after the load stopped). Each look is a whole-table scan, which
    competes with the pump for the runner: looked at every 10 s, not every second."""
    started = time.monotonic()
    deadline = started + wait
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
                "seconds after the load until all were dispatched (looked at every 10 s)": (
                    round(time.monotonic() - started) if not undispatched else -1
                ),
            }
        time.sleep(10)


def _plain(value: dict) -> dict:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer().deserialize(value)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def table(load: Load, elapsed: float, title: str) -> None:
    print(f"\n{title}\n")
    print("| operation | requests | per s | p50 ms | p90 ms | p99 ms | max ms | statuses |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    kinds = ("health (baseline)", "submit", "read", "claim")
    kinds += ("o311 services", "o311 POST", "o311 list", "o311 one")
    for kind in kinds:
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--history-days", type=int, default=0, help="KAWAL_SEED_DAYS first")
    parser.add_argument("--mix", choices=["app", "open311"], default="app")
    parser.add_argument("--reports-per-second", type=float, default=0, help="0: no cap")
    parser.add_argument("--data-dir", type=Path, help="start from (or save) a snapshot")
    parser.add_argument(
        "--phase",
        action="append",
        default=[],
        help="MIX:WORKERS:SECONDS[:RATE], repeatable: several runs on one runner, in order",
    )
    args = parser.parse_args()
    rate = args.reports_per_second
    phases = [[*p.split(":"), rate][:4] for p in args.phase] or [
        [args.mix, args.workers, args.seconds, rate]
    ]

    started_at = time.monotonic()
    runner = Runner(args.history_days, args.data_dir)
    print(f"runner ready in {time.monotonic() - started_at:.0f} s", flush=True)
    memory: list[tuple[float, float]] = []
    ok = True
    try:
        from kawal_local.seed import DEMO_PASSWORD

        os.environ.update(runner.env())
        from kawal_deploy import resources

        token = resources.sign_in(runner.env()["COGNITO_CLIENT_ID"], "tim-orange", DEMO_PASSWORD)
        stop_sampling = threading.Event()

        def sample() -> None:
            while not stop_sampling.wait(10):
                memory.append((time.monotonic(), runner.rss_mb()))

        memory.append((time.monotonic(), runner.rss_mb()))
        threading.Thread(target=sample, daemon=True).start()
        acked: set[str] = set()
        server_errors = 0
        for mix, workers, seconds, per_second in phases:
            load = Load(runner.base, token)
            load.mix, load.key, load.rate = mix, runner.api_key(), float(per_second)
            for _ in range(200):
                load.baseline()
            until = time.monotonic() + float(seconds)
            threads = [
                threading.Thread(target=load.worker, args=(n, until), daemon=True)
                for n in range(int(workers))
            ]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
            for _ in range(200):
                load.baseline()
            capped = f", filing at most {load.rate:g}/s" if load.rate else ""
            title = (
                f"load: {mix}, {workers} workers{capped} for {elapsed:.0f} s (chalice local + moto)"
            )
            table(load, elapsed, title)
            acked |= set(load.acked.values())
            server_errors += sum(
                n for k in load.statuses for c, n in load.statuses[k].items() if c >= 500 or c == 0
            )
        stop_sampling.set()
        memory.append((time.monotonic(), runner.rss_mb()))
        store = check_store(runner.env(), acked)
    finally:
        runner.stop()

    first, last = memory[0][1], memory[-1][1]
    warm = memory[0][0] + min(300, (memory[-1][0] - memory[0][0]) / 2)
    steady = [m for t, m in memory if t >= warm]
    drift = (max(steady) - min(steady)) / min(steady) * 100 if steady else float("nan")
    print(
        f"\nrunner memory (RSS): {first:.0f} MB at the start, {last:.0f} MB at the end, "
        f"{max(m for _, m in memory):.0f} MB at most; {drift:.1f} % spread after warm-up"
    )
    if acked:  # growth that is the data itself, not a leak, grows with what was filed
        print(f"memory growth per 1,000 reports filed: {(last - first) / len(acked) * 1000:.0f} MB")
    print("\n| store check | count |\n| --- | ---: |")
    for name, value in store.items():
        print(f"| {name} | {value} |")
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
