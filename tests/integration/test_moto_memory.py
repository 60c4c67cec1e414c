"""moto keeps no object that nothing else needs (``kawal_local/moto_memory.py``,
installed for the whole suite with ``moto_speed``): after many writes, updates,
transactions and a trimmed stream, the DynamoDB items alive are the table's own;
the objects moto still reads through ``instances_tracked`` are all there."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import StreamRecord
from moto.s3.models import FakeKey

from kawal_local.embedded_aws import trim_streams
from kawal_local.moto_memory import WeakTracked

from .test_moto_speed import TABLE, by_index, db, key  # noqa: F401  (the fixture)

pytestmark = pytest.mark.patched_moto  # the patches' own tests


def alive(kind: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is kind)


def _table(name: str):  # moto's model of a table, by name
    from moto.dynamodb.models import dynamodb_backends

    return next(
        t
        for regions in dynamodb_backends.values()
        for backend in regions.values()
        for table_name, t in backend.tables.items()
        if table_name == name
    )


def test_item_versions_and_stream_records_are_freed(db):  # noqa: F811
    before = alive(Item)
    for n in range(60):
        db.put_item(TableName=TABLE, Item={**key("P", f"S{n}"), "G": {"S": "g"}, "v": {"N": "0"}})
        for v in range(3):
            db.update_item(
                TableName=TABLE, Key=key("P", f"S{n}"), UpdateExpression="SET v = :v",
                ExpressionAttributeValues={":v": {"N": str(v)}},
            )  # fmt: skip
        put = {"TableName": TABLE, "Item": {**key("T", f"S{n}"), "v": {"N": "1"}}}
        db.transact_write_items(TransactItems=[{"Put": put}])
    assert db.scan(TableName=TABLE, Select="COUNT")["Count"] == 120
    assert alive(StreamRecord) >= 60 * 5  # the stream holds every change until trimmed

    trim_streams(timedelta(0), datetime.now(UTC) + timedelta(minutes=1))
    # 120 stored: moto as shipped keeps every version (60 puts, 180 updates, 60
    # transactions and their rollback copies: over 500)
    assert alive(Item) - before <= 120 + 5
    assert alive(StreamRecord) == 0


def test_what_moto_reads_through_the_tracker_is_still_there(aws):
    s3 = aws.client("s3")
    s3.create_bucket(
        Bucket="tracked", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"}
    )
    s3.put_object(Bucket="tracked", Key="a", Body=b"kept")
    s3.put_object(Bucket="tracked", Key="b", Body=b"gone")
    s3.delete_object(Bucket="tracked", Key="b")
    gc.collect()
    names = {k.name for k in FakeKey.instances_tracked}  # S3's reset disposes of these
    assert "a" in names and "b" not in names
    assert s3.get_object(Bucket="tracked", Key="a")["Body"].read() == b"kept"


def test_the_weak_tracker_lists_the_living_only():
    class Model:
        __eq__ = lambda self, other: True  # noqa: E731  (unhashable, like moto's models)

    tracked = WeakTracked()
    kept, dropped = Model(), Model()
    tracked.append(kept)
    tracked.append(dropped)
    assert len(tracked) == 2
    del dropped
    gc.collect()
    assert list(tracked) == [kept] and len(tracked) == 1


def test_a_packed_stream_record_reads_back_as_written(db):  # noqa: F811
    from .test_moto_speed import boto3_streams

    item = {
        **key("p", "1"), "s": {"S": "é \u0000b 🚧"}, "n": {"N": "2.50"}, "b": {"B": b"\x00\xff"},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"\x01"]},
        "m": {"M": {"l": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": False}]}}},
    }  # fmt: skip
    db.put_item(TableName=TABLE, Item=item)
    db.update_item(TableName=TABLE, Key=key("p", "1"), UpdateExpression="SET n = :n",
                   ExpressionAttributeValues={":n": {"N": "3"}})  # fmt: skip
    db.delete_item(TableName=TABLE, Key=key("p", "1"))
    table = _table(TABLE)
    packed = [r.__dict__.get("packed") for r in table.stream_shard.items]
    assert all(isinstance(p, bytes) for p in packed)  # compressed JSON, not moto's dicts

    streams = boto3_streams(db)
    arn = db.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    start = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )
    inserted, modified, removed = streams.get_records(ShardIterator=start["ShardIterator"])[
        "Records"
    ]

    def same(image):  # sets come back in any order
        return {
            k: ({t: sorted(v)} if t in ("SS", "NS", "BS") else {t: v})
            for k, d in image.items()
            for t, v in d.items()
        }

    assert same(inserted["dynamodb"]["NewImage"]) == same(item)
    assert same(modified["dynamodb"]["OldImage"]) == same(item)
    assert same(modified["dynamodb"]["NewImage"]) == same({**item, "n": {"N": "3"}})
    assert same(removed["dynamodb"]["OldImage"]) == same({**item, "n": {"N": "3"}})
    assert [r["eventName"] for r in (inserted, modified, removed)] == ["INSERT", "MODIFY", "REMOVE"]
    assert inserted["dynamodb"]["Keys"] == key("p", "1")
    assert inserted["dynamodb"]["ApproximateCreationDateTime"].year >= 2026


def test_items_share_their_attribute_names_and_keep_moto_s_size_limit(db):  # noqa: F811
    for n in range(2):
        db.put_item(TableName=TABLE, Item={**key("N", f"S{n}"), "status": {"S": "open"}})
    table = _table(TABLE)
    first, second = (list(i.attrs) for i in table.items[next(iter(table.items))].values())
    assert first == second == ["PK", "SK", "status"]
    assert all(a is b for a, b in zip(first, second, strict=True))  # one string per name

    # moto's limit (~405 KB, keys and values counted), not one byte more or less
    name_and_keys = len("PK") + len("N") + len("SK") + len("big") + len("big")
    fits = {**key("N", "big"), "big": {"S": "x" * (405_000 - name_and_keys)}}
    db.put_item(TableName=TABLE, Item=fits)
    over = {**key("N", "big"), "big": {"S": "x" * (405_001 - name_and_keys)}}
    with pytest.raises(ClientError, match="Item size has exceeded"):
        db.put_item(TableName=TABLE, Item=over)


def test_shard_iterators_expire_after_15_minutes_as_dynamodb_s_do(db, monkeypatch):  # noqa: F811
    """The event pump takes two iterators per poll, four polls a second: moto kept
    every one. Past 15 minutes they are forgotten, and reading on works as before."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    from kawal_local.moto_memory import ExpiringIterators

    from .test_moto_speed import boto3_streams

    clock = [1000.0]
    monkeypatch.setattr(ExpiringIterators, "clock", staticmethod(lambda: clock[0]))
    streams = boto3_streams(db)
    arn = db.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

    def poll() -> list:
        it = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )
        return streams.get_records(ShardIterator=it["ShardIterator"])["Records"]

    db.put_item(TableName=TABLE, Item={**key("I", "1"), "v": {"N": "1"}})
    for _ in range(50):
        assert len(poll()) == 1
    held = next(
        b.shard_iterators for r in dynamodbstreams_backends.values() for b in r.values()
        if b.shard_iterators
    )  # fmt: skip
    assert len(held) == 100
    clock[0] += 14 * 60
    poll()
    assert len(held) == 102  # younger than 15 minutes: all still usable
    clock[0] += 2 * 60
    assert len(poll()) == 1
    assert len(held) == 4  # the last poll's two, and the one before's


