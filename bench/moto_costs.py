"""Two of moto's per-call costs with and without the local runner's workaround, in the
same run, each variant in its own process (all of ``kawal_local/moto_speed.py``'s
other fixes are on in both):

* updates (``kawal_local/moto_expressions.py``): the seeded history filed and worked
  through the real services, one transaction per step, most of them updates;
* projections (``moto_reads``' ``Item.project``): the Open311 list of requests, which
  reads a hundred reports' listed fields a page.

    .venv/bin/python bench/moto_costs.py [--days 7] [--lists 20]

In-process (Chalice's test client, moto's decorator mode): only Kawal and moto are
timed, no HTTP.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {
    "moto's own": {"expressions": False, "projection": False},
    "runner's updates": {"expressions": True, "projection": False},
    "runner's updates and projection": {"expressions": True, "projection": True},
}


def measure(days: int, lists: int, expressions: bool, projection: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    os.environ.update(config["stages"]["dev"]["environment_variables"])
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="ap-southeast-3", AWS_REGION="ap-southeast-3",
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    )  # fmt: skip
    from kawal_local import moto_expressions, moto_speed

    if not expressions:
        moto_expressions.install = lambda: None  # type: ignore[assignment]
    moto_speed.install()
    from moto import mock_aws
    from moto.dynamodb.models.dynamo_type import Item

    if not projection:
        Item.project = Item.project.__wrapped_project__  # type: ignore[attr-defined]
    with mock_aws():
        from chalice.test import Client

        from kawal_deploy import resources
        from kawal_local import history
        from kawal_local.embedded_aws import trim_streams

        made = resources.bootstrap()
        os.environ["COGNITO_USER_POOL_ID"] = made["cognito_user_pool_id"]
        os.environ["COGNITO_CLIENT_ID"] = made["cognito_client_id"]
        started = time.perf_counter()
        done = history.seed_history(
            days,
            now=datetime.now(UTC),
            every_day=lambda: trim_streams(timedelta(0), datetime.now(UTC)),
        )
        seeded = time.perf_counter() - started
        import app as application

        times = []
        with Client(application.app) as client:
            for n in range(lists + 1):
                start = time.perf_counter()
                r = client.http.get("/open311/v2/requests.json")
                assert r.status_code == 200, r.body[:200]
                listed = len(json.loads(r.body))
                if n:  # the first warms the catalogue and the clients
                    times.append((time.perf_counter() - start) * 1000)
    return {
        "reports": done.reports,
        "steps": done.steps,
        "seed_s": seeded,
        "per_step_ms": seeded * 1000 / (done.reports + done.steps),
        "listed": listed,
        "list_p50": statistics.median(times),
        "list_p90": statistics.quantiles(times, n=10)[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--lists", type=int, default=20)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(measure(args.days, args.lists, **VARIANTS[args.variant])))
        return
    rows = []
    for name in VARIANTS:
        ran = subprocess.run(
            [sys.executable, __file__, "--days", str(args.days), "--lists", str(args.lists),
             "--variant", name],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        rows.append((name, json.loads(ran.stdout.strip().splitlines()[-1])))
    print(f"\n{args.days} days seeded in-process, then the Open311 list {args.lists} times\n")
    print(
        "| moto | reports · steps | seeding | per report or step | requests listed | list p50 (p90) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows:
        print(
            f"| {name} | {r['reports']} · {r['steps']} | {r['seed_s']:.1f} s | "
            f"{r['per_step_ms']:.1f} ms | {r['listed']} | "
            f"{r['list_p50']:.1f} ({r['list_p90']:.1f}) ms |"
        )


if __name__ == "__main__":
    main()
