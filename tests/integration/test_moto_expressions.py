"""The runner's faster UpdateExpression handling (``kawal_local/moto_expressions.py``)
answers every update as moto's own does: the item written, or the error word for
word, for well-formed expressions and for each way moto refuses one."""

from __future__ import annotations

import random

import botocore.exceptions
import pytest

from kawal_local import moto_expressions

from .test_moto_speed import TABLE, db, key  # noqa: F401  (the fixture)

NAMES = {f"#{n}": n for n in ("a", "b", "n", "l", "s", "m", "c", "PK")}
VALUES = {
    ":v": {"S": "baru"},
    ":w": {"S": "lain"},
    ":one": {"N": "1"},
    ":zero": {"N": "0"},
    ":lst": {"L": [{"S": "x"}]},
    ":set": {"SS": ["p"]},
}
STORED = {
    "a": {"S": "lama"},
    "b": {"S": "hapus"},
    "n": {"N": "5"},
    "l": {"L": [{"S": "w"}]},
    "s": {"SS": ["p", "q"]},
    "m": {"M": {"x": {"N": "1"}, "y": {"S": "z"}}},
}
# well-formed, and each way moto refuses one
EXPRESSIONS = [
    "SET #a = :v, #b = :w",
    "SET #a = :v REMOVE #b ADD #n :one DELETE #s :set",
    "SET #l = list_append(#l, :lst), #c = if_not_exists(#c, :zero) + :one",
    "SET #n = #n + :one, #m.x = :one, #m.#c = :v",
    "REMOVE #m.y, #b",
    "SET #a = :v, #a = :w",  # the same path twice
    "SET #m.x = :one, #m = :v",  # overlapping paths
    "REMOVE #b, #b",
    "ADD #n :one, #n :one",
    "SET #a = :v SET #b = :w",  # two SET clauses
    "REMOVE #a REMOVE #b",
    "SET #c = #nope + :one",  # a path that does not exist
    "SET #PK = :v",  # a key attribute
    "SET #a = :v, #c = #a, #b = #m.x",
]
PARTS = ["#a = :v", "#b = :w", "#n = #n + :one", "#m.x = :one", "#m = :w", "#c = :v", "#a = :w"]


pytestmark = pytest.mark.patched_moto  # the patches' own tests


def outcome(db, expression: str, n: int, transact: bool) -> tuple:  # noqa: F811
    """What one update does to a fresh copy of the stored item: its attributes
    after, or moto's error."""
    item_key = key("E", f"{n:03d}")
    db.put_item(TableName=TABLE, Item={**item_key, **STORED})
    used = {k: v for k, v in NAMES.items() if k in expression}
    values = {k: v for k, v in VALUES.items() if k in expression}
    update = {
        "TableName": TABLE,
        "Key": item_key,
        "UpdateExpression": expression,
        "ExpressionAttributeNames": used,
        **({"ExpressionAttributeValues": values} if values else {}),
    }
    try:
        if transact:
            db.transact_write_items(TransactItems=[{"Update": update}])
        else:
            db.update_item(**update)
    except botocore.exceptions.ClientError as exc:
        error = exc.response["Error"]
        return ("error", error["Code"], error["Message"])
    except TypeError as exc:  # moto's own defect (REMOVE inside a value just SET as a string)
        return ("error", "TypeError", str(exc))
    stored = db.get_item(TableName=TABLE, Key=item_key)["Item"]
    return ("item", {k: sorted(v["SS"]) if "SS" in v else v for k, v in stored.items()})


def both_ways(db, expressions: list[str], transact: bool) -> None:  # noqa: F811
    fast = [outcome(db, e, n, transact) for n, e in enumerate(expressions)]
    with moto_expressions.moto_s_own():
        own = [outcome(db, e, n, transact) for n, e in enumerate(expressions)]
    for expression, mine, theirs in zip(expressions, fast, own, strict=True):
        assert mine == theirs, expression


@pytest.mark.parametrize("transact", [False, True], ids=["update_item", "transaction"])
def test_every_update_answers_as_moto_s_own(db, transact):  # noqa: F811
    both_ways(db, EXPRESSIONS, transact)


def test_random_updates_answer_as_moto_s_own(db):  # noqa: F811
    rng = random.Random(311)
    expressions = []
    for _ in range(60):
        sets = rng.sample(PARTS, rng.randint(1, 5))
        expression = "SET " + ", ".join(sets)
        if rng.random() < 0.4:
            expression += " REMOVE " + ", ".join(rng.sample(["#b", "#l", "#m.y", "#b"], 2))
        if rng.random() < 0.2:
            expression += " SET #s = :set"
        expressions.append(expression)
    both_ways(db, expressions, transact=False)
    # at least some of them refused, and some written
    kinds = {outcome(db, e, 900 + n, False)[0] for n, e in enumerate(expressions)}
    assert kinds == {"error", "item"}


def test_the_fast_path_is_what_the_suite_runs():
    """The swap is installed (and undone only inside ``moto_s_own``)."""
    from moto.dynamodb.parsing import ast_nodes, validators

    traverse = ast_nodes.DepthFirstTraverser.traverse_node_recursively
    assert traverse.__module__ == "kawal_local.moto_expressions"
    assert "traverse" in validators.ActionCountValidator.__dict__
    with moto_expressions.moto_s_own():
        assert ast_nodes.DepthFirstTraverser.traverse_node_recursively.__module__ != (
            "kawal_local.moto_expressions"
        )
        assert "traverse" not in validators.ActionCountValidator.__dict__
    assert ast_nodes.DepthFirstTraverser.traverse_node_recursively is traverse
