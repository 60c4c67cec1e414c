"""The same DynamoDB, DynamoDB Streams and SNS calls, answered by whichever moto this
process runs: the runner's patched one, or moto as released (``KAWAL_STOCK_MOTO=1
python -m tests.support.moto_probe`` prints the answers as JSON).
tests/integration/test_moto_differences.py compares the two."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from botocore.exceptions import ClientError

TABLE = "probe"
REGION = "ap-southeast-3"
PUBLISHED = 120  # more than the runner's SNS keeps per topic


def key(pk: str, sk: str) -> dict:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def create_table(db: Any, name: str) -> None:
    """A table shaped as Kawal's: a key pair, an index, a stream of both images."""
    db.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK", "G", "GS")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GIX",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [
                    {"AttributeName": "G", "KeyType": "HASH"},
                    {"AttributeName": "GS", "KeyType": "RANGE"},
                ],
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


def answered(call: Any, **kwargs: Any) -> Any:
    """A call's answer, or its error code and reasons, without the request's metadata."""
    try:
        out = call(**kwargs)
    except ClientError as exc:
        reasons = exc.response.get("CancellationReasons")
        error = exc.response["Error"]
        return {"error": error["Code"], "message": error.get("Message"), "reasons": reasons}
    out.pop("ResponseMetadata", None)
    return out


def dynamodb_answers(db: Any) -> list:
    """Kawal's kinds of call (conditional writes, transactions, key and index queries,
    projections, pages), each answer as the client sees it."""
    out: list = []

    def ask(call: Any, **kwargs: Any) -> Any:
        out.append(answered(call, **kwargs))
        return out[-1]

    for n in range(8):
        item = {
            **key(f"R{n % 3}", f"S{n}"),
            "G": {"S": f"g{n % 2}"},
            "GS": {"S": f"{n:02d}"},
            "v": {"N": str(n)},
            "b": {"B": bytes([n])},
            "tags": {"SS": ["a", f"t{n}"]},
        }
        ask(db.put_item, TableName=TABLE, Item=item, ReturnValues="ALL_OLD")
    ask(
        db.put_item,
        TableName=TABLE,
        Item=key("R0", "S0"),
        ConditionExpression="attribute_not_exists(PK)",
    )
    ask(
        db.update_item,
        TableName=TABLE,
        Key=key("R1", "S1"),
        ReturnValues="ALL_NEW",
        UpdateExpression="SET v = v + :one, m = :m REMOVE tags ADD c :one",
        ExpressionAttributeValues={":one": {"N": "1"}, ":m": {"M": {"x": {"L": [{"N": "1"}]}}}},
    )
    for last in ("attribute_exists(PK)", "attribute_not_exists(PK)"):  # the second fails
        ask(
            db.transact_write_items,
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": {**key("R9", last[:12]), "G": {"S": "g1"}, "GS": {"S": "99"}},
                    }
                },
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": key("R2", "S2"),
                        "UpdateExpression": "SET v = :v",
                        "ConditionExpression": last,
                        "ExpressionAttributeValues": {":v": {"N": "7"}},
                    }
                },
                {"Delete": {"TableName": TABLE, "Key": key("R0", "S3")}},
            ],
        )
    ask(db.delete_item, TableName=TABLE, Key=key("R0", "S6"), ReturnValues="ALL_OLD")
    too_big = {**key("R3", "big"), "text": {"S": "x" * 400 * 1024}}  # DynamoDB's limit: 400 KB
    ask(db.put_item, TableName=TABLE, Item=too_big)
    for start in (None, 1):
        page: dict[str, Any] = {}
        while True:
            page = ask(
                db.query,
                TableName=TABLE,
                IndexName="GIX",
                Limit=2,
                KeyConditionExpression="G = :g AND begins_with(GS, :p)",
                ExpressionAttributeValues={":g": {"S": "g1"}, ":p": {"S": "0"}},
                ScanIndexForward=start is None,
                **(
                    {"ExclusiveStartKey": page["LastEvaluatedKey"]}
                    if "LastEvaluatedKey" in page
                    else {}
                ),
            )
            if "LastEvaluatedKey" not in page:
                break
    ask(
        db.query,
        TableName=TABLE,
        KeyConditionExpression="PK = :p AND SK > :s",
        ProjectionExpression="SK, v, b",
        ExpressionAttributeValues={":p": {"S": "R1"}, ":s": {"S": "S1"}},
    )
    ask(
        db.query,
        TableName=TABLE,
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "none"}},
    )
    ask(db.get_item, TableName=TABLE, Key=key("R1", "S4"), ProjectionExpression="v")
    ask(db.batch_get_item, RequestItems={TABLE: {"Keys": [key("R2", "S5"), key("X", "Y")]}})
    scan = answered(db.scan, TableName=TABLE)
    scan["Items"].sort(key=lambda i: (i["PK"]["S"], i["SK"]["S"]))  # a scan's order is moto's own
    out.append(scan)
    return out


