"""Statistics job benchmark: one run with 1,000 new timeline entries since the last
run, on a history of 10,000 and of 100,000 reports, against the naive way (read
everything, recompute every figure) in the same run.

    .venv/bin/python bench/stats.py [--sizes 10000 100000]

Why not on moto: moto answers every Query, on the table or an index, by iterating
over the whole table (measured: 8.5 ms per Query at 1,000 items, 34 ms at 5,000), so
on moto any access grows with history whatever the algorithm, and 100,000 reports
(~500,000 items) take hours. DynamoDB reads only the partition asked for. So the job
runs here, unchanged, against `PartitionStore`: the app's own items (built by
``storage.report_item``/``event_item``) in partitions and index partitions kept sorted,
where a Query costs the items it returns, as on DynamoDB. Measured per run: wall time,
requests and items read (what DynamoDB bills read capacity for).

History: reports over the last 60 days, all closed but a fixed open backlog of 300
(a backlog does not grow with history), and the job has run all along: its day
summaries exist and its watermark is an hour old.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import json
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chalicelib import storage  # noqa: E402
from chalicelib.adapters.dynamodb import base as dynamodb_base  # noqa: E402
from chalicelib.domain import identifiers, stats  # noqa: E402
from chalicelib.domain.geo import geohash  # noqa: E402
from chalicelib.domain.lateness import is_late  # noqa: E402
from chalicelib.domain.models import Loaded, Report, TimelineEntry  # noqa: E402
from chalicelib.routing import load_catalogue  # noqa: E402
from chalicelib.services import stats_job  # noqa: E402

NEW_ENTRIES, OPEN_BACKLOG = 1000, 300


class PartitionStore:
    """The job's two stores over partitions, with DynamoDB's costs: a Query reads the
    items of one (index) partition in key order, a Scan reads everything."""

    def __init__(self) -> None:
        self.parts: dict[tuple[str, str], list[tuple[str, dict]]] = defaultdict(list)
        self.requests = self.items_read = 0

    # -- writing -------------------------------------------------------------
    def put(self, item: dict) -> None:
        for index, (pk, sk) in {"": ("PK", "SK"), **storage.GSI}.items():
            if item.get(pk) is not None:
                rows = self.parts[(index, item[pk])]
                key = (item[sk], item["PK"], item["SK"])
                at = bisect.bisect_left(rows, key, key=lambda r: r[0])
                if at < len(rows) and rows[at][0] == key:
                    rows[at] = (key, item)
                else:
                    rows.insert(at, (key, item))

    def _query(self, index: str, partition: str, lo: str = "", hi: str = "\U0010ffff") -> list:
        self.requests += 1
        rows = self.parts.get((index, partition), [])
        start = bisect.bisect_left(rows, lo, key=lambda r: r[0][0])
        end = bisect.bisect_right(rows, hi, key=lambda r: r[0][0])
        found = [item for _, item in rows[start:end]]
        self.items_read += len(found)
        return found

    # -- ReportStore -------------------------------------------------------------
    def load(self, report_id: str):
        items = self._query("", f"REPORT#{report_id}")
        meta = next(i for i in items if i["SK"] == "META")
        timeline = [
            dynamodb_base._model(TimelineEntry, {**i, "key": i["SK"]})
            for i in items
            if i["SK"].startswith("EVENT#")
        ]
        return Loaded(dynamodb_base._model(Report, meta), timeline, [])

    def query_index(self, index, partition, **_):
        found = self._query(index, partition)
        return found, None

    def reports_from(self, items):
        return [dynamodb_base._model(Report, i) for i in items]

    # -- StatsStore ----------------------------------------------------------------
    def activity_between(self, start: datetime, end: datetime) -> list[dict]:
        out, hour = [], start.replace(minute=0, second=0, microsecond=0)
        while hour <= end:
            out += self._query(
                "GSI3",
                f"ACTIVITY#{dynamodb_base._ts(hour)[:13]}",
                dynamodb_base._ts(start),
                dynamodb_base._ts(end) + "~",
            )
            hour += timedelta(hours=1)
        return out

    def put_contributions(self, contributions) -> None:
        self.requests += max(1, len(contributions) // 25)
        for c in contributions:
            self.put({"PK": f"CONTRIB#{c.day}", "SK": f"{c.report_id}#{c.key}",
                      **{k: v for k, v in c.__dict__.items() if v is not None}})  # fmt: skip

    def contributions_of(self, day: str) -> list[dict]:
        return self._query("", f"CONTRIB#{day}")

    def put_day_summaries(self, day: str, summaries) -> None:
        self.requests += max(1, len(summaries) // 25) + 1
        for dim, s in summaries.items():
            self.put({"PK": f"STATSDAY#{dim}", "SK": day, "summary": json.dumps(s.to_item())})
            self.put({"PK": "STATS#DIMS", "SK": dim})

    def dimensions(self) -> list[str]:
        return [i["SK"] for i in self._query("", "STATS#DIMS")]

    def day_summaries(self, dim: str, first: str, last: str) -> dict[str, str]:
        return {i["SK"]: i["summary"] for i in self._query("", f"STATSDAY#{dim}", first, last)}

    def put_view(self, window: str, view: dict) -> None:
        self.requests += 1
        self.put({"PK": f"STATSVIEW#{window}", "SK": "META", "view": json.dumps(view)})

    def watermark(self):
        self.requests += 1
        return self.mark

    def advance_watermark(self, until: datetime) -> None:
        self.requests += 1
        self.mark = max(self.mark, until)

    def scan(self) -> list[dict]:
        self.requests += 1
        everything = [
            item for (index, _), rows in self.parts.items() if index == "" for _, item in rows
        ]
        self.items_read += len(everything)
        return everything


def history(store: PartitionStore, n: int, now: datetime, rng: random.Random) -> None:
    catalogue = load_catalogue()
    labels = list(catalogue.labels)
    districts = ["panggul", "trenggalek", "durenan", "pogalan", "watulimo", "kampak", "tugu"]
    by_day: dict[str, list] = defaultdict(list)

    def add(report: Report, steps) -> None:
        timeline = []
        for seq, (action, to, at, role) in enumerate(steps):
            entry = TimelineEntry(at=at, to_status=to, action=action, actor_role=role,
                                  actor_id=f"{report.squad}-{seq % 3}" if role == "squad" else None)  # fmt: skip
            item = storage.event_item(report, entry, seq)
            store.put(item)
            timeline.append(entry.model_copy(update={"key": item["SK"]}))
        store.put(storage.report_item(report))
        return timeline

    for i in range(n):
        label = rng.choice(labels)
        # all of history happened before the last run's lookback window: the only
        # activity since is the 1,000 new entries
        settled = now - stats_job.LOOKBACK - timedelta(hours=1, minutes=5)
        created = settled - timedelta(seconds=rng.uniform(86400, 60 * 86400))
        is_open = i < OPEN_BACKLOG
        claim = min(created + timedelta(minutes=rng.lognormvariate(4, 1)), settled)
        resolve = min(claim + timedelta(hours=rng.lognormvariate(2, 1)), settled)
        lat, lon = -8.1 + rng.uniform(-0.2, 0.2), 111.6 + rng.uniform(-0.2, 0.2)
        report = Report(
            id=identifiers.report_id_for(uuid.UUID(int=rng.getrandbits(128), version=4)),
            code=f"TRG-{i:06d}", label=label.code, squad=label.squad,
            covert=catalogue.is_covert(label.code), status="submitted" if is_open else "closed",
            lat=lat, lon=lon, geohash=geohash(lat, lon), district=rng.choice(districts),
            created_at=created, updated_at=created, sla_due_at=created + timedelta(hours=label.sla_hours),
            token_hash="x", request_hash="y",
        )  # fmt: skip
        steps = [("submit", "submitted", created, "citizen")]
        if not is_open:
            steps += [("claim", "accepted", claim, "squad"), ("resolve", "resolved", resolve, "squad"),
                      ("confirm", "closed", min(resolve + timedelta(hours=5), settled), "citizen")]  # fmt: skip
        for c in stats.contributions(report, add(report, steps), catalogue):
            by_day[c.day].append(c)
    # the job has run all along: its contributions and day summaries are there
    for day, contribs in by_day.items():
        store.put_contributions(contribs)
        store.put_day_summaries(day, stats.summarize(contribs))
    store.mark = now - timedelta(hours=1)
    # 1,000 new timeline entries since: 500 new reports in the last hour, each claimed
    for _ in range(NEW_ENTRIES // 2):
        label = rng.choice([x for x in labels if not catalogue.is_covert(x.code)])
        created = now - timedelta(minutes=rng.uniform(20, 50))
        claim = created + timedelta(minutes=rng.uniform(1, 15))
        report = Report(
            id=identifiers.report_id_for(uuid.uuid4()), code="TRG-NEW000", label=label.code,
            squad=label.squad, covert=False, status="accepted", lat=-8.1, lon=111.6, geohash="qqx",
            district="panggul", created_at=created, updated_at=claim,
            sla_due_at=created + timedelta(hours=label.sla_hours), token_hash="x", request_hash="y",
            first_response_at=claim, version=2,
        )  # fmt: skip
        add(
            report,
            [("submit", "submitted", created, "citizen"), ("claim", "accepted", claim, "squad")],
        )


def naive(store: PartitionStore, now: datetime) -> None:
    """The baseline: read everything, recompute every figure from all reports."""
    catalogue, reports, timelines = load_catalogue(), {}, defaultdict(list)
    for item in store.scan():
        if item.get("type") == "report":
            reports[item["id"]] = dynamodb_base._model(Report, item)
        elif item.get("type") == "event":
            timelines[item["report_id"]].append(
                dynamodb_base._model(TimelineEntry, {**item, "key": item["SK"]})
            )
    contribs = [
        c for rid, r in reports.items() for c in stats.contributions(r, timelines[rid], catalogue)
    ]
    today = now.astimezone(stats.WIB).date()
    for window in ("today", "7d", "30d", today.strftime("%Y-%m")):
        days = set(stats.window_days(window, today))
        stats.summarize(c for c in contribs if c.day in days)
    stats.backlog([r for r in reports.values() if r.status != "closed"], now, is_late)


def measure(n: int) -> dict:
    rng, now = random.Random(n), datetime.now(UTC)
    store = PartitionStore()
    history(store, n, now, rng)
    out = {}
    mark = store.mark
    for name, job, runs in (
        ("ours", lambda: stats_job.run(reports=store, stats_store=store, catalogue=load_catalogue(), now=lambda: now), 5),
        ("naive", lambda: naive(store, now), 3),
    ):  # fmt: skip
        times = []
        for _ in range(runs):
            store.mark = mark  # each run sees the same 1,000 new entries since its watermark
            store.requests = store.items_read = 0
            # as timeit does: the cyclic GC would otherwise walk the whole in-memory
            # "table" (half a million items at 100k) during the timed run
            gc.collect()
            gc.disable()
            started = time.perf_counter()
            job()
            times.append(time.perf_counter() - started)
            gc.enable()
        out[name] = (statistics.median(times), store.requests, store.items_read)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    args = parser.parse_args()
    results = {n: measure(n) for n in args.sizes}
    small, large = args.sizes
    print(f"one run (median of 5; naive 3), {NEW_ENTRIES} new timeline entries since the last")
    print(f"{'job':<7}{'history':>9}{'time (ms)':>11}{'requests':>10}{'items read':>12}")
    for name in ("ours", "naive"):
        for n in args.sizes:
            t, req, items = results[n][name]
            print(f"{name:<7}{n:>9,}{t * 1000:>11.0f}{req:>10,}{items:>12,}")
    for name in ("ours", "naive"):
        (t1, _, i1), (t2, _, i2) = results[small][name], results[large][name]
        print(
            f"{name}: {large // small}x history -> time x{t2 / t1:.2f}, items read x{i2 / i1:.2f}"
        )


if __name__ == "__main__":
    main()
