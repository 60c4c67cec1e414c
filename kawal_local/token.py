"""`make token USER=komando`: print an access token from the running `make run`.

Reads where the embedded AWS and the user pool are from .kawal-local.json, which
the runner writes at start-up.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

STATE = Path(
    os.environ.get("KAWAL_STATE_FILE")
    or Path(__file__).resolve().parent.parent / ".kawal-local.json"
)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m kawal_local.token USERNAME", file=sys.stderr)
        return 2
    if not STATE.exists():
        print("start `make run` first", file=sys.stderr)
        return 1
    state = json.loads(STATE.read_text())
    os.environ.update(state["env"])
    from kawal_deploy import resources
    from kawal_local.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET

    client = state["env"]["COGNITO_CLIENT_ID"]
    print(resources.sign_in(client, argv[0], DEMO_PASSWORD, DEMO_TOTP_SECRET))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
