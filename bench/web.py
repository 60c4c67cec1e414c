"""The web apps on a cheap phone: what a first visit downloads (gzipped, as API
Gateway sends it with compression on) and Lighthouse's mobile scores, for the
citizens' app, the squads' app (its first screen, the sign-in) and, as the baseline in
the same run, the command centre's sign-in page.

    make lighthouse        (installs bench/lighthouse/node_modules: Lighthouse 12.2.3)
    .venv/bin/python bench/web.py [--runs 3]

Both pages are served by the local runner (`make run`'s program) on loopback with its
demo data. Lighthouse runs its default mobile emulation (Moto G Power, 4x CPU slowdown,
simulated slow 4G) in Debian's Chromium. The weight counts every response of a first
visit (the page, its scripts and styles, the label catalogue, the manifest and icon),
not the service worker's own install fetches, nor photos.
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

from tests.e2e.conftest import FLAGS, Runner  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "lapor (citizens)": "/lapor/",
    "tim (squads, sign-in)": "/tim/",
    "command centre (baseline)": "/command-centre",
}
CATEGORIES = ("performance", "accessibility", "best-practices")


def first_visit(base: str, path: str) -> dict:
    """Bytes of every response of a first visit on a phone, raw and gzipped."""
    from playwright.sync_api import sync_playwright

    bodies: dict[str, bytes] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        context = browser.new_context(
            viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
        )
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
    other = [u for u in bodies if urlsplit(u).netloc != urlsplit(base).netloc]
    return {
        "requests": len(bodies),
        "raw": sum(len(b) for b in bodies.values()),
        "gzip": sum(len(gzip.compress(b, 6)) for b in bodies.values()),
        "other_origins": other,
    }


def lighthouse(url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.json"
        flags = " ".join([*FLAGS, f"--user-data-dir={scratch}/profile"])
        subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
             f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}"],
            check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        )  # fmt: skip
        report = json.loads(out.read_text())
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    audits = report["audits"]
    scores["FCP s"] = round(audits["first-contentful-paint"]["numericValue"] / 1000, 2)
    scores["LCP s"] = round(audits["largest-contentful-paint"]["numericValue"] / 1000, 2)
    scores["TBT ms"] = round(audits["total-blocking-time"]["numericValue"])
    return scores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `make lighthouse`")
    runner = Runner()
    try:
        runner.wait_ready()
        rows = []
        for name, path in PAGES.items():
            weight = first_visit(runner.base, path)
            runs = [lighthouse(runner.base + path) for _ in range(args.runs)]
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
