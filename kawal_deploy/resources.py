"""Create or update every AWS resource the app needs and Chalice does not make:
the table, the media bucket, the squad topics. Idempotent: safe to rerun.

The same code serves the local runner (against moto) and the operator
(``make bootstrap STAGE=prod``, against real AWS).
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from chalicelib import config
from chalicelib.adapters import aws
from chalicelib.domain.principals import STAFF_GROUPS
from chalicelib.routing import SQUAD_CODES, topic_name
from chalicelib.storage import TABLE_SPEC

log = logging.getLogger("kawal.resources")
UPLOAD_DAYS = 7
UPLOADS_VISIBILITY_S = 180  # longer than the photo function's timeout (120 s)
UPLOADS_MAX_RECEIVES = 5
RETENTION_S = 14 * 24 * 3600


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
    # Originals (they may carry the phone's GPS and serial in EXIF) live only until
    # the photo function has made clean derivatives; abandoned ones go after 7 days.
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "abandoned-uploads",
                    "Filter": {"Prefix": "uploads/"},
                    "Status": "Enabled",
                    "Expiration": {"Days": UPLOAD_DAYS},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )


NOTIFIED_TOPICS = (*SQUAD_CODES, "command")  # the command centre hears of escalations
# The operators' alarms have their own topic: the command topic carries covert
# reports' details, which reach command-centre members only.
ALARM_TOPIC = "ops"


def ensure_topics() -> dict[str, str]:
    """One SNS topic per squad, the command centre's, the operators' alarm topic and
    the inbound SMS topic; returns name -> ARN."""
    sns = aws.client("sns")
    names = (*NOTIFIED_TOPICS, ALARM_TOPIC)
    made = {t: sns.create_topic(Name=topic_name(t))["TopicArn"] for t in names}
    # texts to the regency's number arrive here (two-way SMS)
    made["inbound-sms"] = sns.create_topic(Name=config.inbound_sms_topic_name())["TopicArn"]
    return made


def ensure_queue(name: str, attributes: dict[str, str] | None = None) -> str:
    """An SQS queue, kept 14 days (dead-letter queues, the uploads queue)."""
    sqs = aws.client("sqs")
    return sqs.create_queue(
        QueueName=name,
        Attributes={"MessageRetentionPeriod": str(RETENTION_S), **(attributes or {})},
    )["QueueUrl"]


def queue_arn(url: str) -> str:
    attrs = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attrs["Attributes"]["QueueArn"]


def ensure_upload_events(bucket: str, queue: str) -> str:
    """Uploads (``uploads/``) notify an SQS queue that feeds the photo function; a
    photo that keeps failing moves to the queue's dead-letter queue after 5 tries."""
    dlq_arn = queue_arn(ensure_queue(f"{queue}-dlq"))
    url = ensure_queue(
        queue,
        {
            # longer than the photo function's timeout, so a running job is not redelivered
            "VisibilityTimeout": str(UPLOADS_VISIBILITY_S),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(UPLOADS_MAX_RECEIVES)}
            ),
        },
    )
    arn = queue_arn(url)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
            }
        ],
    }
    aws.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    aws.client("s3").put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "kawal-uploads",
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}},
                }
            ]
        },
    )
    return url


APP_CLIENT = "kawal-app"
PASSWORD_POLICY = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
}
MFA_CONFIGURATION = "OPTIONAL"  # per user; "ON" would force squads too
AUTH_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def ensure_user_pool(name: str) -> tuple[str, str]:
    """The staff directory: a Cognito user pool with one group per role and squad,
    and the app client the squad and command-centre apps sign in with."""
    idp = aws.client("cognito-idp")
    pools = [
        p
        for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60)
        for p in page["UserPools"]
    ]
    pool_id = next((p["Id"] for p in pools if p["Name"] == name), None)
    if pool_id is None:
        pool_id = idp.create_user_pool(
            PoolName=name,
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},  # staff only, no sign-up
            Policies={"PasswordPolicy": PASSWORD_POLICY},
            UserPoolTags={"kawal-stage": config.stage()},  # the API's IAM policy matches it
        )["UserPool"]["Id"]
        log.info("user pool %s created", name)
    # an authenticator app's code, offered to all; the API requires it of some roles
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration=MFA_CONFIGURATION,
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == APP_CLIENT), None)
    if client_id is None:
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=APP_CLIENT,
            GenerateSecret=False,
            ExplicitAuthFlows=AUTH_FLOWS,
            AccessTokenValidity=1,
            TokenValidityUnits={"AccessToken": "hours"},
            PreventUserExistenceErrors="ENABLED",
        )["UserPoolClient"]["ClientId"]
    existing = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    for group in STAFF_GROUPS:
        if group not in existing:
            idp.create_group(UserPoolId=pool_id, GroupName=group)
    return pool_id, client_id


