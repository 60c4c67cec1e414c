"""The published contract (OpenAPI 3.1) describes every route the app serves."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from chalicelib.entry import contract


@pytest.fixture(scope="module")
def app():
    from app import app as chalice_app

    return chalice_app


@pytest.fixture(scope="module")
def document(app):
    return contract.document()


def served_routes(app) -> set[tuple[str, str]]:
    return {(method, path) for path, methods in app.routes.items() for method in methods}


def described(document) -> set[tuple[str, str]]:
    return {(m.upper(), path) for path, ops in document["paths"].items() for m in ops}


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


def test_every_served_route_is_described_and_nothing_else(app, document):
    assert served_routes(app) - described(document) == set(), "routes missing from the contract"
    assert described(document) - served_routes(app) == set(), "the contract names a ghost route"


def test_a_route_registered_without_the_contract_is_caught(app, document):
    from chalice import Blueprint

    extra = Blueprint("undocumented")

    @extra.route("/undocumented", methods=["GET"])
    def undocumented():
        return {}

    app.register_blueprint(extra)
    try:
        assert ("GET", "/undocumented") in served_routes(app) - described(document)
    finally:
        del app.routes["/undocumented"]


def test_staff_routes_require_a_bearer_token_and_public_ones_none(app, document):
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            security = document["paths"][path][method.lower()].get("security")
            if entry.authorizer is not None:
                assert security == [{"staff": []}], (method, path)
                assert {"401", "403"} <= set(document["paths"][path][method.lower()]["responses"])
            else:
                assert not security or {"staff": []} not in security, (method, path)


def test_citizen_secrets_are_declared_where_they_are_checked(document):
    paths = document["paths"]
    assert paths["/reports/{ref}/confirm"]["post"]["security"] == [{"reporter": []}]
    assert paths["/devices/reports"]["get"]["security"] == [{"device": []}]
    assert {} in paths["/reports"]["post"]["security"]  # a device token is optional


def test_bodies_and_answers_come_from_the_handlers_models(document):
    from chalicelib.domain.models import ReportIn

    post = document["paths"]["/reports"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ReportIn"}
    schema = document["components"]["schemas"]["ReportIn"]
    assert set(schema["properties"]) == set(ReportIn.model_fields)
    assert schema["additionalProperties"] is False  # extra="forbid" is published too
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReportCreated"
    }
    assert "Retry-After" in post["responses"]["429"]["headers"]


def test_every_error_answer_has_the_error_shape(document):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            for status, answer in op["responses"].items():
                if int(status) < 400:
                    continue
                schema = answer["content"]["application/json"]["schema"]
                if status in ("401", "403") and "anyOf" in schema:
                    # ours, or API Gateway's own when the authorizer refuses a token
                    schema, gateway = schema["anyOf"]
                    assert gateway == contract.GATEWAY_REFUSAL
                if path.startswith("/open311/v2/"):
                    assert schema["type"] == "array", (method, path, status)
                else:
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path)


def test_served_at_openapi_json(aws, client):
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.body) == json.loads(json.dumps(contract.document(full=False)))


COVERT_WORDS = ("shadow", "covert", "bayangan", "rahasia", "check-photos", "shadow_checks")


def test_the_public_contract_names_nothing_staff_only_or_covert(aws, client):
    public = client.http.get("/openapi.json").body.decode()
    assert not [w for w in COVERT_WORDS if w in public.lower()]
    paths = json.loads(public)["paths"]
    assert "/command/reports" not in paths and "/squads/{squad}/reports" not in paths
    assert "/reports" in paths and "/open311/v2/{document}" in paths
    assert "staff" not in json.loads(public)["components"]["securitySchemes"]


@pytest.mark.parametrize("asset", ["", "/app.js", "/map.js", "/style.css"])
def test_the_command_centre_s_page_names_nothing_covert_before_sign_in(aws, client, asset):
    text = client.http.get(f"/command-centre{asset}").body.decode().lower()
    words = ("bayangan", "covert", "rahasia", "shadow_", "shadowfail", "shadow check")
    assert not [w for w in words if w in text]


def test_the_full_contract_is_the_command_centre_s_only(aws, client, tokens):
    from tests.conftest import bearer

    assert client.http.get("/command/openapi.json").status_code == 401
    for role in ("orange", "shadow", "operator"):
        answer = client.http.get("/command/openapi.json", headers=bearer(tokens[role]))
        assert answer.status_code == 403, role
    full = client.http.get("/command/openapi.json", headers=bearer(tokens["command"]))
    assert full.status_code == 200
    assert json.loads(full.body) == json.loads(json.dumps(contract.document()))
    assert "/squads/{squad}/reports" in full.json_body["paths"]


def test_query_strings_are_held_to_the_declared_parameters(aws, client, tokens):
    from tests.conftest import bearer

    def status_code(path: str, token: str | None = None) -> tuple[int, str]:
        answer = client.http.get(path, headers=bearer(token))
        code = answer.json_body["error"]["code"] if answer.status_code >= 400 else ""
        return answer.status_code, code

    assert status_code("/reports?colour=red") == (400, "unknown_parameter")
    assert status_code("/reports?format=pdf") == (400, "invalid_format")
    assert status_code("/reports?cursor=") == (400, "invalid_cursor")
    assert status_code("/reports?month=2026-13x") == (400, "invalid_month")
    assert status_code("/reports?format=geojson") == (200, "")
    assert status_code("/stats?window=forever", tokens["command"]) == (400, "invalid_window")
    # Open311 clients may send parameters of their own: ignored, as the standard expects
    assert client.http.get("/open311/v2/services.json?client=x").status_code == 200
