"""Shared fixtures: an isolated AWS environment per test (moto), the Chalice app."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kawal_local import moto_speed, moto_totp

ROOT = Path(__file__).resolve().parent.parent
# the embedded Cognito checks second-factor codes for real, on either moto
moto_totp.install()
STAGE_ENV = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["dev"][
    "environment_variables"
]


@pytest.hookimpl(trylast=True)  # after ``-m`` has deselected
def pytest_collection_modifyitems(items):
    """Which moto this process runs on, decided before any test runs. The suite runs on
    moto as the runner patches it (its speed); the tests marked ``stock_moto`` (the
    adapters' contract suites, an end-to-end smoke run) check DynamoDB's semantics with
    moto's own code. They run when they are all this process runs (``make test`` runs
    them so, in a process of their own) or with ``KAWAL_STOCK_MOTO=1``, which the
    runners the tests start inherit; among patched tests they are skipped, never run on
    the patched moto. The patches' own tests are skipped on stock moto."""
    if items and all(item.get_closest_marker("stock_moto") for item in items):
        os.environ["KAWAL_STOCK_MOTO"] = "1"
    patched = moto_speed.install()
    unwanted, why = (
        ("stock_moto", "checks moto as released: `make stock`, or run only stock_moto tests")
        if patched
        else ("patched_moto", "tests the runner's moto patches: not installed (stock moto)")
    )
    for item in items:
        if item.get_closest_marker(unwanted):
            item.add_marker(pytest.mark.skip(reason=why))


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


@pytest.fixture(scope="session")
def moto_jwks():
    """moto signs Cognito tokens with the key it publishes at the pool's JWKS URL.
    In-process (no moto server) the same published keys are served on loopback,
    so the authorizer fetches them over HTTP exactly as it does from Cognito."""
    import gzip
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import moto.cognitoidp

    source = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-public.json.gz"
    body = gzip.decompress(source.read_bytes())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture
def aws(monkeypatch, moto_jwks):
    """A fresh moto AWS with every resource bootstrapped, as the runner does."""
    from moto import mock_aws

    from chalicelib.adapters import aws as aws_clients
    from chalicelib.adapters import whatsapp
    from kawal_deploy import resources

    with mock_aws():
        aws_clients.reset()
        whatsapp._secrets.cache_clear()  # each test's own secrets
        made = resources.bootstrap()
        monkeypatch.setenv("COGNITO_USER_POOL_ID", made["cognito_user_pool_id"])
        monkeypatch.setenv("COGNITO_CLIENT_ID", made["cognito_client_id"])
        monkeypatch.setenv("COGNITO_JWKS_URL", moto_jwks)
        yield aws_clients
        aws_clients.reset()


STAFF = {
    "command": "command",
    "operator": "operator",
    "orange": "squad-orange",
    "orange2": "squad-orange",
    "blue": "squad-blue",
    "shadow": "shadow",
    "bappeda": "bappeda",
}


@pytest.fixture
def tokens(aws):
    """An access token per staff role, from the (moto) Cognito user pool."""
    from chalicelib import config
    from kawal_deploy import resources

    out = {}
    for name, group in STAFF.items():
        resources.create_staff_user(config.user_pool_id(), name, "Test-password-1", group)
        out[name] = resources.sign_in(config.user_pool_client_id(), name, "Test-password-1")
    return out


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.fixture
def client(aws):
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="dev", project_dir=str(ROOT)) as c:
        yield c
