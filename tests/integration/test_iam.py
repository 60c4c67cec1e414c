"""The shipped IAM policies allow every AWS call each function makes, and no more
than its stage's resources (two wildcards, each for a reason)."""

from __future__ import annotations

import fnmatch
import json

import pytest

from chalicelib.entry import events
from kawal_local import iam
from tests.conftest import ROOT, bearer
from tests.support import faults as fault_injection

from .helpers import JSON_HEADERS, post_json, report_body
from .test_dispatch import subscribe_queue
from .test_failure_paths import _b64
from .workflow_helpers import deliver_upload, staff_post

# botocore operation -> the IAM action that authorises it, where the names differ
# (IAM authorises each item of a DynamoDB transaction by its own kind of write.)
ACTION = {
    ("s3", "HeadObject"): ["s3:GetObject"],
    ("s3", "ListObjectsV2"): ["s3:ListBucket"],
    ("dynamodb", "TransactWriteItems"): [
        "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ],
}  # fmt: skip
NEEDS_NO_PERMISSION = {("sts", "GetCallerIdentity")}


def allowed(policy: dict, action: str) -> bool:
    return any(
        fnmatch.fnmatchcase(action, pattern)
        for statement in policy["Statement"]
        if statement["Effect"] == "Allow"
        for pattern in ([statement["Action"]] if isinstance(statement["Action"], str) else
                        statement["Action"])
    )  # fmt: skip


@pytest.fixture
def recorder(aws, monkeypatch):
    return fault_injection.install(monkeypatch)


@pytest.fixture
def calls_by_function(client, aws, tokens, recorder):
    """Run each function's code paths and record the AWS calls each makes."""
    from chalicelib import config
    from kawal_local.pump import StreamReader, drain, scheduled_event

    subscribe_queue(aws, "orange", "iam-orange")
    aws.client("secretsmanager").put_secret_value(
        SecretId="kawal-dev-whatsapp",
        SecretString=json.dumps({"verify_token": "v", "app_secret": "s"}),
    )
    from chalicelib.adapters import whatsapp

    whatsapp._secrets.cache_clear()
    out: dict[str, set[tuple[str, str]]] = {}

    def record(function: str, scenario) -> None:
        recorder.run(scenario)
        out.setdefault(function, set()).update(recorder.calls)

    operator = {**JSON_HEADERS, **bearer(tokens["operator"])}
    command = {**JSON_HEADERS, **bearer(tokens["command"])}
    photo = {"content_type": "image/jpeg", "data_base64": _b64(camera())}
    device = post_json(client, "/devices", {}).json_body["device_token"]
    body = report_body(contact={"phone": "081234567890", "notify": True}, photo=photo)
    report = {}

    def api() -> None:
        answer = post_json(client, "/reports", body, {**JSON_HEADERS, "X-Device-Token": device})
        report.update(answer.json_body)
        rid = report["id"]
        client.http.get(f"/reports/{rid}")
        client.http.get(f"/reports/{rid}/photo")
        headers = {**JSON_HEADERS, "X-Reporter-Token": report["reporter_token"]}
        client.http.post(f"/reports/{rid}/photos", headers=headers, body="")
        new = {"protocol": "sms", "endpoint": "081234567899"}
        sub = client.http.post("/squads/orange/subscriptions", headers=operator,
                               body=json.dumps(new)).json_body  # fmt: skip
        client.http.get("/squads/orange/subscriptions", headers=operator)
        client.http.delete(f"/squads/orange/subscriptions/{sub['id']}", headers=operator)
        why = {"reason": "the reporter must be asked where exactly"}
        path = f"/command/reports/{rid}/contact-reads"
        client.http.post(path, headers=command, body=json.dumps(why))
        client.http.get("/command/reports", headers=command)
        client.http.get("/stats", headers=command)
        staff_post(client, tokens["orange"], f"/reports/{rid}/claim")
        # the WhatsApp webhook reads Meta's secrets (the handshake is enough to show it)
        client.http.get("/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=v&hub.challenge=1")

    record("api_handler", api)
    reader = StreamReader(config.table_name())
    record("dispatch_stream", lambda: drain(reader, events.dispatch_stream))
    slot = staff_post(
        client, tokens["orange"], f"/reports/{report['id']}/after-photos",
        {"lat": report["lat"], "lon": report["lon"]},
    ).json_body  # fmt: skip
    key = slot["upload"]["fields"]["key"]
    aws.client("s3").put_object(
        Bucket=config.bucket_name(), Key=key, Body=camera(), ContentType="image/jpeg"
    )
    record("process_uploads", lambda: deliver_upload(key))
    record("compute_stats", lambda: events.compute_stats(scheduled_event(), None))
    record("housekeeping", lambda: events.housekeeping(scheduled_event(), None))
    record("redrive_notifications", lambda: events.redrive_notifications(scheduled_event(), None))
    from .test_sms_inbound import sns_event

    texted = {"originationNumber": "+6281234567891", "messageBody": "LAPOR banjir Panggul",
              "inboundMessageId": "iam-1"}  # fmt: skip
    record("inbound_sms", lambda: events.inbound_sms(sns_event(texted), None))
    return out


def camera() -> bytes:
    from tests.support.images import camera_jpeg

    return camera_jpeg(640, 480)


@pytest.mark.parametrize("stage", iam.STAGES)
def test_every_call_each_function_makes_is_allowed(calls_by_function, stage):
    policies = iam.policies(stage)
    assert calls_by_function["api_handler"] >= {
        ("kms", "Encrypt"), ("kms", "Decrypt"), ("s3", "PutObject"), ("sns", "Subscribe"),
        ("secretsmanager", "GetSecretValue"),
    }  # fmt: skip
    assert ("sns", "Publish") in calls_by_function["dispatch_stream"]
    assert ("s3", "GetObject") in calls_by_function["process_uploads"]
    for function, calls in calls_by_function.items():
        for service, operation in calls - NEEDS_NO_PERMISSION:
            for action in ACTION.get((service, operation), [f"{service}:{operation}"]):
                assert allowed(policies[function], action), (stage, function, action)


def test_presigned_urls_are_covered_by_the_api_functions_policy():
    """Presigned uploads and views are signed with the API function's role: the
    upload is s3:PutObject on uploads/, the view s3:GetObject on photos/."""
    policy = iam.policies("prod")["api_handler"]
    photos = next(s for s in policy["Statement"] if s["Sid"] == "Photos")
    assert {"s3:PutObject", "s3:GetObject"} <= set(photos["Action"])
    assert photos["Resource"] == [
        "arn:aws:s3:::kawal-prod-media/uploads/*",
        "arn:aws:s3:::kawal-prod-media/photos/*",
    ]


@pytest.mark.parametrize("stage", iam.STAGES)
def test_no_wildcard_beyond_the_two_that_are_needed(stage):
    for function, policy in iam.policies(stage).items():
        for statement in policy["Statement"]:
            actions = statement["Action"]
            assert all(a != "*" and not a.endswith(":*") for a in actions), function
            resources = statement["Resource"]
            resources = [resources] if isinstance(resources, str) else resources
            for resource in resources:
                if resource == "*":
                    assert actions == ["sns:Publish"], (function, statement)  # SMS to a phone
                elif resource == "arn:aws:kms:*:*:key/*":
                    assert "kms:ResourceAliases" in json.dumps(statement["Condition"])
                elif resource == "arn:aws:cognito-idp:*:*:userpool/*":  # the pool by its tag
                    tag = statement["Condition"]["StringEquals"]["aws:ResourceTag/kawal-stage"]
                    assert tag == stage
                else:
                    assert f"kawal-{stage}" in resource or "identity/" in resource, resource


def test_the_shipped_files_are_current_and_wired_into_config():
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    for stage in iam.STAGES:
        settings = config["stages"][stage]
        assert settings["autogen_policy"] is False
        for function, policy in iam.policies(stage).items():
            assert iam.path(stage, function).read_text() == iam.render(policy), (
                "run `python -m kawal_local.iam` after changing kawal_local/iam.py"
            )
            named = settings["lambda_functions"][function]["iam_policy_file"]
            assert named == iam.path(stage, function).name
