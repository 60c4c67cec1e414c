"""Least-privilege IAM policies, one per Lambda function and stage, written to
``.chalice/policy-<stage>-<function>.json`` (Chalice's ``autogen_policy`` misses
every call made through ``chalicelib``).

    .venv/bin/python -m kawal_deploy.iam        # rewrite the files after a change

Each function gets only the actions its code path makes, on its stage's
resources by name. Two wildcards are needed and said so: SMS to a phone number
is ``sns:Publish`` on ``*`` (a phone number is no ARN), and the KMS key is
matched by its alias (its key id is only known once bootstrap made it).
`tests/integration/test_iam.py` records every AWS call each function makes and
checks it is allowed here, and that the files are current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("dev", "prod")


def _logs(stage: str) -> dict[str, Any]:
    return {
        "Sid": "OwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"arn:aws:logs:*:*:log-group:/aws/lambda/kawal-{stage}-*",
    }


def resources(stage: str) -> dict[str, Any]:
    table = f"arn:aws:dynamodb:*:*:table/kawal-{stage}"
    return {
        "table": [table, f"{table}/index/*"],
        "stream": f"{table}/stream/*",
        "uploads": f"arn:aws:s3:::kawal-{stage}-media/uploads/*",
        "photos": f"arn:aws:s3:::kawal-{stage}-media/photos/*",
        "topics": f"arn:aws:sns:*:*:kawal-{stage}-squad-*",  # and their subscriptions
        "uploads_queue": f"arn:aws:sqs:*:*:kawal-{stage}-uploads",
        "dispatch_dlq": f"arn:aws:sqs:*:*:kawal-{stage}-dispatch-dlq",
        "key_alias": f"alias/kawal-{stage}-contacts",
        # covert reports' words, place and notes (issue #35): only the vault and the
        # dispatch to the shadow and command topics may decrypt with it
        "covert_key_alias": f"alias/kawal-{stage}-covert",
        "vault": f"arn:aws:lambda:*:*:function:kawal-{stage}-covert_vault",
        # Meta's app secret and tokens (Secrets Manager adds a random suffix to the ARN)
        "whatsapp_secret": f"arn:aws:secretsmanager:*:*:secret:kawal-{stage}-whatsapp-*",
    }


TABLE_RW = [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:BatchWriteItem",
]


def _kms(stage: str, actions: list[str], key: str = "key_alias") -> dict[str, Any]:
    return {
        "Sid": "CovertKey" if key == "covert_key_alias" else "ContactKey",
        "Effect": "Allow",
        "Action": actions,
        "Resource": "arn:aws:kms:*:*:key/*",
        "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": resources(stage)[key]}},
    }


def _seal_covert(stage: str) -> dict[str, Any]:
    """Whoever files (or writes a covert note) may seal; opening is another matter."""
    return _kms(stage, ["kms:GenerateDataKey"], "covert_key_alias")


def _notify(stage: str) -> list[dict[str, Any]]:
    r = resources(stage)
    return [
        # Squad topics by name, and SMS straight to a reporter's phone: a phone
        # number is not an ARN, so direct SMS needs Publish on "*".
        {"Sid": "TopicsAndSms", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": "*"},
        {"Sid": "EmailToReporters", "Effect": "Allow", "Action": ["ses:SendEmail"],
         "Resource": "arn:aws:ses:*:*:identity/*"},
        {"Sid": "DeadLetters", "Effect": "Allow",
         "Action": ["sqs:GetQueueUrl", "sqs:SendMessage"], "Resource": r["dispatch_dlq"]},
        _kms(stage, ["kms:Decrypt"]),
        # messages to the shadow and command topics are made from the sealed report,
        # and kept sealed in the outbox
        _kms(stage, ["kms:GenerateDataKey", "kms:Decrypt"], "covert_key_alias"),
        # a WhatsApp report's updates go back by WhatsApp: Meta's token
        {"Sid": "WhatsAppSecrets", "Effect": "Allow",
         "Action": ["secretsmanager:GetSecretValue"], "Resource": r["whatsapp_secret"]},
    ]  # fmt: skip


def policies(stage: str) -> dict[str, dict[str, Any]]:
    """Function name (as Chalice names them in config.json) -> policy document."""
    r = resources(stage)
    table = {"Sid": "Table", "Effect": "Allow", "Action": TABLE_RW, "Resource": r["table"]}
    table_ro = {
        "Sid": "Table",
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:Query"],
        "Resource": r["table"],
    }
    docs = {
        "api_handler": [
            # Open311's lists read requests 100 to a BatchGetItem
            table | {"Action": [*TABLE_RW, "dynamodb:BatchGetItem"]},
            {"Sid": "Photos", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
             "Resource": [r["uploads"], r["photos"]]},
            {"Sid": "Subscriptions", "Effect": "Allow",
             "Action": ["sns:Subscribe", "sns:Unsubscribe", "sns:ListSubscriptionsByTopic",
                        "sns:GetSubscriptionAttributes"], "Resource": r["topics"]},
            _kms(stage, ["kms:Encrypt", "kms:Decrypt"]),
            # seals covert reports; opens them only through the vault, with the caller's token
            _seal_covert(stage),
            {"Sid": "Vault", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
             "Resource": r["vault"]},
            {"Sid": "WhatsAppSecrets", "Effect": "Allow",
             "Action": ["secretsmanager:GetSecretValue"], "Resource": r["whatsapp_secret"]},
            # an operator's password and second-factor resets (sign-in, the code,
            # enrolment, refresh and sign-out are Cognito's public calls: no IAM); the
            # pool's id is only known once it exists, so it is matched by the stage tag
            # bootstrap and the template give it
            {"Sid": "StaffAccounts", "Effect": "Allow",
             "Action": ["cognito-idp:AdminListGroupsForUser", "cognito-idp:AdminSetUserPassword",
                        "cognito-idp:AdminSetUserMFAPreference",
                        "cognito-idp:AdminUserGlobalSignOut"],
             "Resource": "arn:aws:cognito-idp:*:*:userpool/*",
             "Condition": {"StringEquals": {"aws:ResourceTag/kawal-stage": stage}}},
        ],
        "staff": [],  # the authorizer checks tokens against Cognito's public keys
        "dispatch_stream": [
            table,
            {"Sid": "Stream", "Effect": "Allow",
             "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                        "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
             "Resource": r["stream"]},
            *_notify(stage),
        ],
        "redrive_notifications": [table, *_notify(stage)],
        "process_uploads": [
            table,
            {"Sid": "Photos", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": [r["uploads"], r["photos"]]},
            # a covert photo: stored SSE-KMS under the covert key, its original deleted
            {"Sid": "CovertOriginals", "Effect": "Allow", "Action": ["s3:DeleteObject"],
             "Resource": r["uploads"]},
            _seal_covert(stage),
            {"Sid": "UploadEvents", "Effect": "Allow",
             "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility"], "Resource": r["uploads_queue"]},
        ],
        "housekeeping": [
            table,
            _seal_covert(stage),  # an escalation's entry on a covert report
            {"Sid": "MorningDigests", "Effect": "Allow", "Action": ["ses:SendEmail"],
             "Resource": "arn:aws:ses:*:*:identity/*"},
        ],
        # a text to the regency's number: the report (its contact sealed), the reply
        "inbound_sms": [
            table,
            {"Sid": "Reply", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": "*"},
            _kms(stage, ["kms:Encrypt"]),
            _seal_covert(stage),
        ],
        # opens covert items for the API, for a verified command-centre or shadow token
        # (or a reporter's own, its own report only); signs the links to covert photos
        # (a GET of an SSE-KMS object needs both s3:GetObject and kms:Decrypt)
        "covert_vault": [
            _kms(stage, ["kms:Decrypt"], "covert_key_alias"),
            {"Sid": "CovertPhotos", "Effect": "Allow", "Action": ["s3:GetObject"],
             "Resource": r["photos"]},
            # a reporter's token checked against their report's stored hash
            {"Sid": "ReporterTokens", "Effect": "Allow", "Action": ["dynamodb:GetItem"],
             "Resource": r["table"][0]},
        ],
        "compute_stats": [table_ro | {"Action": [*table_ro["Action"], "dynamodb:PutItem",
                                                  "dynamodb:UpdateItem",
                                                  "dynamodb:BatchWriteItem"]}],
    }  # fmt: skip
    return {
        name: {"Version": "2012-10-17", "Statement": [_logs(stage), *statements]}
        for name, statements in docs.items()
    }


# The functions whose roles may decrypt with the covert key (issue #35).
COVERT_OPENERS = ("covert_vault", "dispatch_stream", "redrive_notifications")


def covert_key_policy(stage: str, account: str, partition: str = "aws") -> dict[str, Any]:
    """The covert key's own policy: the account administers it, but nobody decrypts
    with it except the roles of ``COVERT_OPENERS`` (by ``chalice deploy``'s role names,
    or the SAM template's ``<Function>Role``), whatever IAM policies an operator holds."""
    roles = [f"arn:{partition}:iam::{account}:role/kawal-{stage}-{f}" for f in COVERT_OPENERS]
    roles += [
        f"arn:{partition}:iam::{account}:role/*-{''.join(w.title() for w in f.split('_'))}Role-*"
        for f in COVERT_OPENERS
    ]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AccountAdministers", "Effect": "Allow",
             "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "OnlyTheVaultAndTheCovertDispatchOpen", "Effect": "Deny",
             "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"ArnNotLike": {"aws:PrincipalArn": roles}}},
        ],
    }  # fmt: skip


def path(stage: str, function: str) -> Path:
    return ROOT / ".chalice" / f"policy-{stage}-{function}.json"


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"


def main() -> int:
    for stage in STAGES:
        for function, document in policies(stage).items():
            path(stage, function).write_text(render(document))
    print(f"wrote {sum(len(policies(s)) for s in STAGES)} policies to .chalice/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
