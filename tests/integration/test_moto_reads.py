"""The runner's read shortcuts (``kawal_local/moto_reads.py``) change no answer:
an item's size is moto's own figure for every attribute type, a query whose results
are not copied answers as one whose results are, page limits included, and a
projection of names keeps what moto's own keeps."""

from __future__ import annotations

import base64

import pytest
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from kawal_local import moto_reads

from .test_moto_speed import TABLE, db, key  # noqa: F401  (the fixture)

pytestmark = pytest.mark.patched_moto  # the patches' own tests

EVERY_TYPE = {
    "s": {"S": "jalan berlubang — 5 m"},
    "n": {"N": "-12.50"},
    "b": {"B": base64.b64encode(b"\x00\xff photo").decode()},
    "bool": {"BOOL": False},
    "null": {"NULL": True},
    "ss": {"SS": ["a", "bé"]},
    "ns": {"NS": ["1", "2.5", "-3"]},
    "bs": {"BS": [base64.b64encode(b"x").decode()]},
    "l": {"L": [{"S": "x"}, {"N": "7"}, {"M": {"k": {"BOOL": True}}}]},
    "m": {
        "M": {"nested": {"M": {"deep": {"L": [{"NULL": True}, {"SS": ["p"]}]}}}, "n": {"N": "1"}}
    },
}


def moto_item_size(item: Item) -> int:
    """moto's own ``Item.size`` (replaced for the suite by the shortcut under test)."""
    from moto.dynamodb.models.utilities import bytesize

    return sum(bytesize(k) + DynamoType.size(v) for k, v in item.attrs.items())


def test_an_items_size_is_motos_own_figure_for_every_type():
    item = Item(hash_key=DynamoType({"S": "P"}), range_key=None, attrs=EVERY_TYPE)
    assert moto_reads.item_size(item) == moto_item_size(item) > 50
    for name, value in EVERY_TYPE.items():
        one = Item(hash_key=DynamoType({"S": "P"}), range_key=None, attrs={name: value})
        assert moto_reads.item_size(one) == moto_item_size(one), name


