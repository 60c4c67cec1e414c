"""The module map (docs/architecture.md) names every module a newcomer opens (it drifted once)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_module_is_in_the_architecture_map():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text[text.index("## How it is built") :]
    block = block[: block.index("### ")]
    named = set(re.findall(r"[a-z_0-9]+(?:\.py|\.js)?", block))
    missing = []
    for path in sorted((ROOT / "chalicelib").rglob("*.py")):
        if path.name == "__init__.py" or "static" in path.parts or "__pycache__" in path.parts:
            continue
        folder = path.parent.name
        if folder == "models":
            continue  # the models package is described as one line
        # the DynamoDB adapters are listed by name on their folder's line; others as x.py
        listed = path.stem in named if folder == "dynamodb" else path.name in named
        if not listed:
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, missing
