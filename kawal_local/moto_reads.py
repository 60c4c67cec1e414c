"""Three costs moto's DynamoDB adds to every item a Query returns, removed for the local
runner without changing any answer (each ~15 % of an Open311 list of a year):

1. ``Item.size()`` (for the 1 MB page limit, twice per item) wraps every map member
   in a new ``DynamoType``, recursively, to measure it. Here the same number is
   computed from the stored values directly (``tests/integration/test_moto_reads.py``
   compares the two over every attribute type).
2. ``Query`` deep-copies its results, so that a write landing while the answer is
   serialised cannot change it. The local runner computes each answer whole under
   its DynamoDB lock (``embedded_aws``): no write can land, so there the copy is
   skipped. Anywhere else (the in-process tests, which may read and write from
   several threads at once) it stays.

3. ``Item.project`` converts the whole item to plain JSON once per projected name, and
   the kept part back (``ProjectionExpression``: 18 names a list of a hundred
   reports, 1,800 conversions of a whole report). A projection of top-level names
   keeps those attributes as stored; nested paths go to moto's own.

All are worth reporting upstream (moto 5.2.5, ``moto/dynamodb/models/dynamo_type.py``
``Item.size`` and ``Item.project``, ``moto/dynamodb/models/table.py`` ``Table.query``).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from moto.dynamodb.models.utilities import bytesize

_SETS = ("SS", "NS", "BS")
_installed = False
answers_computed_under_lock = False  # set by the runner's embedded AWS
_within_query = threading.local()


def value_size(value: Any) -> int:
    """``DynamoType.size()``, without building a ``DynamoType`` per member."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if type(value) is not DynamoType:
        value = DynamoType(value)
    kind, raw = value.type, value.value
    if kind == "N":
        return len(str(raw))
    if kind in _SETS:
        if kind == "NS":
            return sum(len(str(v)) for v in raw)
        return sum(bytesize(v) for v in raw)
    if kind == "L":
        return sum(value_size(v) for v in raw)
    if kind == "M":
        return sum(bytesize(k) + value_size(v) for k, v in raw.items())
    if isinstance(raw, bool):  # BOOL, and NULL (stored as True)
        return 1
    return bytesize(raw)


def item_size(item: Any) -> int:
    sizes = getattr(_within_query, "sizes", None)
    if sizes is not None and (known := sizes.get(id(item))) is not None:
        return known
    size = sum(bytesize(key) + value_size(value) for key, value in item.attrs.items())
    if sizes is not None:
        sizes[id(item)] = size
    return size


@contextmanager
def sizes_remembered() -> Iterator[None]:
    """Within one query (no write lands during it): each item is measured once."""
    _within_query.sizes = {}
    try:
        yield
    finally:
        _within_query.sizes = None


def _native(value: Any) -> Any:
    """A key value as Python compares it as moto's ``DynamoType`` does (strings by code
    point, numbers by value), without a ``DynamoType`` comparison per sorting step
    (~40 ms to sort a month's reports). Other types: ``TypeError``, moto's own way."""
    if value.type == "S":
        return value.value
    if value.type == "N":
        return Decimal(value.value)
    raise TypeError(value.type)


def sort_natively(items: list[Any], key: Any) -> list[Any] | None:
    """``items`` sorted by ``key`` (a tuple of ``DynamoType``) as moto would, or None
    where a value is not a string or a number, or the types mix."""
    try:
        keyed = [(tuple(_native(v) for v in key(item)), n) for n, item in enumerate(items)]
        keyed.sort()  # n breaks ties in the list's order: a stable sort, as moto's
    except (TypeError, KeyError, AttributeError):
        return None
    return [items[n] for _, n in keyed]


def sorted_by_key(items: list[Any]) -> list[Any]:
    def key(x: Any) -> tuple:
        return (x.hash_key, x.range_key) if x.range_key else (x.hash_key,)

    fast = sort_natively(items, key)
    return fast if fast is not None else sorted(items, key=key)


def key_condition(comparison: str, operands: list[Any]) -> Any:
    """``DynamoType.compare`` as a test of one stored value, its operands cast once
    (not once per item of the partition)."""
    from moto.dynamodb.comparisons import get_comparison_func

    test, bounds = get_comparison_func(comparison), [o.cast_value for o in operands]

    def passes(value: Any) -> bool:
        return test(value.value if value.type == "S" else value.cast_value, *bounds)

    return passes


def _string_keys_compared_directly(dynamo_type: type) -> None:
    """Every item lookup hashes and compares its key ``DynamoType``s, each time through
    ``cast_value``'s chain of type checks. A string's cast value is itself: the same
    hash and equality, computed directly."""
    hash_of, equal = dynamo_type.__hash__, dynamo_type.__eq__

    def fast_hash(self: Any) -> int:
        return hash(("S", self.value)) if self.type == "S" else hash_of(self)

    def fast_eq(self: Any, other: Any) -> bool:
        if self.type == "S" and type(other) is dynamo_type and other.type == "S":
            return self.value == other.value
        return equal(self, other)

    def fast_ne(self: Any, other: Any) -> bool:
        return not fast_eq(self, other)

    dynamo_type.__hash__, dynamo_type.__eq__ = fast_hash, fast_eq  # type: ignore[method-assign]
    dynamo_type.__ne__ = fast_ne  # type: ignore[method-assign]


def _projected_by_name(project: Any) -> Any:
    def projected(self: Any, projection_expressions: list[list[str]]) -> Any:
        names = [path[0] for path in projection_expressions]
        if any(len(path) != 1 or "[" in path[0] for path in projection_expressions):
            return project(self, projection_expressions)
        kept = type(self).__new__(type(self))
        kept.hash_key, kept.range_key = self.hash_key, self.range_key
        kept.attrs = type(self.attrs)()
        dict.update(kept.attrs, {n: self.attrs[n] for n in names if n in self.attrs})
        return kept

    projected.__wrapped_project__ = project  # type: ignore[attr-defined]
    return projected


class _ResultsUncopied:
    """``copy`` as moto's table module sees it: a Query's list of result items is not
    copied while answers are computed under the runner's lock; everything else
    (a backup's table, a restore's indexes) is, as before."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.dynamo_type import Item

        if (
            answers_computed_under_lock
            and type(value) is list
            and all(type(member) is Item for member in value)
        ):
            return list(value)
        return copy.deepcopy(value, memo)


def install() -> None:
    global _installed
    from kawal_local.moto_speed import check_moto_version

    check_moto_version()  # moto_speed.MOTO_VERSION's moto only, even installed alone
    if _installed:
        return
    _installed = True
    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    _string_keys_compared_directly(DynamoType)
    Item.size = item_size  # type: ignore[method-assign]
    Item.project = _projected_by_name(Item.project)  # type: ignore[method-assign]
    table_module.copy = _ResultsUncopied()  # type: ignore[attr-defined]
