# ruff: noqa: E501  (DynamoDB request literals read best on one line each)
"""The runner's fixes to moto (``kawal_local/moto_speed.py``, installed for the whole
suite) change no answer: index queries agree with a full scan after any mix of
writes and failed transactions, a failed transaction leaves items, indexes and the
stream as they were, and the direct JSON answers equal moto's own serializer's."""

from __future__ import annotations

import random

import pytest
from botocore.exceptions import ClientError

from kawal_local import moto_json, moto_reads
from tests.conftest import ROOT
from tests.support.moto_probe import create_table, key

pytestmark = pytest.mark.patched_moto  # the patches' own tests

TABLE = "speed-test"


@pytest.fixture
def db(aws):
    client = aws.client("dynamodb")
    create_table(client, TABLE)
    return client


def by_index(db, g: str) -> list:
    out, start = [], None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = db.query(
            TableName=TABLE, IndexName="GIX", KeyConditionExpression="G = :g",
            ExpressionAttributeValues={":g": {"S": g}}, Limit=3, **kwargs,
        )  # fmt: skip
        out += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return out


def by_scan(db, g: str) -> list:
    items = db.scan(TableName=TABLE)["Items"]
    found = [i for i in items if i.get("G") == {"S": g} and "GS" in i]
    return sorted(found, key=lambda i: (i["GS"]["S"], i["PK"]["S"], i["SK"]["S"]))


def stream_length(db) -> int:
    streams = db.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    from moto.dynamodb.models import dynamodb_backends

    for regions in dynamodb_backends.values():
        for backend in regions.values():
            if TABLE in backend.tables:
                return len(backend.tables[TABLE].stream_shard.items)
    raise AssertionError(streams)


def test_index_partitions_agree_with_a_scan_after_any_mix_of_writes(db):
    rng = random.Random(7)
    groups = ["a", "b", "c"]
    for _ in range(250):
        pk, sk = f"p{rng.randint(0, 15)}", f"s{rng.randint(0, 3)}"
        g, gs = rng.choice(groups), f"{rng.randint(0, 99):02d}"
        op = rng.random()
        if op < 0.35:
            db.put_item(TableName=TABLE, Item={**key(pk, sk), "G": {"S": g}, "GS": {"S": gs}})
        elif op < 0.55:
            db.update_item(
                TableName=TABLE, Key=key(pk, sk), UpdateExpression="SET G = :g, GS = :s",
                ExpressionAttributeValues={":g": {"S": g}, ":s": {"S": gs}},
            )  # fmt: skip
        elif op < 0.65:
            db.update_item(TableName=TABLE, Key=key(pk, sk), UpdateExpression="REMOVE G")
        elif op < 0.75:
            db.delete_item(TableName=TABLE, Key=key(pk, sk))
        else:  # a transaction that sometimes fails on its last condition
            other = f"p{rng.randint(0, 15)}"
            items = [
                {"Put": {"TableName": TABLE, "Item": {**key(pk, sk), "G": {"S": g}, "GS": {"S": gs}}}},
                {"Update": {"TableName": TABLE, "Key": key(other, "meta"),
                            "UpdateExpression": "SET G = :g, GS = :s",
                            "ConditionExpression": "attribute_not_exists(PK)" if rng.random() < 0.5
                            else "attribute_exists(PK) OR attribute_not_exists(PK)",
                            "ExpressionAttributeValues": {":g": {"S": g}, ":s": {"S": gs}}}},
            ]  # fmt: skip
            if other == pk and sk == "meta":
                continue
            try:
                db.transact_write_items(TransactItems=items)
            except ClientError as exc:
                assert exc.response["Error"]["Code"] == "TransactionCanceledException"
        for group in groups:
            assert by_index(db, group) == by_scan(db, group)
    table_partition = db.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "p3"}},
    )["Items"]
    everything = db.scan(TableName=TABLE)["Items"]
    assert table_partition == sorted(
        (i for i in everything if i["PK"] == {"S": "p3"}), key=lambda i: i["SK"]["S"]
    )


