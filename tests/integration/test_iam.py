"""The shipped IAM policies allow every AWS call each function makes, and no more
than its stage's resources (two wildcards, each for a reason)."""

from __future__ import annotations

import fnmatch
import json
import os
from unittest import mock

import pytest

from chalicelib.entry import events
from kawal_deploy import iam
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
def calls_by_function(client, aws, tokens, recorder, monkeypatch):
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
    running = [""]

    def record(function: str, scenario) -> None:
        running[0] = function
        recorder.run(scenario)
        out.setdefault(function, set()).update(recorder.calls)

    # the vault is its own function: locally in-process, its calls counted as its own;
    # and who opened a covert item, by function
    from chalicelib.adapters import covert

    vault, open_one = covert.vault, covert._open

    def as_the_vault(request):
        before, running[0] = len(recorder.calls), "covert_vault"
        try:
            return vault(request)
        finally:
            out.setdefault("covert_vault", set()).update(recorder.calls[before:])
            del recorder.calls[before:]
            running[0] = "api_handler"

    def opening(*args):
        out.setdefault("opened covert", set()).add((running[0], args[1]))
        return open_one(*args)

    monkeypatch.setattr(covert, "vault", as_the_vault)
    monkeypatch.setattr(covert, "_open", opening)

    operator = {**JSON_HEADERS, **bearer(tokens["operator"])}
    command = {**JSON_HEADERS, **bearer(tokens["command"])}
    photo = {"content_type": "image/jpeg", "data_base64": _b64(camera())}
    device = post_json(client, "/devices", {}).json_body["device_token"]
    body = report_body(contact={"phone": "081234567890", "notify": True}, photo=photo)
    report: dict = {}
    hidden: dict = {}

    def api() -> None:
        covert = report_body(label="pungutan_liar", photo=photo)
        hidden.update(post_json(client, "/reports", covert).json_body)
        client.http.get(f"/staff/reports/{hidden['id']}", headers=command)
        own = {"X-Reporter-Token": hidden["reporter_token"]}  # their data, opened by the vault
        client.http.get(f"/privacy/my-data?report={hidden['code']}", headers=own)
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
    covert_upload = f"uploads/{hidden['id']}/{hidden['photos'][0]['id']}"
    record("process_uploads", lambda: [deliver_upload(k) for k in (key, covert_upload)])
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
    assert ("kms", "Decrypt") in calls_by_function["covert_vault"]
    assert ("s3", "GetObject") in calls_by_function["process_uploads"]
    for function, calls in calls_by_function.items():
        if function == "opened covert":
            continue
        for service, operation in calls - NEEDS_NO_PERMISSION:
            for action in ACTION.get((service, operation), [f"{service}:{operation}"]):
                assert allowed(policies[function], action), (stage, function, action)


def _may(policy: dict, action: str, alias: str) -> bool:
    return any(
        action in statement["Action"] and alias in json.dumps(statement.get("Condition", {}))
        for statement in policy["Statement"]
        if statement["Effect"] == "Allow"
    )


@pytest.mark.parametrize("stage", iam.STAGES)
def test_only_the_vault_and_the_covert_dispatch_may_decrypt_with_the_covert_key(
    calls_by_function, stage
):
    """Issue #35: the API (every public and squad route), the photo, stats and SMS
    functions may seal a covert report but never open one; the vault may (for a
    command-centre or shadow token), and the dispatch to those topics."""
    covert = f"alias/kawal-{stage}-covert"
    policies = iam.policies(stage)
    may_open = {name for name, policy in policies.items() if _may(policy, "kms:Decrypt", covert)}
    assert may_open == {"covert_vault", "dispatch_stream", "redrive_notifications"}
    assert _may(policies["api_handler"], "kms:GenerateDataKey", covert)
    # and in the code paths run: the API opened covert items only through the vault
    opened_in = {function for function, _ in calls_by_function["opened covert"]}
    assert "covert_vault" in opened_in and opened_in <= may_open
    assert ("lambda", "InvokeFunction") not in calls_by_function["api_handler"]  # in-process
    assert allowed(policies["api_handler"], "lambda:InvokeFunction")


@pytest.mark.parametrize("stage", iam.STAGES)
def test_covert_photos_are_sealed_by_the_photo_function_and_shown_through_the_vault_only(
    calls_by_function, stage
):
    """Issue #35: the photo function stores a covert photo SSE-KMS under the covert key
    (S3 asks KMS for a data key as its role) and deletes the original; only the vault
    (kms:Decrypt, s3:GetObject on photos/) can sign a link that opens."""
    covert = f"alias/kawal-{stage}-covert"
    policies = iam.policies(stage)
    assert _may(policies["process_uploads"], "kms:GenerateDataKey", covert)
    assert not _may(policies["process_uploads"], "kms:Decrypt", covert)
    assert ("s3", "DeleteObject") in calls_by_function["process_uploads"]
    (photos,) = [s for s in policies["covert_vault"]["Statement"] if s["Sid"] == "CovertPhotos"]
    assert photos["Action"] == ["s3:GetObject"]
    assert photos["Resource"] == f"arn:aws:s3:::kawal-{stage}-media/photos/*"


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
                "run `python -m kawal_deploy.iam` after changing kawal_deploy/iam.py"
            )
            named = settings["lambda_functions"][function]["iam_policy_file"]
            assert named == iam.path(stage, function).name


def _denied_decrypt(policy: dict, principal: str) -> bool:
    return any(
        statement["Effect"] == "Deny"
        and statement["Action"] == "kms:Decrypt"
        and not any(
            fnmatch.fnmatchcase(principal, pattern)
            for pattern in statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
        )
        for statement in policy["Statement"]
    )


@pytest.mark.parametrize("stage", iam.STAGES)
def test_the_covert_keys_own_policy_lets_no_operator_or_public_function_decrypt(aws, stage):
    """Whatever IAM an operator holds (administrator included), the key's policy denies
    them Decrypt: only the vault's and the covert dispatch's roles are spared; the
    stage's key is made with it (``chalice deploy``) and the template carries it (SAM)."""
    account = "111122223333"
    policy = iam.covert_key_policy(stage, account)
    role = f"arn:aws:iam::{account}:role/"
    for outsider in (
        f"arn:aws:iam::{account}:root",
        f"{role}kawal-operator",
        f"arn:aws:iam::{account}:user/diskominfo-admin",
        *(f"{role}kawal-{stage}-{f}" for f in iam.policies(stage) if f not in iam.COVERT_OPENERS),
        f"{role}kawal-{stage}-APIHandlerRole-1A2B",  # the SAM stack's own API role
    ):
        assert _denied_decrypt(policy, outsider), outsider
    for opener in iam.COVERT_OPENERS:
        assert not _denied_decrypt(policy, f"{role}kawal-{stage}-{opener}"), opener
    assert not _denied_decrypt(policy, f"{role}kawal-{stage}-CovertVaultRole-9Z8Y")

    from chalicelib import config
    from kawal_deploy import template

    if stage == config.stage():  # the embedded runner's key carries it too
        kms = aws.client("kms")
        key_id = kms.describe_key(KeyId=config.covert_key_id())["KeyMetadata"]["KeyId"]
        made = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
        assert made["Statement"][1]["Sid"] == "OnlyTheVaultAndTheCovertDispatchOpen"
    with mock.patch.dict(os.environ):  # the template reads the stage's settings into it
        key = template.resources(stage)["CovertKey"]["Properties"]["KeyPolicy"]
    assert "OnlyTheVaultAndTheCovertDispatchOpen" in json.dumps(key)