def stream_answers(db: Any, streams: Any, clock: list[float]) -> dict:
    arn = db.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    # times, ids and the size (moto measures the record with its time in): moto's own
    seen = [
        {k: r[k] for k in ("eventName", "eventSource")}
        | {
            k: v
            for k, v in r["dynamodb"].items()
            if k not in ("ApproximateCreationDateTime", "SequenceNumber", "SizeBytes")
        }
        for r in records
    ]
    clock[0] += 16 * 60  # DynamoDB Streams' iterators last 15 minutes
    streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")
    return {
        "records": seen,
        "iterator_characters": len(iterator),
        "iterator_after_16_minutes": _outcome(streams.get_records, ShardIterator=iterator),
    }


def _outcome(call: Any, **kwargs: Any) -> str:
    try:
        answer = answered(call, **kwargs)
    except Exception as exc:  # moto's own failure, raised through boto3 in-process
        return type(exc).__name__
    return answer.get("error", "records")


def probe(patched: bool) -> dict:
    """The answers, as JSON would carry them; ``patched``: the runner's moto, whose
    iterators' clock is moved on here (stock moto's iterators never expire)."""
    if not patched:
        return json.loads(json.dumps(_probe([0.0]), default=repr))
    from kawal_local.moto_memory import ExpiringIterators

    own, clock = ExpiringIterators.__dict__["clock"], [ExpiringIterators.clock()]
    ExpiringIterators.clock = staticmethod(lambda: clock[0])  # type: ignore[method-assign]
    try:
        return json.loads(json.dumps(_probe(clock), default=repr))
    finally:
        ExpiringIterators.clock = own  # type: ignore[method-assign]


def _probe(clock: list[float]) -> dict:
    import boto3
    from moto import mock_aws
    from moto.core.model_instances import model_data

    with mock_aws():
        db = boto3.client("dynamodb", region_name=REGION)
        create_table(db, TABLE)
        answers = dynamodb_answers(db)
        # moto's dashboard (/moto-api/) lists the items it tracks
        dashboard_items = len(list(model_data["dynamodb"]["Item"].instances_tracked))
        stream = stream_answers(db, boto3.client("dynamodbstreams", region_name=REGION), clock)
        sns = boto3.client("sns", region_name=REGION)
        topic = sns.create_topic(Name="probe")["TopicArn"]
        for n in range(PUBLISHED):
            sns.publish(TopicArn=topic, Message=f"pesan {n}")
        from moto.sns.models import sns_backends

        kept = len(sns_backends["123456789012"][REGION].topics[topic].sent_notifications)
    return {
        "dynamodb": answers,
        "stream_records": stream.pop("records"),
        **stream,
        "dashboard_items": dashboard_items,
        "sns_messages_kept": kept,
    }


def main() -> None:
    from kawal_local import moto_speed

    os.environ.update(
        AWS_ACCESS_KEY_ID="probe",
        AWS_SECRET_ACCESS_KEY="probe",
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    )
    sys.stdout.write(json.dumps(probe(moto_speed.install())))


if __name__ == "__main__":
    main()
