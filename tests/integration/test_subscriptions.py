"""Squad subscriptions: who may list, add and remove them (one table a reviewer can read)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import bearer

from .helpers import JSON_HEADERS

# role -> squad -> expected status of GET/POST (200/201 allowed, 403 forbidden, 404 absent)
ACCESS = {
    "command": {"orange": 201, "shadow": 201},
    "operator": {"orange": 201, "shadow": 404},
    "orange": {"orange": 403, "shadow": 404},
    "blue": {"orange": 403, "shadow": 404},
    "shadow": {"orange": 403, "shadow": 404},
}
CASES = [(role, squad, status) for role, row in ACCESS.items() for squad, status in row.items()]


def add(client, token, squad, **body):
    payload = {"protocol": "sms", "endpoint": "0812-1111-2222", **body}
    headers = {**JSON_HEADERS, **bearer(token)}
    return client.http.post(
        f"/squads/{squad}/subscriptions", headers=headers, body=json.dumps(payload)
    )


@pytest.mark.parametrize(("role", "squad", "status"), CASES)
def test_who_may_manage_a_squads_subscriptions(client, tokens, role, squad, status):
    created = add(client, tokens[role], squad)
    assert created.status_code == status, created.body
    listed = client.http.get(f"/squads/{squad}/subscriptions", headers=bearer(tokens[role]))
    assert listed.status_code == (200 if status == 201 else status)
    if status != 201:
        assert created.json_body["error"]["code"] in {"forbidden", "squad_not_found"}
        # and the refusal never leaks a subscription made by someone allowed
        add(client, tokens["command"], squad)
        deleted = client.http.delete(
            f"/squads/{squad}/subscriptions/00000000-0000-0000-0000-000000000000",
            headers=bearer(tokens[role]),
        )
        assert deleted.status_code == status


def test_without_a_token_or_with_a_forged_one_there_is_no_access(client, tokens):
    assert client.http.get("/squads/orange/subscriptions").status_code == 401
    forged = tokens["command"][:-4] + ("AAAA" if not tokens["command"].endswith("AAAA") else "BBBB")
    r = client.http.get("/squads/orange/subscriptions", headers=bearer(forged))
    assert r.status_code == 403
    r = client.http.get("/squads/orange/subscriptions", headers=bearer("not-a-jwt"))
    assert r.status_code == 403


def test_subscribe_list_filter_and_remove(client, tokens, aws):
    token = tokens["command"]
    sms = add(client, token, "orange", districts=["panggul", "munjungan"]).json_body
    assert sms["endpoint"] == "+6281211112222" and sms["districts"] == ["panggul", "munjungan"]
    mail = add(client, token, "orange", protocol="email", endpoint="pu@trenggalekkab.go.id")
    assert mail.status_code == 201 and mail.json_body["pending_confirmation"] is True
    listed = client.http.get("/squads/orange/subscriptions", headers=bearer(token)).json_body
    assert {(s["protocol"], s["endpoint"]) for s in listed} >= {
        ("sms", "+6281211112222"),
        ("email", "pu@trenggalekkab.go.id"),
    }
    mine = next(s for s in listed if s["id"] == sms["id"])
    assert mine["districts"] == ["panggul", "munjungan"]
    # the filter policy is really on the SNS subscription
    sns = aws.client("sns")
    arns = [
        s["SubscriptionArn"]
        for s in sns.list_subscriptions()["Subscriptions"]
        if s["SubscriptionArn"].endswith(sms["id"])
    ]
    policy = sns.get_subscription_attributes(SubscriptionArn=arns[0])["Attributes"]["FilterPolicy"]
    assert json.loads(policy) == {  # their districts, and every urgent report
        "$or": [{"district": ["panggul", "munjungan"]}, {"urgent": ["true"]}]
    }

    gone = client.http.delete(f"/squads/orange/subscriptions/{sms['id']}", headers=bearer(token))
    assert gone.status_code == 200
    listed = client.http.get("/squads/orange/subscriptions", headers=bearer(token)).json_body
    assert sms["id"] not in {s["id"] for s in listed}
    again = client.http.delete(f"/squads/orange/subscriptions/{sms['id']}", headers=bearer(token))
    assert again.status_code == 404


def test_a_subscription_cannot_be_removed_through_another_squad(client, tokens):
    token = tokens["command"]
    sub = add(client, token, "orange").json_body
    r = client.http.delete(f"/squads/blue/subscriptions/{sub['id']}", headers=bearer(token))
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"endpoint": "12"}, "validation_failed"),
        ({"protocol": "email", "endpoint": "nope"}, "validation_failed"),
        ({"protocol": "http", "endpoint": "http://x"}, "validation_failed"),
        ({"districts": ["gotham"]}, "unknown_district"),
    ],
)
def test_bad_subscriptions_are_refused(client, tokens, body, code):
    r = add(client, tokens["command"], "orange", **body)
    assert r.status_code == 400 and r.json_body["error"]["code"] == code


def test_unknown_squad_is_404(client, tokens):
    r = client.http.get("/squads/green/subscriptions", headers=bearer(tokens["command"]))
    assert r.status_code == 404
