"""The CloudFormation path: the resources Chalice does not make, as a template that
`chalice package --merge-template` merges into its own, so one SAM template
describes the whole system. Built from the same definitions bootstrap uses (the
table spec, the groups, the topics, the queue settings), so the two cannot drift.

    .venv/bin/python -m kawal_deploy.template prod build/resources-prod.json

Also: alarms (dispatch failures, dead letters, stats lag), API Gateway stage
throttling, errors from API Gateway itself in the API's own error shape, and the
functions pointed at the template's own stream and user pool.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from kawal_deploy import iam
from kawal_deploy.bootstrap import THROTTLE, stage_env

FUNCTIONS = ("APIHandler", "Staff", "DispatchStream", "RedriveNotifications",
             "ProcessUploads", "Housekeeping", "ComputeStats", "CovertVault")  # fmt: skip


ACCOUNT_ROOT = "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"


def _id(text: str) -> str:
    return "".join(part.capitalize() for part in text.replace("-", "_").split("_"))


def _queue(name: str, **extra: Any) -> dict[str, Any]:
    from kawal_deploy.resources import RETENTION_S

    return {
        "Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": name, "MessageRetentionPeriod": RETENTION_S, **extra},
    }


def _alarm(description: str, metric: dict[str, Any], threshold: float, **extra: Any) -> dict:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "EvaluationPeriods": 1,
            "Period": 300,
            "Threshold": threshold,
            "AlarmActions": [{"Ref": "OpsTopic"}],
            **metric,
            **extra,
        },
    }


def resources(stage: str) -> dict[str, Any]:
    from chalicelib import config
    from chalicelib.domain.principals import STAFF_GROUPS
    from chalicelib.routing import topic_name
    from chalicelib.storage import TABLE_SPEC
    from kawal_deploy import resources
    from kawal_deploy.resources import ALARM_TOPIC, NOTIFIED_TOPICS

    os.environ.update(stage_env(stage))
    table, bucket = config.table_name(), config.bucket_name()
    uploads, dlq = config.uploads_queue_name(), config.dispatch_dlq_name()
    rate, burst = THROTTLE[stage]
    out: dict[str, Any] = {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "TableName": table,
                **{k: v for k, v in TABLE_SPEC.items() if k != "StreamSpecification"},
                "StreamSpecification": {
                    "StreamViewType": TABLE_SPEC["StreamSpecification"]["StreamViewType"]
                },
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
                "SSESpecification": {"SSEEnabled": True},
            },
        },
        "MediaBucket": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "DependsOn": "UploadsQueuePolicy",
            "Properties": {
                "BucketName": bucket,
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                    ]
                },
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "Id": "abandoned-uploads",
                            "Prefix": "uploads/",
                            "Status": "Enabled",
                            "ExpirationInDays": resources.UPLOAD_DAYS,
                            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                        }
                    ]
                },
                "NotificationConfiguration": {
                    "QueueConfigurations": [
                        {
                            "Event": "s3:ObjectCreated:*",
                            "Queue": {"Fn::GetAtt": ["UploadsQueue", "Arn"]},
                            "Filter": {
                                "S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}
                            },
                        }
                    ]
                },
            },
        },
        "UploadsDeadLetters": _queue(f"{uploads}-dlq"),
        "UploadsQueue": _queue(
            uploads,
            VisibilityTimeout=resources.UPLOADS_VISIBILITY_S,
            RedrivePolicy={
                "deadLetterTargetArn": {"Fn::GetAtt": ["UploadsDeadLetters", "Arn"]},
                "maxReceiveCount": resources.UPLOADS_MAX_RECEIVES,
            },
        ),
        "UploadsQueuePolicy": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [{"Ref": "UploadsQueue"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "s3.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": {"Fn::GetAtt": ["UploadsQueue", "Arn"]},
                            "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
                        }
                    ],
                },
            },
        },
        "DispatchDeadLetters": _queue(dlq),
        # Meta's app secret and tokens for the WhatsApp webhook: generated here as a
        # placeholder; the operator puts the real values (docs/channels.md: WhatsApp)
        "WhatsAppSecret": {
            "Type": "AWS::SecretsManager::Secret",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Name": f"kawal-{stage}-whatsapp",
                "Description": f"Kawal {stage}: WhatsApp Cloud API app secret and tokens",
                "GenerateSecretString": {
                    "SecretStringTemplate": '{"verify_token": "", "access_token": "",'
                    ' "phone_number_id": ""}',
                    "GenerateStringKey": "app_secret",
                    "ExcludePunctuation": True,
                    "PasswordLength": 32,
                },
            },
        },
        "ContactKey": {
            "Type": "AWS::KMS::Key",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": f"Kawal {stage}: reporter contact details",
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountAdministers",
                            "Effect": "Allow",
                            "Principal": {
                                "AWS": {
                                    "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
                                }
                            },
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                },
            },
        },
        "CovertKey": {
            "Type": "AWS::KMS::Key",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": f"Kawal {stage}: covert reports",
                "EnableKeyRotation": True,
                "KeyPolicy": _substituted(
                    iam.covert_key_policy(stage, "${AWS::AccountId}", "${AWS::Partition}")
                ),
            },
        },
        "CovertKeyAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {
                "AliasName": config.covert_key_id(),
                "TargetKeyId": {"Ref": "CovertKey"},
            },
        },
        "ContactKeyAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {
                "AliasName": config.contact_key_id(),
                "TargetKeyId": {"Ref": "ContactKey"},
            },
        },
        "StaffPool": {
            "Type": "AWS::Cognito::UserPool",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "UserPoolName": config.user_pool_name(),
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
                "Policies": {"PasswordPolicy": resources.PASSWORD_POLICY},
                "MfaConfiguration": resources.MFA_CONFIGURATION,
                "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
                "UserPoolTags": {"kawal-stage": config.stage()},
            },
        },
        "StaffAppClient": {
            "Type": "AWS::Cognito::UserPoolClient",
            "Properties": {
                "UserPoolId": {"Ref": "StaffPool"},
                "ClientName": resources.APP_CLIENT,
                "GenerateSecret": False,
                "ExplicitAuthFlows": resources.AUTH_FLOWS,
                "AccessTokenValidity": 1,
                "TokenValidityUnits": {"AccessToken": "hours"},
                "PreventUserExistenceErrors": "ENABLED",
            },
        },
    }
    for group in STAFF_GROUPS:
        out[f"Group{_id(group)}"] = {
            "Type": "AWS::Cognito::UserPoolGroup",
            "Properties": {"UserPoolId": {"Ref": "StaffPool"}, "GroupName": group},
        }
    for code in (*NOTIFIED_TOPICS, ALARM_TOPIC):
        out[f"{_id(code)}Topic"] = {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": topic_name(code)},
        }
    # two-way SMS (AWS End User Messaging) publishes texts to the regency's number here
    out["InboundSmsTopic"] = {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": config.inbound_sms_topic_name()},
    }
    # -- the functions Chalice generates, pointed at this template's resources --
    environment = {
        "COGNITO_USER_POOL_ID": {"Ref": "StaffPool"},
        "COGNITO_CLIENT_ID": {"Ref": "StaffAppClient"},
        "TABLE_STREAM_ARN": {"Fn::GetAtt": ["Table", "StreamArn"]},
    }
    for function in FUNCTIONS:
        out[function] = {"Properties": {"Environment": {"Variables": environment}}}
    out["DispatchStream"]["Properties"]["Events"] = {
        "DispatchStreamDynamodbEventSource": {
            "Properties": {"Stream": {"Fn::GetAtt": ["Table", "StreamArn"]}}
        }
    }
    out["ProcessUploads"]["DependsOn"] = ["UploadsQueue"]
    # the name the API function asks for it by (its IAM policy names it too)
    out["CovertVault"]["Properties"]["FunctionName"] = f"kawal-{stage}-covert_vault"
    out["RestAPI"] = {
        "Properties": {
            "MethodSettings": [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": rate,
                    "ThrottlingBurstLimit": burst,
                }
            ]
        }
    }
    for kind, code, status in (
        ("UNAUTHORIZED", "unauthenticated", "401"),
        ("ACCESS_DENIED", "forbidden", "403"),
        ("THROTTLED", "too_many_requests", "429"),
    ):
        # $context.error.messageString arrives quoted: it is a JSON string already
        body = (
            f'{{"error": {{"code": "{code}", '
            '"message": $context.error.messageString, "details": []}}'
        )
        out[f"Gateway{_id(kind)}"] = {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "RestApiId": {"Ref": "RestAPI"},
                "ResponseType": kind,
                "StatusCode": status,
                "ResponseTemplates": {"application/json": body},
            },
        }
    # -- alarms, to the operators' own topic (never the command topic: it carries
    # covert reports' details, for command-centre members only) --
    custom = {"Namespace": "Kawal", "Statistic": "Sum"}
    out["DispatchFailuresAlarm"] = _alarm(
        "Notifications to squads failing (SNS errors); they are retried, then dead-lettered",
        {**custom, "MetricName": "NotificationsFailed",
         "Dimensions": [{"Name": "audience", "Value": "squad"}]},
        3,
        TreatMissingData="notBreaching",
    )  # fmt: skip
    for name, queue in (("Dispatch", "DispatchDeadLetters"), ("Uploads", "UploadsDeadLetters")):
        out[f"{name}DeadLettersAlarm"] = _alarm(
            f"{name} dead-letter queue is not empty: an operator must look",
            {"Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
             "Statistic": "Maximum",
             "Dimensions": [{"Name": "QueueName",
                             "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]},
            1,
            TreatMissingData="notBreaching",
        )  # fmt: skip
    out["StatsLagAlarm"] = _alarm(
        "Statistics are over an hour stale (or the job stopped: missing data alarms too)",
        {**custom, "Statistic": "Maximum", "MetricName": "StatsLagSeconds",
         "Period": 3600},
        3600,
        TreatMissingData="breaching",
    )  # fmt: skip
    return out


def _substituted(value: Any) -> Any:
    """A document with ``${AWS::…}`` in its strings, each string a ``Fn::Sub``."""
    if isinstance(value, dict):
        return {k: _substituted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_substituted(v) for v in value]
    return {"Fn::Sub": value} if isinstance(value, str) and "${AWS::" in value else value


def template(stage: str) -> dict[str, Any]:
    return {"Resources": resources(stage)}


def main(argv: list[str]) -> int:
    stage, target = argv
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_text(json.dumps(template(stage), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
