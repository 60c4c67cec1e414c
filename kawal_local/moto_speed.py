"""Two costs of moto's DynamoDB that grow with the table, removed for the local runner
(and the tests), without changing what any call answers:

1. ``TransactWriteItems`` deep-copies every table it touches before it starts, to
   roll back on failure: the whole table, stream records included, on every
   transaction. Here the items the transaction names are copied instead, and a
   failed transaction puts exactly those back (and drops the stream records it
   added): the same all-or-nothing outcome at the cost of the transaction's size.
2. ``Query`` walks (and sorts) every item of the table to find one partition, of the
   table or of an index. Here a query reads only its partition: the table's from
   moto's own hash map, an index's from a map kept up to date on every write
   (put, update, delete, batch, transaction, rollback); an index query's sort-key
   condition (``begins_with``, ``BETWEEN``…) is applied before moto sorts, as
   DynamoDB reads only the matching key range.

3. Every answer is serialised member by member against the service model (moto's
   generic serializer: ~7 ms for a report's partition, ~0.35 s for a batch of 100
   stream records). The item reads and writes (Query, GetItem, PutItem, …) and the
   stream's GetRecords are written as JSON directly here: their results are already
   the wire's shape; only binary values (base64) and times (epoch seconds) need
   converting, and absent (None) members are left out, as the serializer does. moto
   first turns each result into plain values (a walk of its own); here one walk does
   both (``moto_json.wire_dynamo``).

4. Every Cognito user pool imports moto's one built-in signing key (the same JWK file
   for every pool: ~85 ms of RSA parsing per pool). Here it is imported once and
   shared: each pool still signs with that same key, as before.

All four are moto defects worth reporting upstream (moto 5.2.5,
``moto/dynamodb/models/__init__.py`` ``transact_write_items``,
``moto/dynamodb/models/table.py`` ``Table.query``/``all_items``,
``moto/core/serialize.py``); docs/benchmarks.md gives the measured cost. ``install()`` is
idempotent; nothing in ``chalicelib`` knows.

The patches replace moto's private attributes, so they install only on the moto they
were written for (``MOTO_VERSION``, pinned in requirements-dev.txt) and refuse any
other loudly; ``KAWAL_STOCK_MOTO=1`` runs moto as released instead (docs/local-runner.md).
"""

from __future__ import annotations

import copy
import inspect
import json
import os
import threading
from collections import defaultdict
from typing import Any

from kawal_local import moto_expressions, moto_json, moto_memory, moto_reads

MOTO_VERSION = "5.2.5"  # the moto these patches were written against (and tested on)
_installed = False
_narrowed = threading.local()  # the partition a query on this thread reads


class _NoTableCopy:
    """``copy`` as moto's backend module sees it: deep copies of anything but a whole
    table, which the transaction wrapper below makes unnecessary."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        if isinstance(value, Table):
            return value  # "restoring" it is then a no-op; the wrapper restores items
        return copy.deepcopy(value, memo)


# -- the index partitions -------------------------------------------------------------


def _value_key(value: Any) -> tuple[str, str]:
    return (value.type, str(value.value))


class _Partitions:
    """For one table: index hash attribute -> value -> the items' keys, and back."""

    def __init__(self, table: Any):
        self.attrs = sorted(
            {
                part["AttributeName"]
                for index in [*(table.global_indexes or []), *(table.indexes or [])]
                for part in index.schema
                if part["KeyType"] == "HASH"
            }
        )
        self.members: dict[tuple[str, tuple[str, str]], dict[tuple, None]] = defaultdict(dict)
        self.of_item: dict[tuple, list[tuple[str, tuple[str, str]]]] = {}
        for item in _every_item(table):
            self.refresh(table, item.hash_key, item.range_key)

    def refresh(self, table: Any, hash_key: Any, range_key: Any) -> None:
        key = (hash_key, range_key)
        for entry in self.of_item.pop(key, []):
            members = self.members[entry]
            members.pop(key, None)
            if not members:  # an index value no item holds any more (a report's GEO cell)
                del self.members[entry]
        item = _get(table, hash_key, range_key)
        if item is None:
            return
        entries = []
        for attr in self.attrs:
            value = item.attrs.get(attr)
            if value is not None:
                entry = (attr, _value_key(value))
                self.members[entry][key] = None
                entries.append(entry)
        self.of_item[key] = entries


def _every_item(table: Any) -> list[Any]:
    out = []
    for hash_set in table.items.values():
        out += list(hash_set.values()) if table.range_key_attr else [hash_set]
    return out


def _get(table: Any, hash_key: Any, range_key: Any) -> Any:
    found = table.items.get(hash_key)  # .get: the defaultdict grows no empty entry
    if found is None:
        return None
    return found.get(range_key) if table.range_key_attr else found


