"""The embedded AWS as the table grows: moto as it ships against moto with the local
runner's two fixes (``kawal_local/moto_speed.py``: item-level transaction rollback,
partition-only queries), in the same run, each in its own process.

    .venv/bin/python bench/embedded.py [--sizes 200 1000 3000] [--as-is-up-to 1000]

Each process fills the table through the report service (``reports.submit``, one
transaction per report, three items each) and, at each size, times through the
Chalice app in-process (no HTTP, so only the app and moto are measured):
POST /reports (a transaction and the nearby check's index Queries), GET /reports/{id}
(one partition Query), 30 of each,
median and 90th percentile; plus the time per report to fill up to that size and
the process's peak memory. moto as it ships is measured up to ``--as-is-up-to``
reports only: past that its fill alone takes many minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = 30


def measure(sizes: list[int], fast: bool) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        AWS_DEFAULT_REGION="ap-southeast-3",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        QUOTA_REPORTS_PER_IP_HOUR="1000000",
        QUOTA_REPORTS_PER_NETWORK_HOUR="1000000",
    )
    for name, value in json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["dev"][
        "environment_variables"
    ].items():
        os.environ.setdefault(name, value)
    if fast:
        from kawal_local import moto_speed

        moto_speed.install()
    from chalice.test import Client
    from moto import mock_aws

    import app as application
    from chalicelib.adapters import aws as aws_clients
    from chalicelib.domain import geo
    from chalicelib.domain.models import ReportIn
    from chalicelib.routing import load_catalogue
    from chalicelib.services import reports
    from chalicelib.storage import ReportStore
    from kawal_deploy import resources

    rows = []
    with mock_aws():
        aws_clients.reset()
        made = resources.bootstrap()
        os.environ["COGNITO_USER_POOL_ID"] = made["cognito_user_pool_id"]
        os.environ["COGNITO_CLIENT_ID"] = made["cognito_client_id"]
        catalogue, regency, store = load_catalogue(), geo.load_regency(), ReportStore()
        district = regency.districts[0]
        filled, n = 0, 0

        def body(i: int) -> dict:
            return {
                "client_report_id": str(uuid.uuid4()),
                "label": "jalan_rusak",
                "lat": district.lat + (i % 97) * 0.0007,
                "lon": district.lon + (i % 89) * 0.0007,
                "description": f"Jalan berlubang nomor {i}",
            }

        with Client(application.app) as client:
            for size in sizes:
                started = time.perf_counter()
                while filled < size:
                    data = ReportIn.model_validate_json(json.dumps(body(n)))
                    reports.submit(data, store=store, catalogue=catalogue, regency=regency)
                    filled, n = filled + 1, n + 1
                fill_ms = (
                    (time.perf_counter() - started)
                    * 1000
                    / max(1, size - (rows[-1]["size"] if rows else 0))
                )
                posts, gets = [], []
                made_ids = []
                for _ in range(SAMPLES):
                    t = time.perf_counter()
                    r = client.http.post(
                        "/reports",
                        headers={"Content-Type": "application/json"},
                        body=json.dumps(body(n)),
                    )
                    posts.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 201, r.body
                    made_ids.append(r.json_body["id"])
                    n += 1
                for report_id in made_ids:
                    t = time.perf_counter()
                    assert client.http.get(f"/reports/{report_id}").status_code == 200
                    gets.append((time.perf_counter() - t) * 1000)
                filled += SAMPLES

                def p(values: list[float], q: float) -> float:
                    return (
                        statistics.quantiles(values, n=10)[int(q * 10) - 1]
                        if q < 1
                        else max(values)
                    )

                rows.append(
                    {
                        "size": size,
                        "fill_ms": round(fill_ms, 1),
                        "post_p50": round(statistics.median(posts), 1),
                        "post_p90": round(p(posts, 0.9), 1),
                        "get_p50": round(statistics.median(gets), 1),
                        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                    }
                )
                print(json.dumps(rows[-1]), flush=True)  # each row as soon as it is known
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 3000])
    parser.add_argument("--as-is-up-to", type=int, default=1000)
    parser.add_argument("--child", choices=["as-is", "fast"])
    args = parser.parse_args()
    if args.child:
        measure(args.sizes, args.child == "fast")
        return 0
    results: dict[str, dict] = {}
    died: dict[str, str] = {}
    for kind in ("as-is", "fast"):
        sizes = [s for s in args.sizes if kind == "fast" or s <= args.as_is_up_to]
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--sizes", *map(str, sizes)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
        rows = [row for row in lines if "size" in row]  # not the app's metric lines
        results[kind] = {row["size"]: row for row in rows}
        if out.returncode:  # moto as shipped runs out of memory on the way
            last = rows[-1]["size"] if rows else 0
            died[kind] = f"killed (exit {out.returncode}) after {last:,} reports"
    print(
        "| reports stored | moto | fill, ms/report | POST /reports p50 (p90) | GET one p50 | peak RSS |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for size in args.sizes:
        for kind, name in (("as-is", "as shipped"), ("fast", "runner's fixes")):
            row = results[kind].get(size)
            if row is None:
                why = died.get(kind, "not run: too slow")
                print(f"| {size:,} | {name} | ({why}) | | | |")
                continue
            print(
                f"| {size:,} | {name} | {row['fill_ms']} | {row['post_p50']} ({row['post_p90']}) ms "
                f"| {row['get_p50']} ms | {row['rss_mb']} MB |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
