"""Starts the local runner (`make run`'s program) on free loopback ports."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Runner:
    def __init__(self, seed: bool = True, data_dir: Path | None = None, history_days: int = 0):
        self.port, self.aws_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            KAWAL_PORT=str(self.port),
            KAWAL_AWS_PORT=str(self.aws_port),
            KAWAL_SEED="1" if seed else "0",
            # the seeded history only where a test looks at it (it takes seconds per week)
            KAWAL_SEED_DAYS=str(history_days),
            KAWAL_STATS_SECONDS="1",
            KAWAL_STATE_FILE=str(ROOT / ".pytest_cache" / f"state-{self.port}.json"),
            # each runner its own world: kept only where a test asks for it
            KAWAL_DATA_DIR=str(data_dir) if data_dir else "off",
            PYTHONUNBUFFERED="1",
        )
        self.state_file = Path(env["KAWAL_STATE_FILE"])
        self.log_path = ROOT / ".pytest_cache" / f"runner-{self.port}.log"
        self.log_path.unlink(missing_ok=True)
        # O_APPEND: the child's writes never land where a reader has seeked to.
        self.log = open(self.log_path, "a")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kawal_local.run"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 180) -> None:  # a loaded 2-core machine: ~60 s seen
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"runner exited early:\n{self.output()}")
            try:
                if requests.get(f"{self.base}/health", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"runner not ready in {timeout}s:\n{self.output()}")

    def stop(self, timeout: float = 60) -> int:  # a save on a loaded machine: 15 s was too short
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


# Per module: a runner left up would keep its event pump and 1-second stats job
# busy on one of CI's two cores through every later test.
@pytest.fixture(scope="module")
def runner():
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    r = Runner()
    try:
        r.wait_ready()
        yield r
    finally:
        r.stop()


def cognito(runner: Runner):
    """The runner's own (moto) Cognito: a client, and the runner's settings."""
    import json

    import boto3

    state = json.loads(runner.state_file.read_text())["env"]
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=state["AWS_ENDPOINT_URL"],
        region_name=state["AWS_DEFAULT_REGION"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    return idp, state


def sign_in(runner: Runner, username: str) -> str:
    """A staff token from the runner's own (moto) Cognito, as the squad app gets one;
    the enrolled demo accounts (komando, operator) answer with the demo secret's code."""
    from kawal_local import totp
    from kawal_local.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET

    idp, state = cognito(runner)
    answer = idp.initiate_auth(
        ClientId=state["COGNITO_CLIENT_ID"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
    )
    if answer.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
        answer = idp.respond_to_auth_challenge(
            ClientId=state["COGNITO_CLIENT_ID"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=answer["Session"],
            ChallengeResponses={
                "USERNAME": username,
                "SOFTWARE_TOKEN_MFA_CODE": totp.code(DEMO_TOTP_SECRET),
            },
        )
    return answer["AuthenticationResult"]["AccessToken"]


def held_sign_in(runner: Runner, who: str | None) -> dict:
    """What a signed-in phone's browser holds, from the runner's own Cognito: Tim's
    or the command centre's refresh cookie (and the hint its page reads; komando answers
    the second factor with the demo key).
    Signed in through the API, not the sign-in form (``tim`` is tim-orange)."""
    from urllib.parse import urlsplit

    if who is None:
        return {}
    from kawal_local import totp
    from kawal_local.seed import DEMO_TOTP_SECRET

    idp, state = cognito(runner)
    username = "tim-orange" if who == "tim" else "komando"
    answer = idp.initiate_auth(
        ClientId=state["COGNITO_CLIENT_ID"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Kawal-demo-2026"},
    )
    if answer.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":  # komando's second factor
        answer = idp.respond_to_auth_challenge(
            ClientId=state["COGNITO_CLIENT_ID"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=answer["Session"],
            ChallengeResponses={
                "USERNAME": username,
                "SOFTWARE_TOKEN_MFA_CODE": totp.code(DEMO_TOTP_SECRET),
            },
        )
    tokens = answer["AuthenticationResult"]
    # both apps stay signed in the same way: an HttpOnly refresh cookie and its hint,
    # from which the page renews its in-memory token on load
    host = urlsplit(runner.base).hostname
    cookie = {"domain": host, "sameSite": "Lax", "secure": False}
    return {
        "cookies": [
            {
                **cookie,
                "name": "kawal_refresh",
                "value": tokens["RefreshToken"],
                "path": "/auth",
                "httpOnly": True,
                "sameSite": "Strict",
            },
            {**cookie, "name": "kawal_staff", "value": "1", "path": "/"},
        ]
    }


def hold_sign_in(context, held: dict) -> None:
    """A Playwright context that holds ``held_sign_in``'s sign-in before any page loads."""
    if held.get("cookies"):
        context.add_cookies(
            [{k: v for k, v in c.items() if k != "secure"} for c in held["cookies"]]
        )


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the probe that checked this machine started it: no network beyond loopback.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (a test tool's own download fails here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def wait_for(check, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


def resolve_with_after_photo(
    runner: Runner, report_id: str, squad_user: str, lat: float, lon: float, photo: bytes = b""
):
    """A squad claims, works and resolves a report with a real after-photo taken on the spot."""
    from tests.support.images import camera_jpeg

    squad = {"Authorization": f"Bearer {sign_in(runner, squad_user)}"}
    base = runner.base
    for step in ("claim", "progress"):
        assert requests.post(f"{base}/reports/{report_id}/{step}", headers=squad, timeout=10).ok
    slot = requests.post(
        f"{base}/reports/{report_id}/after-photos", headers=squad,
        json={"lat": lat, "lon": lon}, timeout=10,
    ).json()  # fmt: skip
    form = slot["upload"]
    requests.post(
        form["url"], data=form["fields"],
        files={"file": ("a.jpg", photo or camera_jpeg(640, 480), "image/jpeg")}, timeout=20,
    )  # fmt: skip

    def after_ready():
        view = requests.get(f"{base}/staff/reports/{report_id}", headers=squad, timeout=10).json()
        return any(p["role"] == "after" and p["state"] == "ready" for p in view["photos"])

    wait_for(after_ready, 60)
    resolved = requests.post(
        f"{base}/reports/{report_id}/resolve", headers=squad,
        json={"note": "Sudah ditangani", "photo_id": slot["photo_id"]}, timeout=10,
    )  # fmt: skip
    assert resolved.status_code == 200, resolved.text
    return resolved.json()
