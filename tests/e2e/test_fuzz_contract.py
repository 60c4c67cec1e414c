"""The published contract, fuzzed by schemathesis against the local runner over HTTP,
as six kinds of caller: no 5xx, every answer as the contract says (status, content
type, headers, body schema), and nothing covert ever reaches a role that must not
see it. ``make fuzz`` runs the same with many more examples."""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from .conftest import Runner, sign_in

pytestmark = pytest.mark.e2e
EXAMPLES = int(os.environ.get("KAWAL_FUZZ_EXAMPLES", "10"))
# Who calls: nobody, a squad member, a shadow member, an operator, the command centre.
ROLES = {"anonymous": None, "squad": "tim-orange", "shadow": "bayangan",
         "operator": "operator", "command": "komando"}  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_runner():
    runner = Runner()
    try:
        runner.wait_ready()
        yield runner
    finally:
        runner.stop()


@pytest.fixture(scope="module")
def tokens(fuzz_runner):
    return {role: user and sign_in(fuzz_runner, user) for role, user in ROLES.items()}


@pytest.fixture(scope="module")
def seeded(fuzz_runner, tokens):
    """The demo reports, the covert one among them, as the command centre lists them."""
    answer = requests.get(
        f"{fuzz_runner.base}/command/reports",
        headers={"Authorization": f"Bearer {tokens['command']}"},
        timeout=10,
    ).json()
    covert = [r for r in answer["items"] if r["covert"]]
    assert covert, "the demo data has a covert report"
    return answer["items"], covert


@pytest.fixture(scope="module")
def contract(fuzz_runner, tokens):
    """The full contract (the public one leaves the staff operations out)."""
    document = requests.get(
        f"{fuzz_runner.base}/command/openapi.json",
        headers={"Authorization": f"Bearer {tokens['command']}"},
        timeout=10,
    ).json()
    return schemathesis.openapi.from_dict(document)


def operations() -> list[str]:
    import app  # noqa: F401  (registers every route in the contract)
    from chalicelib.entry import contract

    return sorted(f"{method} {path}" for method, path in contract.OPERATIONS)


def secrets_of(seeded) -> list[str]:
    """What only the command centre may see: the covert report and the shadow squad.
    (Covert labels themselves are public: anyone may report an illegal levy.)"""
    from chalicelib.routing import load_catalogue

    _, covert = seeded
    shadow = next(s for s in load_catalogue().squads if s.code == "shadow")
    return [
        *(r[k] for r in covert for k in ("id", "code")),
        *(name for name in (shadow.name_id, shadow.name_en)),
        '"squad#shadow"',
        '"shadow"',
    ]


@pytest.mark.parametrize("operation", operations())
def test_contract_holds_for_every_role(operation, contract, fuzz_runner, tokens, seeded):
    method, path = operation.split(" ", 1)
    api_operation = contract[path][method]
    reports, covert = seeded
    # Random data, invalid data, and (where the path names a report) real reports,
    # the covert one among them: random strings alone would only ever be "not found".
    strategies = [
        api_operation.as_strategy(GenerationMode.POSITIVE),
        api_operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    for name in ("ref", "code"):
        if "{" + name + "}" in path:
            strategies += [
                api_operation.as_strategy(path_parameters={name: r["code"]})
                for r in [*covert, reports[0]]
            ]
    secrets = secrets_of(seeded)

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same cases every CI run; `make fuzz` explores more
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def holds(case):
        for role, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = case.call_and_validate(
                base_url=fuzz_runner.base,
                headers=headers,
                timeout=30,
                # Schema-valid is not always acceptable: a point outside the regency,
                # an unknown label, a step the report's status does not allow.
                excluded_checks=[positive_data_acceptance],
            )
            if role != "command" and response.status_code < 300:
                leaked = [s for s in secrets if s in response.text]
                assert not leaked, f"{role} saw covert data {leaked}: {method} {case.path}"

    holds()


PHASES = os.environ.get("KAWAL_FUZZ_PHASES", "coverage")


@pytest.mark.parametrize("caller", ["anonymous", "command"])
def test_every_schemathesis_phase_passes(fuzz_runner, tokens, tmp_path, caller):
    """schemathesis' own runner, phase by phase (``make test``: the coverage phase, which
    also sends every method a path does not take; ``make fuzz``: examples, coverage,
    fuzzing and stateful): the public contract as nobody, the full one as the command
    centre. Zero failures."""
    import subprocess
    import sys
    from pathlib import Path

    headers = {"Authorization": f"Bearer {tokens['command']}"}
    path = "/command/openapi.json" if caller == "command" else "/openapi.json"
    document = requests.get(f"{fuzz_runner.base}{path}", headers=headers, timeout=10)
    schema = tmp_path / "openapi.json"
    schema.write_text(document.text)
    cli = Path(sys.executable).with_name("schemathesis")
    command = [
        str(cli), "run", str(schema), "--url", fuzz_runner.base,
        "--phases", PHASES, "--max-examples", str(EXAMPLES), "--generation-deterministic",
        "--exclude-checks", "positive_data_acceptance", "--continue-on-failure", "-w", "2",
    ]  # fmt: skip
    if caller == "command":
        command += ["-H", f"Authorization: Bearer {tokens['command']}"]
    # run in the test's folder: schemathesis keeps a cache where it runs
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=1800, check=False, cwd=tmp_path
    )
    summary = done.stdout[done.stdout.find("SUMMARY") :]
    assert done.returncode == 0, done.stdout[-6000:]
    assert " passed" in summary and "failed" not in summary.split("Test cases:")[-1]