def create_staff_user(
    pool_id: str, username: str, password: str, group: str, permanent: bool = True
) -> None:
    """Create (or reset) a staff account in one role/squad group; a temporary password
    (``permanent=False``) must be replaced at the first sign-in."""
    idp = aws.client("cognito-idp")
    with contextlib.suppress(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=permanent
    )
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def sign_in(client_id: str, username: str, password: str, totp_secret: str = "") -> str:
    """An access token, as the squad app gets one (the API's own sign-in); an enrolled
    account's second-factor challenge is answered with a code from ``totp_secret``."""
    from chalicelib.adapters import cognito
    from chalicelib.domain.principals import Forbidden
    from kawal_local import totp

    try:
        return cognito.sign_in(client_id, username, password).access_token
    except Forbidden as exc:
        if exc.code != "mfa_required" or not totp_secret:
            raise
        session = exc.details[0]["session"]
        return cognito.answer_mfa(client_id, username, session, totp.code(totp_secret)).access_token


def table_stream_arn(name: str) -> str:
    return aws.client("dynamodb").describe_table(TableName=name)["Table"]["LatestStreamArn"]


def ensure_contact_key(alias: str, what: str = "reporter contact details") -> str:
    """The customer-managed KMS key reporter contacts (or covert reports: ``what``) are
    sealed with (yearly rotation); found by its alias, so rerunning never makes a second key."""
    kms = aws.client("kms")
    for page in kms.get_paginator("list_aliases").paginate():
        for found in page["Aliases"]:
            if found["AliasName"] == alias and found.get("TargetKeyId"):
                log.info("KMS key %s exists", alias)
                return found["TargetKeyId"]
    key_id = kms.create_key(
        Description=f"Kawal {config.stage()}: {what}",
        KeyUsage="ENCRYPT_DECRYPT",
    )["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id)
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    log.info("KMS key %s created", alias)
    return key_id


def _restrict_covert_key(key_id: str) -> None:
    """Only the vault and the covert dispatch decrypt with it (kawal_deploy/iam.py)."""
    from kawal_deploy import iam

    account = aws.client("sts").get_caller_identity()["Account"]
    policy = iam.covert_key_policy(config.stage(), account)
    aws.client("kms").put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))


def ensure_whatsapp_secret() -> str:
    """Meta's secrets for the WhatsApp webhook: made once with random values (no
    webhook verifies until an operator puts the real ones: docs/channels.md, WhatsApp)."""
    import secrets as random

    from chalicelib.adapters.whatsapp import secret_name

    sm = aws.client("secretsmanager")
    name = secret_name()
    try:
        arn = sm.describe_secret(SecretId=name)["ARN"]
    except sm.exceptions.ResourceNotFoundException:
        value = {"app_secret": random.token_hex(16), "verify_token": random.token_urlsafe(16),
                 "access_token": "", "phone_number_id": ""}  # fmt: skip
        made = sm.create_secret(Name=name, SecretString=json.dumps(value))
        log.info("secret %s created (placeholder values)", name)
        return made["ARN"]
    value = json.loads(sm.get_secret_value(SecretId=name)["SecretString"])
    found = value.get("app_secret")
    if not isinstance(found, str) or not found.strip():  # an empty key verifies anything
        value["app_secret"] = random.token_hex(16)
        sm.put_secret_value(SecretId=name, SecretString=json.dumps(value))
        log.warning("secret %s had no app_secret: a random one put in its place", name)
    return arn


def bootstrap() -> dict[str, Any]:
    table, bucket = config.table_name(), config.bucket_name()
    contact_key = ensure_contact_key(config.contact_key_id())
    covert_key = ensure_contact_key(config.covert_key_id(), "covert reports")
    _restrict_covert_key(covert_key)
    ensure_table(table)
    ensure_bucket(bucket)
    topics = ensure_topics()
    dlq = ensure_queue(config.dispatch_dlq_name())
    uploads = ensure_upload_events(bucket, config.uploads_queue_name())
    sender = config.reporter_email_from()
    if sender:  # on AWS the address owner must click SES's verification mail once
        aws.client("ses").verify_email_identity(EmailAddress=sender)
    pool_id, client_id = ensure_user_pool(config.user_pool_name())
    ensure_whatsapp_secret()
    return {
        "cognito_user_pool_id": pool_id,
        "cognito_client_id": client_id,
        "table": table,
        "table_stream_arn": table_stream_arn(table),
        "bucket": bucket,
        "topics": topics,
        "dispatch_dlq": dlq,
        "uploads_queue": uploads,
        "contact_key": contact_key,
        "covert_key": covert_key,
    }


def throttle_stage(rest_api_id: str, stage: str, rate: float, burst: int) -> None:
    """API Gateway's stage-wide throttle (Chalice's config has no setting for it):
    beyond ``rate`` requests per second (bursts of ``burst``) callers get a 429."""
    aws.client("apigateway").update_stage(
        restApiId=rest_api_id,
        stageName=stage,
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(rate)},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(burst)},
        ],
    )
