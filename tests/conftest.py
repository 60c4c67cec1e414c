"""Shared fixtures: an isolated AWS environment per test (moto), the Chalice app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGE_ENV = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["dev"][
    "environment_variables"
]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    """No test ever reaches a real AWS account or a developer's local endpoint."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-3")
    monkeypatch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
    for name, value in STAGE_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def aws():
    """A fresh moto AWS with every resource bootstrapped, as the runner does."""
    from moto import mock_aws

    from chalicelib import aws as aws_clients
    from chalicelib import resources

    with mock_aws():
        aws_clients.reset()
        resources.bootstrap()
        yield aws_clients
        aws_clients.reset()


@pytest.fixture
def client(aws):
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="dev", project_dir=str(ROOT)) as c:
        yield c
