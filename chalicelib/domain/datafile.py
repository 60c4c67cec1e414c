"""Operator-editable data files (catalogue, regency, boundaries): parsed and
validated once, re-read only when the file changes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
_cache: dict[tuple[Path, Any], tuple[int, Any]] = {}
_lock = threading.Lock()


def load(path: Path, parse: Callable[[Any], T]) -> T:
    mtime = path.stat().st_mtime_ns
    key = (path, parse)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == mtime:
            return hit[1]
    value = parse(json.loads(path.read_text(encoding="utf-8")))
    with _lock:
        _cache[key] = (mtime, value)
    return value
