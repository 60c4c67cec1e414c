"""The web apps on a cheap phone: what a first visit downloads (gzipped, as API
Gateway sends it with compression on) and Lighthouse's mobile scores, for the
citizens' app and its follow page, the squads' app (its sign-in, and signed in: the
queue and a report), the command centre's board signed in, and, as the baseline in the
same run, the command centre's sign-in page.

    make lighthouse        (installs bench/lighthouse/node_modules: Lighthouse 12.2.3)
    .venv/bin/python bench/web.py [--runs 3]

The pages are served by the local runner (`make run`'s program) on loopback with its
demo data. Lighthouse runs its default mobile emulation (Moto G Power, 4x CPU slowdown,
simulated slow 4G) in Debian's Chromium. Signed-in screens are measured the way a
signed-in phone opens them: the browser already holds the sign-in (Tim's refresh cookie,
the command centre's session token, taken from the runner's Cognito, never typed in a
form) when Lighthouse loads the page (bench/lighthouse/signed-in.mjs), and the run is
kept only if the signed-in screen's own API call was made. The weight counts every
response of a first visit (the page, its scripts and styles, the label catalogue, the
manifest and icon, the API calls), not the service worker's own install fetches, nor
photos.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import FLAGS, Runner, held_sign_in, hold_sign_in  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
SIGNED_IN = ROOT / "bench" / "lighthouse" / "signed-in.mjs"
# name: (path, who is signed in: None, "tim" or "command", the API call that proves it)
PAGES = {
    "lapor (citizens)": ("/lapor/", None, None),
    "follow page (/r/{code})": ("/r/{code}", None, None),
    "tim (squads, sign-in)": ("/tim/", None, None),
    "tim queue (signed in)": ("/tim/", "tim", "/squads/orange/reports"),
    "tim report (signed in)": ("/tim/#r/{code}", "tim", "/staff/reports/"),
    "command centre board (signed in)": ("/command-centre", "command", "/stats?window"),
    "command centre sign-in (baseline)": ("/command-centre", None, None),
}
CATEGORIES = ("performance", "accessibility", "best-practices")


def first_visit(base: str, path: str, setup: dict, proof: str | None) -> dict:
    """Bytes of every response of a first visit on a phone, raw and gzipped."""
    from playwright.sync_api import sync_playwright

    bodies: dict[str, bytes] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        context = browser.new_context(
            viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
        )
        hold_sign_in(context, setup)
        page = context.new_page()

        def keep(response):
            if response.request.frame == page.main_frame or response.request.resource_type in (
                "document", "script", "stylesheet", "fetch", "manifest", "image", "xhr",
            ):  # fmt: skip
                with contextlib.suppress(Exception):  # a redirect has no body
                    bodies[response.url] = response.body()

        page.on("response", keep)
        page.goto(base + path, wait_until="networkidle")
        browser.close()
    if proof and not any(proof in u for u in bodies):
        raise RuntimeError(f"{path}: not signed in (no {proof})")
    other = [u for u in bodies if urlsplit(u).netloc != urlsplit(base).netloc]
    return {
        "requests": len(bodies),
        "raw": sum(len(b) for b in bodies.values()),
        "gzip": sum(len(gzip.compress(b, 6)) for b in bodies.values()),
        "other_origins": other,
    }


def lighthouse(url: str, setup: dict, proof: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.json"
        flags = " ".join([*FLAGS, f"--user-data-dir={scratch}/profile"])
        env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
        if setup:  # the same Lighthouse, handed a page that holds the sign-in
            command = ["node", str(SIGNED_IN), url, json.dumps(setup), str(out),
                       ",".join(CATEGORIES), flags]  # fmt: skip
        else:
            command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
                       f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}"]  # fmt: skip
        subprocess.run(command, check=True, env=env)
        report = json.loads(out.read_text())
    requested = [r["url"] for r in report["audits"]["network-requests"]["details"]["items"]]
    if proof and not any(proof in u for u in requested):
        raise RuntimeError(f"{url}: Lighthouse saw the sign-in, not the signed-in screen")
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    audits = report["audits"]
    scores["FCP s"] = round(audits["first-contentful-paint"]["numericValue"] / 1000, 2)
    scores["LCP s"] = round(audits["largest-contentful-paint"]["numericValue"] / 1000, 2)
    scores["TBT ms"] = round(audits["total-blocking-time"]["numericValue"])
    return scores


def a_report_of_orange(runner: Runner) -> str:
    """A demo report in the orange squad's queue: Tim's report screen and the follow
    page show it."""
    import requests

    from tests.e2e.conftest import sign_in as staff_token

    headers = {"Authorization": f"Bearer {staff_token(runner, 'tim-orange')}"}
    queue = requests.get(f"{runner.base}/squads/orange/reports", headers=headers, timeout=20)
    items = queue.json()["items"]
    return items[0]["code"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `make lighthouse`")
    runner = Runner()
    try:
        runner.wait_ready()
        code = a_report_of_orange(runner)
        rows = []
        for name, (path, who, proof) in PAGES.items():
            path = path.replace("{code}", code)
            setup = held_sign_in(runner, who)
            weight = first_visit(runner.base, path, setup, proof)
            runs = [lighthouse(runner.base + path, setup, proof) for _ in range(args.runs)]
            median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            rows.append((name, weight, median))
    finally:
        runner.stop()
    head = ["page", "requests", "first visit", "gzipped", "other origins", *rows[0][2]]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for name, weight, scores in rows:
        cells = [
            name, str(weight["requests"]), f"{weight['raw'] / 1024:.0f} KB",
            f"{weight['gzip'] / 1024:.0f} KB", str(len(weight["other_origins"])),
            *(f"{v:g}" for v in scores.values()),
        ]  # fmt: skip
        print("| " + " | ".join(cells) + " |")
    print(f"\nLighthouse 12.2.3, mobile emulation, median of {args.runs}; weight from Chromium.")


if __name__ == "__main__":
    main()