def _partitions(table: Any) -> _Partitions:
    parts = table.__dict__.get("_kawal_partitions")
    if parts is None:
        parts = table.__dict__["_kawal_partitions"] = _Partitions(table)
    return parts


def _touched(table: Any, hash_key: Any, range_key: Any) -> None:
    parts = table.__dict__.get("_kawal_partitions")
    if parts is not None:
        parts.refresh(table, hash_key, range_key)


# -- install ----------------------------------------------------------------------------


def _share_cognito_signing_key() -> None:
    """moto's pools all import one key file (``jwk`` is only used for that in its
    Cognito models); import it once: a key is immutable, every pool signs with it."""
    import types

    from moto.cognitoidp import models as cognito

    builtin = cognito.load_resource("cognitoidp/resources/jwks-private.json")
    key = cognito.jwk.RSAKey.import_key(builtin)
    import_key = cognito.jwk.RSAKey.import_key

    def shared(value: Any, *args: Any, **kwargs: Any) -> Any:
        return (
            key if value == builtin and not (args or kwargs) else import_key(value, *args, **kwargs)
        )

    rsa = types.SimpleNamespace(import_key=shared)
    cognito.jwk = types.SimpleNamespace(RSAKey=rsa)  # type: ignore[attr-defined]


def stock_moto() -> bool:
    """``KAWAL_STOCK_MOTO=1``: moto as released, none of the patches (slower, more memory)."""
    return os.environ.get("KAWAL_STOCK_MOTO", "") == "1"


def check_moto_version(found: str | None = None) -> None:
    """Refuse to patch any moto but the one the patches were written for."""
    if found is None:
        import moto

        found = moto.__version__
    if found != MOTO_VERSION:
        raise RuntimeError(
            f"kawal_local's moto patches (moto_speed, moto_memory, moto_reads, "
            f"moto_expressions, moto_json) were written for moto {MOTO_VERSION}, "
            f"found moto {found}. Install moto=={MOTO_VERSION} (requirements-dev.txt), "
            f"or update the patches for moto {found} and MOTO_VERSION in "
            f"kawal_local/moto_speed.py, or run on stock moto with KAWAL_STOCK_MOTO=1 "
            f"(slower, and more memory, on large tables)."
        )