def test_a_failed_transaction_leaves_items_indexes_and_stream_as_they_were(db):
    db.put_item(
        TableName=TABLE,
        Item={**key("r", "meta"), "G": {"S": "open"}, "GS": {"S": "1"}, "v": {"N": "1"}},
    )
    before = (db.scan(TableName=TABLE)["Items"], by_index(db, "open"), stream_length(db))
    with pytest.raises(ClientError):
        db.transact_write_items(
            TransactItems=[
                {"Update": {"TableName": TABLE, "Key": key("r", "meta"),
                            "UpdateExpression": "SET G = :closed, v = :two REMOVE GS",
                            "ExpressionAttributeValues": {":closed": {"S": "closed"}, ":two": {"N": "2"}}}},
                {"Put": {"TableName": TABLE, "Item": {**key("r", "event#2"), "G": {"S": "open"}, "GS": {"S": "2"}}}},
                {"Put": {"TableName": TABLE, "Item": {**key("r", "meta2"), "x": {"S": "y"}},
                         "ConditionExpression": "attribute_exists(PK)"}},
            ]
        )  # fmt: skip
    after = (db.scan(TableName=TABLE)["Items"], by_index(db, "open"), stream_length(db))
    assert after == before
    assert by_index(db, "closed") == []


def test_direct_json_answers_equal_motos_own_serializer(db, monkeypatch):
    item = {
        **key("all", "types"), "G": {"S": "t"}, "GS": {"S": "1"}, "n": {"N": "12.5"},
        "b": {"B": b"\x00\xffsealed"}, "bs": {"BS": [b"a", b"b"]}, "ss": {"SS": ["x", "y"]},
        "ns": {"NS": ["1", "2"]}, "m": {"M": {"inner": {"L": [{"S": "z"}, {"N": "3"}, {"B": b"q"}]}}},
        "t": {"BOOL": True}, "nothing": {"NULL": True}, "text": {"S": "— 🚧 <&>"},
    }  # fmt: skip
    db.put_item(TableName=TABLE, Item=item)
    db.put_item(TableName=TABLE, Item={**item, **key("all", "types2")})

    def reads():
        return [
            db.get_item(TableName=TABLE, Key=key("all", "types"), ReturnConsumedCapacity="TOTAL"),
            db.query(TableName=TABLE, KeyConditionExpression="PK = :p",
                     ExpressionAttributeValues={":p": {"S": "all"}}, Limit=1),
            by_index(db, "t"),
            db.scan(TableName=TABLE, ProjectionExpression="b, m"),
            db.batch_get_item(RequestItems={TABLE: {"Keys": [key("all", "types")]}}),
            db.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key("all", "types2")}}]),
        ]  # fmt: skip

    def strip(answers):
        for a in answers:
            if isinstance(a, dict):
                a.pop("ResponseMetadata", None)
        return answers

    fast = strip(reads())
    monkeypatch.setattr(moto_json, "fast_json_enabled", False)
    assert strip(reads()) == fast
    slow_update = db.update_item(TableName=TABLE, Key=key("all", "types"), UpdateExpression="SET n = :n",
                                 ExpressionAttributeValues={":n": {"N": "1"}}, ReturnValues="ALL_NEW")  # fmt: skip
    monkeypatch.setattr(moto_json, "fast_json_enabled", True)
    fast_update = db.update_item(TableName=TABLE, Key=key("all", "types2"), UpdateExpression="SET n = :n",
                                 ExpressionAttributeValues={":n": {"N": "1"}}, ReturnValues="ALL_NEW")  # fmt: skip
    slow_update["Attributes"].pop("SK"), fast_update["Attributes"].pop("SK")
    assert strip([slow_update]) == strip([fast_update])
    assert fast[0]["Item"]["b"] == {"B": b"\x00\xffsealed"}


