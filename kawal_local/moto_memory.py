"""moto keeps every model object it ever made: ``BaseModel.__new__`` appends each
instance to its class's ``instances_tracked`` list, read only by the moto server's
dashboard (``/moto-api/data.json``) and by S3's reset (to dispose of keys' buffers).
Nothing is ever removed until a reset, so a long-running embedded AWS holds every
DynamoDB item version, every transaction's rollback copy and every stream record
since it started: on a 30-day seeded history, 32,564 items alive for 6,986 stored,
and 10,489 stream records after the stream was trimmed to none.

Here the instances are tracked weakly: the dashboard and S3's reset still see every
object that is alive; what nothing else holds can be freed. The item-level classes
of DynamoDB (an item, a stream record, a shard iterator), made by the thousand and
only ever listed by the dashboard, are not tracked at all: a weak reference each
would cost more than the table's own keys.

Stream records are kept as one compressed JSON string each, not as moto's nested
dicts (a dict per attribute per image): DynamoDB keeps them 24 hours, so under load
they were the larger part of the memory (46 MB per 1,000 reports filed and
dispatched, against 25 MB for the items themselves). Every reader still gets moto's
dict.

An item's attribute names are shared (one string per name, not one per item: ~0.9 KB
of each ~5 KB item), and its size is checked once as it is built: moto's
``LimitedSizeDict`` re-measures the whole item at each attribute it adds (quadratic in
the attributes, on every write).

Shard iterators expire 15 minutes after they are handed out, as DynamoDB Streams'
do. moto keeps every one forever (each ~2.5 KB: a 472-byte random id, twice): the
event pump takes two per poll, four polls a second at rest, so an idle ``make run``
grew by ~70 MB an hour and a busy one by ~10 MB a minute. Their ids are also
shortened (32 random bytes, not 472).

A missed key leaves no empty partition in moto's item ``defaultdict``, and SNS keeps
only its newest messages and signing certificates (moto keeps every one).

All six are moto defects (moto 5.2.5, ``moto/core/common_models.py``
``BaseModel.__new__``; ``moto/dynamodb/models/table.py`` ``StreamRecord`` and
``Table.get_item``/``delete_item``; ``moto/dynamodb/models/dynamo_type.py``
``Item.__init__``; ``moto/dynamodbstreams/models.py``
``DynamoDBStreamsBackend.shard_iterators``; ``moto/sns/models.py``
``Topic.publish``/``Subscription.get_post_data``), for upstream; docs/benchmarks.md gives
the measured cost.
"""

from __future__ import annotations

import base64
import json
import time
import weakref
import zlib
from collections import deque
from typing import Any

UNTRACKED = {
    ("dynamodb", "Item"),
    ("dynamodb", "StreamRecord"),
    ("dynamodbstreams", "ShardIterator"),
}


class WeakTracked:
    """The slice of ``list`` moto uses on ``instances_tracked`` (append, iterate,
    len), holding its members weakly. Keyed by ``id``: moto's models define ``__eq__``
    without ``__hash__``, so they cannot be set members."""

    def __init__(self) -> None:
        self._refs: dict[int, Any] = {}

    def append(self, instance: Any) -> None:
        key = id(instance)
        refs = self._refs
        # the callback runs as the object is freed, before its id can be reused
        refs[key] = weakref.ref(instance, lambda _gone: refs.pop(key, None))

    def __iter__(self) -> Any:
        for ref in list(self._refs.values()):
            instance = ref()
            if instance is not None:
                yield instance

    def __len__(self) -> int:
        return len(self._refs)


class _NotTracked(WeakTracked):
    def append(self, instance: Any) -> None:
        pass


_BYTES = "\u0000b"  # tags a binary value inside a packed record


def _tagged(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode()}
    raise TypeError(f"{type(value).__name__} in a stream record")


def _untagged(value: dict) -> Any:
    return base64.b64decode(value[_BYTES]) if _BYTES in value else value


def created_at(record: Any) -> Any:
    """A stream record's creation time, without unpacking it."""
    packed_at = record.__dict__.get("created")
    return packed_at or record.record["dynamodb"]["ApproximateCreationDateTime"]