def install() -> bool:
    """Patch moto (once); ``False`` if ``KAWAL_STOCK_MOTO=1`` asks for moto as released."""
    global _installed
    if stock_moto():
        return False
    check_moto_version()
    if _installed:
        return True
    _installed = True
    from moto.dynamodb import models as backend_module
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    backend_module.copy = _NoTableCopy()  # type: ignore[attr-defined]
    _share_cognito_signing_key()
    moto_memory.install()
    moto_reads.install()
    moto_expressions.install()

    from moto.dynamodb.responses import DynamoResult

    execute_result = DynamoResult.execute_result
    from moto.core.responses import ActionResult
    from moto.dynamodb.models.utilities import dynamo_to_dict

    def keep_raw(self: Any, result: Any) -> None:
        ActionResult.__init__(self, result)  # converted only if moto's serializer is used

    def json_result(self: Any, context: Any) -> Any:
        name = context.operation_model.name
        if (
            not moto_json.fast_json_enabled
            or name not in moto_json.FAST_JSON
            or not isinstance(self._result, dict)
        ):
            self._result = dynamo_to_dict(self._result)
            return execute_result(self, context)
        body = json.dumps(moto_json.wire_dynamo(self._result), separators=(",", ":"))
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    DynamoResult.__init__ = keep_raw  # type: ignore[method-assign]
    DynamoResult.execute_result = json_result  # type: ignore[method-assign]

    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    get_records = DynamoDBStreamsHandler.get_records

    def json_records(self: Any) -> Any:
        """GetRecords as JSON: its records are stored in the wire's shape already
        (images as DynamoDB JSON); only the creation time needs converting."""
        if not moto_json.fast_json_enabled:
            return get_records(self)
        result = self.backend.get_records(
            self._get_param("ShardIterator"), self._get_param("Limit") or 1000
        )
        return json.dumps(moto_json.wire(result), separators=(",", ":"))

    DynamoDBStreamsHandler.get_records = json_records  # type: ignore[method-assign]

    all_items = Table.all_items

    def narrowed_all_items(self: Any) -> list[Any]:
        only = getattr(_narrowed, "items", None)
        if only is not None and getattr(_narrowed, "table", None) is self:
            return only
        return all_items(self)

    Table.all_items = narrowed_all_items  # type: ignore[method-assign]

    query = Table.query

    signature = inspect.signature(query)

    def partition_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        asked = signature.bind(self, hash_key, *args, **kwargs).arguments
        index_name = asked.get("index_name")  # moto passes it by position
        conditions = asked.get("hash_key_conditions") or []
        if index_name:
            index = next(
                (i for i in [*(self.global_indexes or []), *(self.indexes or [])]
                 if i.name == index_name),
                None,
            )  # fmt: skip
            schema = index.schema if index else []
            hashes = [p["AttributeName"] for p in schema if p["KeyType"] == "HASH"]
            wanted = dict(conditions)
            if len(hashes) != 1 or hashes[0] not in wanted:
                return query(self, hash_key, *args, **kwargs)
            parts = _partitions(self)
            keys = parts.members.get((hashes[0], _value_key(wanted[hashes[0]])), {})
            ranges = [p["AttributeName"] for p in schema if p["KeyType"] == "RANGE"]
            found = [i for k in keys if (i := _get(self, *k)) is not None]
            comparison, operands = asked.get("range_comparison"), asked.get("range_objs")
            if comparison and len(ranges) == 1:  # the key condition on the sort key, first
                passes = moto_reads.key_condition(comparison, operands)
                found = [
                    i for i in found if (v := i.attrs.get(ranges[0])) is not None and passes(v)
                ]  # fmt: skip
            only = moto_reads.sorted_by_key(found)
        elif hash_key is not None:
            found = self.items.get(hash_key)
            if found is None:
                only = []
            else:
                only = moto_reads.sorted_by_key(
                    list(found.values()) if self.range_key_attr else [found]
                )
        else:
            return query(self, hash_key, *args, **kwargs)
        _narrowed.table, _narrowed.items = self, only
        try:
            with moto_reads.sizes_remembered():  # moto sizes each result twice
                return query(self, hash_key, *args, **kwargs)
        finally:
            _narrowed.table = _narrowed.items = None

    Table.query = partition_query  # type: ignore[method-assign]

    sorted_items = Table.sorted_items

    def natively_sorted_items(self: Any, hashes: Any, ranges: Any, items: list) -> list:
        attrs = self._generate_attr_to_sort_by(hashes, ranges)
        fast = moto_reads.sort_natively(items, lambda x: [x.attrs[a] for a in attrs])
        if fast is None:
            return sorted_items(self, hashes, ranges, items)
        items[:] = fast
        return items

    Table.sorted_items = natively_sorted_items  # type: ignore[method-assign]

    put_item = Table.put_item

    def tracked_put(self: Any, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        item = put_item(self, item_attrs, *args, **kwargs)
        _touched(self, item.hash_key, item.range_key)
        return item

    Table.put_item = tracked_put  # type: ignore[method-assign]

    delete_item = Table.delete_item

    def tracked_delete(self: Any, hash_key: Any, range_key: Any) -> Any:
        try:
            return delete_item(self, hash_key, range_key)
        finally:
            _touched(self, hash_key, range_key)

    Table.delete_item = tracked_delete  # type: ignore[method-assign]

    update_item = DynamoDBBackend.update_item

    def tracked_update(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any):
        table = self.get_table(table_name)
        try:
            return update_item(self, table_name, key, *args, **kwargs)
        finally:
            hash_key, range_key = self.get_keys_value(table, key)
            _touched(table, hash_key, range_key)

    DynamoDBBackend.update_item = tracked_update  # type: ignore[method-assign]

    transact = DynamoDBBackend.transact_write_items

    def item_level_transact(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved: dict[tuple[str, Any, Any], Any] = {}
        streams: dict[str, int] = {}
        for entry in transact_items[:100]:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            attrs = op.get("Item") or op.get("Key") or {}
            try:
                hash_key = DynamoType(attrs[table.hash_key_attr])
                range_key = (
                    DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
                )
            except (KeyError, TypeError):
                continue  # moto refuses it as the transaction's first step
            saved[(table.name, hash_key, range_key)] = copy.deepcopy(
                _get(table, hash_key, range_key)
            )
            if table.stream_shard is not None:
                streams.setdefault(table.name, len(table.stream_shard.items))
        try:
            transact(self, transact_items)
        except Exception:
            for (name, hash_key, range_key), before in saved.items():
                table = self.tables[name]
                if before is None:
                    if table.range_key_attr:
                        table.items.get(hash_key, {}).pop(range_key, None)
                        if hash_key in table.items and not table.items[hash_key]:
                            del table.items[hash_key]
                    else:
                        table.items.pop(hash_key, None)
                elif table.range_key_attr:
                    table.items[hash_key][range_key] = before
                else:
                    table.items[hash_key] = before
                _touched(table, hash_key, range_key)
            for name, length in streams.items():
                del self.tables[name].stream_shard.items[length:]
            raise

    DynamoDBBackend.transact_write_items = item_level_transact  # type: ignore[method-assign]
    return True