def test_uncopied_query_results_answer_as_copied_ones(db, monkeypatch):  # noqa: F811
    # ~300 KB items: the 1 MB page limit ends pages, not just Limit
    for n in range(12):
        big = {"S": str(n % 10) * 300_000}
        db.put_item(TableName=TABLE, Item={**key("P", f"S{n:02d}"), **EVERY_TYPE, "big": big})

    def pages(**extra) -> list:
        out, start = [], None
        while True:
            more = {"ExclusiveStartKey": start} if start else {}
            page = db.query(
                TableName=TABLE,
                KeyConditionExpression="PK = :p",
                ExpressionAttributeValues={":p": {"S": "P"}},
                Limit=5,
                **extra,
                **more,
            )
            out.append(page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return out

    copied = pages()
    monkeypatch.setattr(moto_reads, "answers_computed_under_lock", True)
    uncopied = pages()
    assert uncopied == copied
    assert [len(p) for p in copied] == [3, 3, 3, 3]  # the size limit, not Limit=5
    projected = pages(ProjectionExpression="SK, m.nested")
    assert projected[0][0] == {
        "SK": {"S": "S00"},
        "m": {"M": {"nested": EVERY_TYPE["m"]["M"]["nested"]}},
    }


KEYS = [
    DynamoType(v)
    for v in ({"S": "a"}, {"S": "1"}, {"S": ""}, {"S": "2026-12#x"}, {"N": "1"}, {"N": "1.0"},
              {"N": "-3"}, {"B": base64.b64encode(b"1").decode()})
]  # fmt: skip


def unordered(value):
    """A DynamoDB JSON value with its sets sorted: a set has no order (moto's own
    projection passes one through a Python set)."""
    if isinstance(value, dict):
        return {k: sorted(v) if k in ("SS", "NS", "BS") else unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unordered(v) for v in value]
    return value


def test_a_projection_of_names_keeps_what_moto_s_own_keeps():
    """Top-level names (present, absent, mixed with a nested path) answer as moto's
    own ``Item.project``, which the shortcut keeps for nested paths."""
    moto_reads.install()
    moto_project = Item.project.__wrapped_project__  # moto's own
    # moto's own cannot project an item holding binary (it decodes B as bytes twice)
    plain = {k: v for k, v in EVERY_TYPE.items() if k not in ("b", "bs")}
    item = Item(hash_key=DynamoType({"S": "P"}), range_key=DynamoType({"S": "S"}), attrs=plain)
    for names in (["s"], ["n", "ss", "m"], [*plain], ["s", "absent"], ["absent"]):
        paths = [[n] for n in names]
        fast, slow = item.project(paths), moto_project(item, paths)
        assert unordered(fast.to_json()) == unordered(slow.to_json()), names
        assert (fast.hash_key, fast.range_key) == (slow.hash_key, slow.range_key)
    nested = [["s"], ["m", "nested"]]
    assert unordered(item.project(nested).to_json()) == unordered(
        moto_project(item, nested).to_json()
    )
    assert item.project(nested).to_json()["Attributes"]["m"] == {
        "M": {"nested": EVERY_TYPE["m"]["M"]["nested"]}
    }
    whole = Item(hash_key=DynamoType({"S": "P"}), range_key=None, attrs=EVERY_TYPE)
    kept = whole.project([["b"], ["bs"], ["s"]])
    assert kept.to_json()["Attributes"] == {n: EVERY_TYPE[n] for n in ("b", "bs", "s")}
    assert list(whole.attrs) == list(EVERY_TYPE)  # the stored item is untouched


def test_keys_hash_and_compare_as_moto_defines_them():
    for a in KEYS:
        assert hash(a) == hash((a.type, a.cast_value))
        for b in KEYS:
            assert (a == b) is (a.type == b.type and a.cast_value == b.cast_value), (a, b)
            assert (a != b) is not (a == b)


def test_a_key_condition_passes_what_moto_s_compare_passes():
    texts = [
        DynamoType({"S": s}) for s in ("", "2026-11", "2026-11-30#z", "2026-12-01#a", "2026-12~")
    ]
    numbers = [DynamoType({"N": n}) for n in ("-1", "0", "2.5", "10")]
    cases = [
        ("BETWEEN", texts, [texts[1], texts[3]]),
        ("BEGINS_WITH", texts, [DynamoType({"S": "2026-11"})]),
        ("LE", texts, [texts[2]]),
        ("GT", numbers, [numbers[1]]),
        ("BETWEEN", numbers, [numbers[0], numbers[2]]),
    ]
    for comparison, values, operands in cases:
        passes = moto_reads.key_condition(comparison, operands)
        assert [passes(v) for v in values] == [v.compare(comparison, operands) for v in values]
        assert any(passes(v) for v in values) and not all(passes(v) for v in values)


def test_the_runner_saves_the_table_as_a_scan_reads_it(db):  # noqa: F811
    """``table_items`` (what the runner's save writes) gives a Scan's items, binary as
    bytes, in chunks, and not an item deleted after its chunk was listed."""
    import threading

    from kawal_local.embedded_aws import table_items

    for n in range(7):
        db.put_item(TableName=TABLE, Item={**key("P", f"S{n}"), **EVERY_TYPE})
    scanned = db.scan(TableName=TABLE)["Items"]
    saved = table_items(TABLE, threading.Lock(), chunk=3)
    first = [next(saved) for _ in range(3)]
    db.delete_item(TableName=TABLE, Key=key("P", "S6"))
    rest = list(saved)
    order = {item["SK"]["S"]: n for n, item in enumerate(scanned)}
    assert sorted(first + rest, key=lambda i: order[i["SK"]["S"]]) == [
        i for i in scanned if i["SK"]["S"] != "S6"
    ]
    assert isinstance(rest[0]["b"]["B"], bytes) and len(first + rest) == 6
