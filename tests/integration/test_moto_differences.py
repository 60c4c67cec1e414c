"""The runner's patched moto against moto as released: the same calls (Kawal's kinds of
DynamoDB call, a stream read, SNS publishes) answered by stock moto in a process of its
own and by the patched moto here. Every answer is the same but for the differences
named below, each on purpose; a patch that changed anything else fails here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.support.moto_probe import PUBLISHED, probe

pytestmark = pytest.mark.patched_moto


def test_the_patched_moto_answers_as_stock_moto_but_for_the_named_differences():
    env = {**os.environ, "KAWAL_STOCK_MOTO": "1"}
    stock = json.loads(
        subprocess.run(
            [sys.executable, "-m", "tests.support.moto_probe"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
        ).stdout
    )  # fmt: skip
    patched = probe(patched=True)

    # DynamoDB's answers (writes, conditions, transactions, queries, pages, projections,
    # scans) and the stream's records: the same
    assert patched.pop("dynamodb") == stock.pop("dynamodb")
    assert patched.pop("stream_records") == stock.pop("stream_records")
    # moto's dashboard (/moto-api/) lists every item version it ever made (81 here, for
    # the 7 items the table holds); the runner's tracks no DynamoDB item (moto_memory.py)
    assert stock.pop("dashboard_items") > 3 * 7 and patched.pop("dashboard_items") == 0
    assert stock == {
        # moto keeps a shard iterator forever; DynamoDB and the runner 15 minutes. The
        # runner then fails the read with moto's KeyError for an unknown iterator, where
        # DynamoDB answers ExpiredIteratorException; the event pump takes fresh ones.
        "iterator_after_16_minutes": "records",
        # moto's iterator id holds 472 random bytes; the runner's 32 (as unguessable)
        "iterator_characters": 725,
        # moto keeps every message published to a topic; the runner the newest 100
        # (every subscriber still receives every message)
        "sns_messages_kept": PUBLISHED,
    }
    assert patched == {
        "iterator_after_16_minutes": "KeyError",
        "iterator_characters": 136,
        "sns_messages_kept": 100,
    }
