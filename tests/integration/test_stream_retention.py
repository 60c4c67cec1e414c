"""The local runner trims DynamoDB stream records after 24 hours, as DynamoDB does
(moto keeps every one: the runner's memory grew with every write). Readers of the
stream see the same sequence numbers and can go on reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib import config
from kawal_local.embedded_aws import trim_streams
from kawal_local.pump import StreamReader

from .helpers import post_json, report_body


def stream_records(aws) -> list[dict]:
    streams = aws.client("dynamodbstreams")
    arn = aws.client("dynamodb").describe_table(TableName=config.table_name())["Table"][
        "LatestStreamArn"
    ]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]


def test_records_older_than_a_day_go_and_reading_goes_on(client, aws):
    post_json(client, "/reports", report_body())
    before = stream_records(aws)
    assert before
    reader = StreamReader(config.table_name())
    seen: list[str] = []
    reader.poll(lambda event, _ctx: seen.extend(r["eventID"] for r in event["Records"]))

    assert trim_streams(timedelta(hours=24)) == 0  # nothing is a day old yet
    tomorrow = datetime.now(UTC) + timedelta(hours=25)
    assert trim_streams(timedelta(hours=24), now=tomorrow) == len(before)
    assert stream_records(aws) == []

    post_json(client, "/reports", report_body())  # the stream goes on after a trim
    after = stream_records(aws)
    assert after and int(after[0]["dynamodb"]["SequenceNumber"]) > int(
        before[-1]["dynamodb"]["SequenceNumber"]
    )
    more: list[str] = []
    reader.poll(lambda event, _ctx: more.extend(r["eventID"] for r in event["Records"]))
    assert more == [r["eventID"] for r in after]  # the reader missed nothing, repeated nothing
