"""The local runner's locks: one per group of moto services that share state, so a
DynamoDB write never waits for an SNS publish (and the other way round), while two
DynamoDB calls still never interleave (its conditional writes stay atomic)."""

from __future__ import annotations

import pytest

from kawal_local.embedded_aws import _OneCallAtATime, service_of


def signed(service: str) -> dict:
    return {
        "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=testing/20261203/ap-southeast-3/"
        f"{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0f"
    }


@pytest.mark.parametrize("service", ["dynamodb", "sns", "cognito-idp", "kms", "secretsmanager"])
def test_the_service_is_read_from_the_signature(service):
    assert service_of(signed(service)) == service


def test_a_presigned_or_unsigned_call_is_the_bucket_s():
    query = "X-Amz-Credential=testing%2F20261203%2Fap-southeast-3%2Fs3%2Faws4_request&X-Amz-Date=1"
    assert service_of({"QUERY_STRING": query}) == "s3"
    assert service_of({}) == "s3"  # a browser's form POST of a photo


def test_services_that_share_state_share_a_lock_and_only_they(monkeypatch):
    monkeypatch.delenv("KAWAL_AWS_LOCK", raising=False)
    app = _OneCallAtATime(lambda environ, start: [b""])
    assert app.lock("dynamodb") is app.lock("dynamodbstreams")
    assert app.lock("sns") is app.lock("sqs") is app.lock("s3")
    assert app.lock("dynamodb") is not app.lock("sns")
    assert app.lock("kms") is not app.lock("dynamodb") and app.lock("kms") is app.lock("kms")


def test_the_baseline_puts_every_call_behind_one_lock(monkeypatch):
    monkeypatch.setenv("KAWAL_AWS_LOCK", "global")
    app = _OneCallAtATime(lambda environ, start: [b""])
    assert app.lock("dynamodb") is app.lock("sns") is app.lock("kms")