def test_stream_records_as_json_equal_motos_own_serializer(db, monkeypatch):
    """GetRecords (what the event pump reads, 100 records a batch) answered directly
    parses to exactly what moto's serializer gives: images, keys, times, numbers."""
    db.put_item(TableName=TABLE, Item={**key("s", "1"), "b": {"B": b"\x00\x01"}, "n": {"N": "2"},
                                       "m": {"M": {"l": {"L": [{"S": "é"}, {"NULL": True}]}}}})  # fmt: skip
    db.update_item(TableName=TABLE, Key=key("s", "1"), UpdateExpression="SET n = :n",
                   ExpressionAttributeValues={":n": {"N": "3"}})  # fmt: skip
    db.delete_item(TableName=TABLE, Key=key("s", "1"))
    streams = boto3_streams(db)
    arn = db.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

    def records():
        it = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        return streams.get_records(ShardIterator=it, Limit=50)["Records"]

    fast = records()
    monkeypatch.setattr(moto_json, "fast_json_enabled", False)
    slow = records()
    assert fast == slow and len(fast) >= 3
    assert [r["eventName"] for r in fast][-3:] == ["INSERT", "MODIFY", "REMOVE"]
    assert fast[-3]["dynamodb"]["NewImage"]["b"] == {"B": b"\x00\x01"}


def boto3_streams(db):
    import boto3

    return boto3.client("dynamodbstreams", region_name=db.meta.region_name)


def test_every_user_pool_signs_with_moto_s_own_key_imported_once(aws):
    """The shared key is moto's built-in one (what its JWKS endpoint publishes), the
    same object for every pool, so tokens from any pool verify as before."""
    from joserfc import jwk
    from moto.cognitoidp import models as cognito

    idp = aws.client("cognito-idp")
    pools = [idp.create_user_pool(PoolName=f"p{n}")["UserPool"]["Id"] for n in range(2)]
    backend = cognito.cognitoidp_backends["123456789012"]["ap-southeast-3"]
    keys = [backend.user_pools[p].json_web_key for p in pools]
    assert keys[0] is keys[1]
    builtin = cognito.load_resource("cognitoidp/resources/jwks-private.json")
    assert keys[0].as_dict(private=True) == jwk.RSAKey.import_key(builtin).as_dict(private=True)


@pytest.mark.parametrize("kind", ["S", "N", "mixed"])
def test_index_order_from_plain_values_is_motos_own(kind):
    """Sorting a partition by its keys' plain values gives moto's order exactly (ties
    kept in place), and falls back to moto's comparisons where the types mix."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    rng = random.Random(7)

    def value(n):
        t = rng.choice("SN") if kind == "mixed" else kind
        v = rng.choice([str(rng.randint(-50, 50)), f"{rng.uniform(-9, 9):.3f}", "1e2", "0"])
        return DynamoType({t: v if t == "N" else rng.choice(["é", "a", "B", "a#", "ab", v])})

    class Row:
        def __init__(self, n):
            self.n = n
            self.attrs = {"G": value(n), "PK": DynamoType({"S": f"p{n % 7}"})}

    rows = [Row(n) for n in range(300)]
    ours = moto_reads.sort_natively(rows, lambda r: [r.attrs["G"], r.attrs["PK"]])
    if kind == "mixed":
        assert ours is None  # moto's own comparisons decide (and refuse, as here)
        return
    theirs = sorted(rows, key=lambda r: (r.attrs["G"], r.attrs["PK"]))
    assert [r.n for r in ours] == [r.n for r in theirs]


def test_the_patches_refuse_any_moto_but_the_one_they_were_written_for(monkeypatch):
    """They replace moto's private attributes: on another moto they would patch code
    that is no longer there. The refusal says what was expected, what was found, and
    what to do."""
    import moto

    from kawal_local import moto_expressions, moto_memory, moto_speed

    monkeypatch.delenv("KAWAL_STOCK_MOTO", raising=False)
    monkeypatch.setattr(moto, "__version__", "5.3.0")
    with pytest.raises(RuntimeError) as refused:
        moto_speed.install()
    message = str(refused.value)
    assert "written for moto 5.2.5, found moto 5.3.0" in message
    assert "moto==5.2.5" in message and "KAWAL_STOCK_MOTO=1" in message
    assert moto_speed.MOTO_VERSION in (ROOT / "requirements-dev.txt").read_text()
    for alone in (moto_memory.install, moto_reads.install, moto_expressions.install):
        with pytest.raises(RuntimeError, match=r"found moto 5\.3\.0"):
            alone()

    monkeypatch.setenv("KAWAL_STOCK_MOTO", "1")  # moto as released: nothing to refuse
    assert moto_speed.install() is False

    monkeypatch.setattr(moto, "__version__", "5.2.5")
    monkeypatch.delenv("KAWAL_STOCK_MOTO")
    assert moto_speed.install() is True
