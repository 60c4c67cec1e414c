# Two commands for a newcomer: `make run` and `make test`. Both set up .venv first.
# Lambda's runtime follows the interpreter that packages: python3.13 (Amazon Linux 2023).
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(shell command -v python3.13))
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test suite stock fuzz lint format bench lighthouse clean bootstrap throttle policies package token

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 13), "Kawal needs Python 3.13 (Lambda runtime)"'
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null || rm -rf $(VENV)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

CHROMIUM := /usr/bin/chromium
$(CHROMIUM):  ## the browser tests drive Debian's chromium (a test tool's own download fails here)
	@SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$SUDO apt-get install -y -q chromium || ($$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium)

run: $(STAMP)
	$(BIN)/python -m kawal_local.run

token: $(STAMP)  ## an access token from the running `make run`: make -s token USER=komando
	@$(BIN)/python -m kawal_local.token $(USER)

test: $(STAMP) $(CHROMIUM)  ## lint, the suite (both motos) and the package check side by side (each one's output kept whole)
	$(MAKE) --no-print-directory -j4 --output-sync=line lint suite stock package STAGE=prod

suite: $(STAMP) $(CHROMIUM)  ## the test suite on two workers, on moto as the runner patches it
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=15 -m "not stock_moto"

stock: $(STAMP)  ## the adapters' contract suites and an end-to-end smoke run, on moto as released
	KAWAL_STOCK_MOTO=1 $(BIN)/python -m pytest -q -p no:xdist -m stock_moto tests/contracts tests/e2e

fuzz: $(STAMP)  ## the contract fuzzed at length, every schemathesis phase (make test: 10 examples, coverage phase)
	KAWAL_FUZZ_EXAMPLES=$${KAWAL_FUZZ_EXAMPLES:-300} \
	KAWAL_FUZZ_PHASES=$${KAWAL_FUZZ_PHASES:-examples,coverage,fuzzing,stateful} \
	$(BIN)/python -m pytest -q tests/e2e/test_fuzz_contract.py

bench: $(STAMP)  ## benchmarks, each against its baseline in the same run
	$(BIN)/python bench/photos.py
	$(BIN)/python bench/stats.py

lighthouse: $(STAMP) $(CHROMIUM)  ## the web apps' first-visit weight and Lighthouse mobile scores
	cd bench/lighthouse && npm ci --no-audit --no-fund --silent
	$(BIN)/python bench/web.py

STAGE ?= dev
bootstrap: $(STAMP)  ## create/update the stage's AWS resources: make bootstrap STAGE=prod
	$(BIN)/python -m kawal_deploy.bootstrap --stage $(STAGE)

throttle: $(STAMP)  ## after `chalice deploy`: API Gateway stage throttling
	$(BIN)/python -m kawal_deploy.bootstrap --stage $(STAGE) --throttle

package: $(STAMP)  ## chalice package --merge-template, cfn-lint, import from the zip in a clean 3.13
	$(BIN)/python -m kawal_deploy.package_check $(STAGE)

policies: $(STAMP)  ## rewrite .chalice/policy-*.json from kawal_deploy/iam.py
	$(BIN)/python -m kawal_deploy.iam

lint: $(STAMP)  ## ruff, the layers' import contracts and the types (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