def _pack_stream_records() -> None:
    from moto.dynamodb.models.table import StreamRecord

    made = StreamRecord.__init__

    def unpacked(self: Any) -> dict[str, Any]:
        packed = self.__dict__.get("packed")
        if packed is None:
            return self.__dict__["raw"]
        text = zlib.decompress(packed)
        hook = _untagged if b'"\\u0000b"' in text else None
        record = json.loads(text, object_hook=hook)
        record["dynamodb"]["ApproximateCreationDateTime"] = self.__dict__["created"]
        return record

    def keep(self: Any, record: dict[str, Any]) -> None:
        self.__dict__["raw"] = record
        self.__dict__.pop("packed", None)

    def packed_init(self: Any, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        raw = self.__dict__["raw"]
        stream = dict(raw["dynamodb"])
        created = stream.pop("ApproximateCreationDateTime")
        text = json.dumps({**raw, "dynamodb": stream}, separators=(",", ":"), default=_tagged)
        # a quarter of the JSON's size, for ~70 µs a record (a write step takes ~7 ms)
        self.__dict__.update(created=created, packed=zlib.compress(text.encode(), 1))
        del self.__dict__["raw"]

    StreamRecord.record = property(unpacked, keep)  # type: ignore[assignment]
    StreamRecord.__init__ = packed_init  # type: ignore[method-assign]


_NAMES: dict[str, str] = {}  # an attribute name -> the one string kept for it
_MOST_NAMES = 10_000  # a table's names are a schema's few; past this, stop sharing


def _lean_items() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    from kawal_local.moto_reads import value_size

    def built(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key, self.range_key = hash_key, range_key
        kept = LimitedSizeDict()
        for key, value in attrs.items():
            name = _NAMES.get(key)
            if name is None:
                name = key if len(_NAMES) >= _MOST_NAMES else _NAMES.setdefault(key, key)
            dict.__setitem__(kept, name, DynamoType(value))
        # the limit moto applies attribute by attribute (sizes only add up: the same)
        if sum(bytesize(k) + value_size(v) for k, v in kept.items()) > 405000:
            raise ItemSizeTooLarge
        self.attrs = kept

    Item.__init__ = built  # type: ignore[method-assign]


def _no_empty_partitions() -> None:
    """moto keeps a table's items as ``{hash: {range: item}}`` in a ``defaultdict``:
    a GetItem (or a transaction's or a condition's look) at a key that is not there
    adds an empty partition for good, and so does deleting a partition's last item
    (every dispatched report's outbox entry). Neither is kept here."""
    from moto.dynamodb.models.table import Table

    get_item, delete_item = Table.get_item, Table.delete_item

    def get_without_adding(
        self: Any, hash_key: Any, range_key: Any = None, *args: Any, **kw: Any
    ) -> Any:
        if range_key and hash_key not in self.items:
            return None  # what moto answers, without the empty partition
        return get_item(self, hash_key, range_key, *args, **kw)

    def delete_and_drop_empty(self: Any, hash_key: Any, range_key: Any) -> Any:
        if range_key and hash_key not in self.items:
            return None
        deleted = delete_item(self, hash_key, range_key)
        if range_key and not self.items[hash_key]:
            del self.items[hash_key]
        return deleted

    Table.get_item = get_without_adding  # type: ignore[method-assign]
    Table.delete_item = delete_and_drop_empty  # type: ignore[method-assign]


KEPT_NOTIFICATIONS = 100  # per topic: SNS keeps none; moto's dashboard shows these
KEPT_SIGNING_CERTS = 1_000  # a subscriber fetches one as its message arrives


class NewestOnly(dict):
    """A dict that keeps only its ``most`` newest keys (moto only sets and reads)."""

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        while len(self) > self.most:
            del self[next(iter(self))]


def _bounded_notifications() -> None:
    """moto's SNS keeps every message published to a topic, and the PEM of a fresh
    signing certificate for every message delivered to a queue (~1 KB each): 2 MB
    in 15 minutes of filing at 0.5 reports a second, forever. The newest are kept."""
    from moto.sns.models import SNSBackend, Topic

    made_topic, made_backend = Topic.__init__, SNSBackend.__init__

    def topic(self: Any, *args: Any, **kwargs: Any) -> None:
        made_topic(self, *args, **kwargs)
        self.sent_notifications = deque(maxlen=KEPT_NOTIFICATIONS)

    def backend(self: Any, *args: Any, **kwargs: Any) -> None:
        made_backend(self, *args, **kwargs)
        self._message_public_keys = NewestOnly(KEPT_SIGNING_CERTS)

    Topic.__init__ = topic  # type: ignore[method-assign]
    SNSBackend.__init__ = backend  # type: ignore[method-assign]


ITERATOR_LIFETIME = 15 * 60.0  # seconds, as DynamoDB Streams


class ExpiringIterators(dict):
    """``shard_iterators`` as moto uses it (set, get by ARN), forgetting an iterator
    15 minutes after it was handed out; using one after that is a ``KeyError``, as an
    unknown iterator is to moto."""

    clock = staticmethod(time.monotonic)

    def __init__(self) -> None:
        super().__init__()
        self._handed_out: deque[tuple[float, str]] = deque()

    def __setitem__(self, arn: str, iterator: Any) -> None:
        now = self.clock()
        while self._handed_out and self._handed_out[0][0] <= now - ITERATOR_LIFETIME:
            self.pop(self._handed_out.popleft()[1], None)
        super().__setitem__(arn, iterator)
        self._handed_out.append((now, arn))


def _expiring_shard_iterators() -> None:
    import secrets

    from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

    made = DynamoDBStreamsBackend.__init__

    def expiring(self: Any, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        self.shard_iterators = ExpiringIterators()

    DynamoDBStreamsBackend.__init__ = expiring  # type: ignore[method-assign]
    handed_out = ShardIterator.__init__

    def shorter(self: Any, *args: Any, **kwargs: Any) -> None:
        handed_out(self, *args, **kwargs)
        self.id = secrets.token_urlsafe(32)  # as unguessable; moto's is 632 characters

    ShardIterator.__init__ = shorter  # type: ignore[method-assign]


def install() -> None:
    from kawal_local.moto_speed import check_moto_version

    check_moto_version()  # moto_speed.MOTO_VERSION's moto only, even installed alone
    _pack_stream_records()
    _lean_items()
    _no_empty_partitions()
    _bounded_notifications()
    _expiring_shard_iterators()
    from moto.core import common_models
    from moto.core.model_instances import model_data

    base = common_models.BaseModel

    def fresh(cls: type) -> WeakTracked:
        service = cls.__module__.split(".")[1]
        return _NotTracked() if (service, cls.__name__) in UNTRACKED else WeakTracked()

    def tracked_new(cls: Any, *_args: Any, **_kwargs: Any) -> Any:
        instance = super(base, cls).__new__(cls)  # as moto's own __new__ does
        tracked = cls.__dict__.get("instances_tracked")
        if not isinstance(tracked, WeakTracked):  # a new class, or after moto's reset
            tracked = fresh(cls)
            cls.instances_tracked = tracked
        tracked.append(instance)
        return instance

    base.__new__ = tracked_new  # type: ignore[method-assign]
    for models in model_data.values():
        for cls in models.values():
            cls.instances_tracked = fresh(cls)
