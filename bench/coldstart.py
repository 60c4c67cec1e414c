"""Cold start: the import of each Lambda function's entry path (its handler module,
as `chalice package` names it), each in a fresh Python process, against a baseline
that no function can avoid: a bare Chalice app importing boto3 and pydantic.

    .venv/bin/python bench/coldstart.py [--runs 9]

Times the import inside the process (interpreter start-up, the same for all, is
left out); median of the runs, in alternation so a busy moment hits all alike. Our
code is byte-compiled first, as pip compiles the libraries: both sides load .pyc.
Target: every function <= 1.15 x the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.15
BASELINE = "import boto3, pydantic\nfrom chalice import Chalice\napp = Chalice(app_name='bare')"
# Lambda handler -> what the runtime imports first (chalice package's Handler values)
FUNCTIONS = {
    "api_handler (every HTTP route)": "app",
    "staff (authorizer)": "chalicelib.entry.authn",
    "dispatch_stream": "chalicelib.entry.events",
    "process_uploads": "chalicelib.entry.events",
    "compute_stats": "chalicelib.entry.events",
}
TIMER = (
    "import time, importlib, sys\n"
    "t = time.perf_counter()\n"
    "{body}\n"
    "print((time.perf_counter() - t) * 1000)\n"
)


def once(body: str) -> float:
    env = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["prod"][
        "environment_variables"
    ]
    out = subprocess.run(
        [sys.executable, "-c", TIMER.format(body=body)],
        cwd=ROOT,
        env={**os.environ, **env, "AWS_DEFAULT_REGION": "ap-southeast-3"},
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    # Bytecode for our code as pip made it for the libraries: otherwise (with
    # PYTHONDONTWRITEBYTECODE, as on this machine) only our modules would be compiled
    # from source on every run and the comparison would be unfair.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "app.py", "chalicelib"], cwd=ROOT, check=True
    )
    cases = {"baseline: bare Chalice + boto3 + pydantic": BASELINE}
    cases |= {name: f"importlib.import_module({module!r})" for name, module in FUNCTIONS.items()}
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, body in cases.items():
            times[name].append(once(body))
    base = statistics.median(times["baseline: bare Chalice + boto3 + pydantic"])
    print(f"\ncold start: import of each function's entry path, median of {args.runs} fresh "
          f"processes (Python {sys.version.split()[0]})\n")  # fmt: skip
    print("| entry path | median ms | min ms | × baseline |")
    print("| --- | ---: | ---: | ---: |")
    worst = 0.0
    for name, values in times.items():
        ratio = statistics.median(values) / base
        if not name.startswith("baseline"):
            worst = max(worst, ratio)
        print(f"| {name} | {statistics.median(values):.0f} | {min(values):.0f} | {ratio:.2f} |")
    print(f"\nworst function: {worst:.2f} × baseline (target ≤ {TARGET})")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
