"""Renders the installable apps' PNG icons from their SVGs with Debian's Chromium (the
browser the tests drive: nothing to install): `.venv/bin/python docs/icons.py`.
Android's install wants PNGs of 192 and 512 px; the maskable one keeps the drawing in
the middle 80 % (the safe zone a launcher's circle or squircle never cuts) on a
full-bleed background."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, FLAGS  # noqa: E402

STATIC = ROOT / "chalicelib" / "entry" / "static"
APPS = ("lapor", "tim")


def maskable(svg: str) -> str:
    """The same drawing at 80 % in the middle, on its own background to the edges."""
    background = re.search(r'<rect width="512" height="512" fill="(#[0-9a-fA-F]{3,6})"/>', svg)
    assert background, "the icon starts with its full-size background"
    inner = svg[svg.index(">") + 1 : svg.rindex("</svg>")]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
        f'<rect width="512" height="512" fill="{background.group(1)}"/>'
        f'<g transform="translate(51.2 51.2) scale(.8)">{inner}</g></svg>'
    )


def render(page, svg: str, size: int, out: Path) -> None:
    page.set_viewport_size({"width": size, "height": size})
    page.set_content(
        f"<style>*{{margin:0}} svg{{display:block;width:{size}px;height:{size}px}}</style>{svg}"
    )
    page.screenshot(path=str(out), clip={"x": 0, "y": 0, "width": size, "height": size})


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(device_scale_factor=1)
        for app in APPS:
            svg = (STATIC / app / "icon.svg").read_text(encoding="utf-8").strip()
            for size in (192, 512):
                render(page, svg, size, STATIC / app / f"icon-{size}.png")
            render(page, maskable(svg), 512, STATIC / app / "icon-maskable-512.png")
            print(f"{app}: icon-192.png icon-512.png icon-maskable-512.png")
        browser.close()


if __name__ == "__main__":
    main()