FREED_BY_THREADS = """
import sys, threading
from kawal_local.process_memory import give_back_free_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

held = []

def call():  # what a call thread does: buffers below the mmap threshold, freed after
    buffers = [bytearray(100_000) for _ in range(500)]
    held.append(buffers[-1])  # one outlives the call: its arena cannot shrink by itself
    del buffers

threads = [threading.Thread(target=call) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
before = rss_mb()
print(give_back_free_memory(), before, rss_mb())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_memory_the_call_threads_freed_goes_back_to_the_system():
    """200 MB allocated and freed by four threads stays resident until given back."""
    ran = subprocess.run(
        [sys.executable, "-c", FREED_BY_THREADS],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    gave_back, before, after = ran.stdout.split()
    assert gave_back == "True"
    # glibc may reuse some of it across the threads: 244 -> 53 MB quiet, 196 -> 53 loaded
    assert int(before) - int(after) >= 100, (before, after)


def test_a_missing_key_or_a_partition_s_last_delete_leaves_no_partition(db):  # noqa: F811
    """moto's ``{hash: {range: item}}`` defaultdict kept an empty partition for every
    key looked at and missed, and for every partition emptied (a dispatched outbox
    entry): none is kept; what DynamoDB answers is unchanged."""
    db.put_item(TableName=TABLE, Item={**key("OUTBOX#1", "M"), "G": {"S": "g"}, "GS": {"S": "1"}})
    db.put_item(TableName=TABLE, Item={**key("KEEP", "A"), "G": {"S": "g"}, "GS": {"S": "1"}})
    db.put_item(TableName=TABLE, Item={**key("KEEP", "B"), "G": {"S": "g"}, "GS": {"S": "1"}})
    for n in range(50):
        assert "Item" not in db.get_item(TableName=TABLE, Key=key(f"NONE#{n}", "M"))
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        db.put_item(
            TableName=TABLE, Item={**key("NONE#x", "M")},
            ConditionExpression="attribute_exists(PK)",
        )  # fmt: skip
    db.delete_item(TableName=TABLE, Key=key("OUTBOX#1", "M"))
    db.delete_item(TableName=TABLE, Key=key("NEVER", "M"))  # deleting nothing: no error
    db.delete_item(TableName=TABLE, Key=key("KEEP", "A"))

    partitions = _table(TABLE).items
    assert {h.value: sorted(r.value for r in p) for h, p in partitions.items()} == {"KEEP": ["B"]}
    assert [i["SK"]["S"] for i in by_index(db, "g")] == ["B"]
    assert db.get_item(TableName=TABLE, Key=key("KEEP", "B"))["Item"]["SK"] == {"S": "B"}
    db.put_item(
        TableName=TABLE, Item={**key("OUTBOX#1", "M"), "G": {"S": "g"}, "GS": {"S": "1"}}
    )  # back again
    assert sorted(i["PK"]["S"] for i in by_index(db, "g")) == ["KEEP", "OUTBOX#1"]


def test_a_topic_keeps_its_newest_messages_and_every_subscriber_gets_all(aws):
    """moto kept every message published and a signing certificate per delivery;
    the newest are kept, and a subscribed queue still receives every message."""
    from moto.sns.models import sns_backends

    from kawal_local.moto_memory import KEPT_NOTIFICATIONS

    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="kept")["TopicArn"]
    queue = sqs.create_queue(QueueName="kept")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    sent = KEPT_NOTIFICATIONS + 20
    for n in range(sent):
        sns.publish(TopicArn=topic, Message=f"pesan {n}")

    received = []
    while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"):
        received += [json.loads(m["Body"])["Message"] for m in batch]
        sqs.delete_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in batch],
        )
    assert sorted(received) == sorted(f"pesan {n}" for n in range(sent))
    backend = next(
        b for regions in sns_backends.values() for b in regions.values() if topic in b.topics
    )
    kept = [n[1] for n in backend.topics[topic].sent_notifications]
    assert kept == [f"pesan {n}" for n in range(20, sent)]


def test_newest_only_forgets_the_oldest_keys():
    from kawal_local.moto_memory import NewestOnly

    kept = NewestOnly(3)
    for n in range(10):
        kept[f"cert-{n}"] = n
    assert kept == {"cert-7": 7, "cert-8": 8, "cert-9": 9}
    kept["cert-8"] = 80  # set again: still kept, not newer
    assert list(kept) == ["cert-7", "cert-8", "cert-9"] and kept["cert-8"] == 80


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="glibc (Linux)")
def test_fewer_arenas_for_the_runner_and_the_processes_it_starts():
    from kawal_local.process_memory import ARENAS, fewer_arenas

    started: dict[str, str] = {}
    assert fewer_arenas(started) is True  # mallopt took it
    assert started["MALLOC_ARENA_MAX"] == str(ARENAS)
    operator_s = {"MALLOC_ARENA_MAX": "4"}
    fewer_arenas(operator_s)
    assert operator_s["MALLOC_ARENA_MAX"] == "4"  # an operator's own setting stays
