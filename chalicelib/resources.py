"""Create or update every AWS resource the app needs and Chalice does not make:
the table, the media bucket, the squad topics. Idempotent: safe to rerun.

The same code serves the local runner (against moto) and the operator
(``make bootstrap STAGE=prod``, against real AWS).
"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib import aws, config
from chalicelib.routing import SQUAD_CODES, topic_name
from chalicelib.storage import TABLE_SPEC

log = logging.getLogger("kawal.resources")


def ensure_table(name: str) -> None:
    db = aws.client("dynamodb")
    try:
        db.describe_table(TableName=name)
        log.info("table %s exists", name)
    except db.exceptions.ResourceNotFoundException:
        db.create_table(TableName=name, **TABLE_SPEC)
        db.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
        log.info("table %s created", name)
    db.update_continuous_backups(
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    ttl = db.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        db.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
        )


def ensure_bucket(name: str) -> None:
    s3 = aws.client("s3")
    try:
        s3.head_bucket(Bucket=name)
        log.info("bucket %s exists", name)
    except s3.exceptions.ClientError:
        kwargs: dict[str, Any] = {"Bucket": name}
        if config.region() != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": config.region()}
        s3.create_bucket(**kwargs)
        log.info("bucket %s created", name)
    # Originals and photos are private: only presigned URLs ever reach a phone.
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


NOTIFIED_TOPICS = (*SQUAD_CODES, "command")  # the command centre hears of escalations


def ensure_topics() -> dict[str, str]:
    """One SNS topic per squad, plus the command centre's; returns name -> ARN."""
    sns = aws.client("sns")
    return {t: sns.create_topic(Name=topic_name(t))["TopicArn"] for t in NOTIFIED_TOPICS}


def ensure_queue(name: str) -> str:
    """An SQS queue (the dispatch dead-letter queue): notifications that kept failing."""
    sqs = aws.client("sqs")
    return sqs.create_queue(
        QueueName=name, Attributes={"MessageRetentionPeriod": str(14 * 24 * 3600)}
    )["QueueUrl"]


def table_stream_arn(name: str) -> str:
    return aws.client("dynamodb").describe_table(TableName=name)["Table"]["LatestStreamArn"]


def bootstrap() -> dict[str, Any]:
    table, bucket = config.table_name(), config.bucket_name()
    ensure_table(table)
    ensure_bucket(bucket)
    topics = ensure_topics()
    dlq = ensure_queue(config.dispatch_dlq_name())
    sender = config.reporter_email_from()
    if sender:  # on AWS the address owner must click SES's verification mail once
        aws.client("ses").verify_email_identity(EmailAddress=sender)
    return {
        "table": table,
        "table_stream_arn": table_stream_arn(table),
        "bucket": bucket,
        "topics": topics,
        "dispatch_dlq": dlq,
    }
