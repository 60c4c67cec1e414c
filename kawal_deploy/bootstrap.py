"""`make bootstrap STAGE=prod`: create or update, on the AWS account the shell's
credentials name, every resource Chalice does not make, with the same code the
local runner uses against moto; then write what `chalice deploy` needs to know
(the user pool, the table's stream) into the stage's environment in
``.chalice/config.json``.

    make bootstrap STAGE=prod                 # before the first `chalice deploy`
    make throttle STAGE=prod                  # after each `chalice deploy`

``throttle`` sets API Gateway's stage throttling on the API that Chalice
recorded in ``.chalice/deployed/<stage>.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".chalice" / "config.json"
# Requests per second and burst for the whole stage: far above a regency's
# traffic (hundreds of reports a day), low enough that a flood costs little.
THROTTLE = {"dev": (10, 20), "prod": (50, 100)}


def stage_env(stage: str, config_path: Path = CONFIG) -> dict[str, str]:
    config = json.loads(config_path.read_text())
    if stage not in config["stages"]:
        raise SystemExit(f"no stage {stage!r} in {config_path}")
    return config["stages"][stage]["environment_variables"]


def bootstrap(stage: str, config_path: Path = CONFIG) -> dict:
    from kawal_deploy import resources

    os.environ.update(stage_env(stage, config_path))
    made = resources.bootstrap()
    config = json.loads(config_path.read_text())
    config["stages"][stage]["environment_variables"].update(
        COGNITO_USER_POOL_ID=made["cognito_user_pool_id"],
        COGNITO_CLIENT_ID=made["cognito_client_id"],
        TABLE_STREAM_ARN=made["table_stream_arn"],
    )
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    return made


def throttle(stage: str, root: Path = ROOT) -> str:
    from kawal_deploy import resources

    os.environ.update(stage_env(stage, root / ".chalice" / "config.json"))
    deployed = root / ".chalice" / "deployed" / f"{stage}.json"
    if not deployed.exists():
        raise SystemExit(f"run `chalice deploy --stage {stage}` first ({deployed} is missing)")
    found = json.loads(deployed.read_text())["resources"]
    api = next(r for r in found if r.get("resource_type") == "rest_api")
    rate, burst = THROTTLE.get(stage, THROTTLE["prod"])
    config = json.loads((root / ".chalice" / "config.json").read_text())
    resources.throttle_stage(
        api["rest_api_id"], config["stages"][stage].get("api_gateway_stage", "api"), rate, burst
    )
    return api["rest_api_id"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m kawal_deploy.bootstrap")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--throttle", action="store_true", help="after chalice deploy")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.throttle:
        api = throttle(args.stage)
        rate, burst = THROTTLE.get(args.stage, THROTTLE["prod"])
        print(f"API {api}: stage throttled to {rate} requests/s, bursts of {burst}")
        return 0
    made = bootstrap(args.stage)
    print(json.dumps(made, indent=2, default=str))
    print(f"\nwrote the user pool and stream into .chalice/config.json ({args.stage});")
    print(f"next: chalice deploy --stage {args.stage} && make throttle STAGE={args.stage}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
