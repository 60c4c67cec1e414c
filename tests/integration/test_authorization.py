"""Who may do what, per object: every endpoint x every role x own/other report.

Roles: anon (no credentials), reporter (the report's own token), citizen (another
report's token), orange (member of the report's squad), blue (another squad),
operator, shadow (covert squad member), command (the regent's command centre).
R is an orange report, C a covert one. 401: no token; 403: not allowed;
404: absent (covert things do not exist for those who may not see them);
409: allowed, but not in this state; 2xx: done.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import bearer

from .helpers import JSON_HEADERS, post_json, report_body

ROLES = ["anon", "reporter", "citizen", "orange", "blue", "operator", "shadow", "command"]

# endpoint                                 anon  own  other orange blue oper  shadow command
TABLE = {
    ("GET", "/reports/R"):                            (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/reports/C"):                            (404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", "/reports/R/photos"):                    (403, 201, 403, 403, 403, 403, 403, 403),
    ("POST", "/reports/C/photos"):                    (404, 201, 404, 404, 404, 404, 404, 404),
    ("POST", "/reports/R/confirm"):                   (403, 409, 403, 403, 403, 403, 403, 403),
    ("POST", "/reports/R/dispute"):                   (403, 409, 403, 403, 403, 403, 403, 403),
    ("GET", "/staff/reports/R"):                      (401, 401, 401, 200, 403, 403, 403, 200),
    ("GET", "/staff/reports/C"):                      (401, 401, 401, 404, 404, 404, 404, 200),
    ("POST", "/reports/R/claim"):                     (401, 401, 401, 200, 403, 403, 403, 200),
    ("POST", "/reports/C/claim"):                     (401, 401, 401, 404, 404, 404, 404, 200),
    ("POST", "/reports/R/progress"):                  (401, 401, 401, 409, 403, 403, 403, 409),
    ("POST", "/reports/R/after-photos"):              (401, 401, 401, 409, 403, 403, 403, 409),
    ("POST", "/reports/R/reject"):                    (401, 401, 401, 200, 403, 403, 403, 200),
    ("GET", "/squads/orange/reports"):                (401, 401, 401, 200, 403, 403, 403, 200),
    ("GET", "/squads/shadow/reports"):                (401, 401, 401, 404, 404, 404, 200, 200),
    ("GET", "/squads/orange/subscriptions"):          (401, 401, 401, 403, 403, 200, 403, 200),
    ("GET", "/squads/shadow/subscriptions"):          (401, 401, 401, 404, 404, 404, 404, 200),
    ("GET", "/command/reports"):                      (401, 401, 401, 403, 403, 403, 403, 200),
    ("POST", "/command/reports/R/contact-reads"):     (401, 401, 401, 403, 403, 403, 403, 200),
    ("POST", "/command/reports/C/contact-reads"):     (401, 401, 401, 403, 403, 403, 403, 200),
    ("GET", "/command/reports/R/contact-reads"):      (401, 401, 401, 403, 403, 403, 403, 200),
    ("POST", "/command/reports/R/check-requests"):    (401, 401, 401, 404, 404, 404, 404, 409),
    ("POST", "/command/reports/C/check-requests"):    (401, 401, 401, 404, 404, 404, 404, 409),
    ("POST", "/reports/R/support"):                   (201, 409, 201, 201, 201, 201, 201, 201),
    ("POST", "/reports/C/support"):                   (404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", "/reports/R/shadow-checks"):             (401, 401, 401, 404, 404, 404, 409, 409),
    ("POST", "/reports/C/shadow-checks"):             (401, 401, 401, 404, 404, 404, 409, 409),
    ("GET", "/stats"):                                (401, 401, 401, 403, 403, 403, 403, 200),
    ("GET", "/stats/squads/orange"):                  (401, 401, 401, 200, 403, 403, 403, 200),
    ("GET", "/stats/squads/shadow"):                  (401, 401, 401, 404, 404, 404, 404, 200),
    ("GET", "/stats/public"):                         (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/stats/recurring"):                      (401, 401, 401, 403, 403, 403, 403, 200),
    ("GET", "/command/evaluation"):                   (401, 401, 401, 403, 403, 403, 403, 200),
    ("GET", "/reports/R/photo"):                      (404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/reports/C/photo"):                      (404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/open311/v2/requests/R.json"):           (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/open311/v2/requests/C.json"):           (404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/open311/v2/tokens/C.json"):             (404, 404, 404, 404, 404, 404, 404, 404),
    ("POST", "/reports/R/questions"):                 (401, 401, 401, 200, 403, 403, 403, 200),
    ("POST", "/reports/C/questions"):                 (401, 401, 401, 404, 404, 404, 404, 200),
    ("POST", "/reports/R/transfer"):                  (401, 401, 401, 200, 403, 403, 403, 200),
    ("POST", "/reports/C/transfer"):                  (401, 401, 401, 404, 404, 404, 404, 400),
    ("POST", "/reports/R/priority"):                  (401, 401, 401, 200, 403, 403, 403, 200),
    ("POST", "/reports/C/priority"):                  (401, 401, 401, 404, 404, 404, 404, 200),
    ("POST", "/reports/R/answers"):                   (403, 409, 403, 403, 403, 403, 403, 403),
    ("POST", "/reports/C/answers"):                   (404, 409, 404, 404, 404, 404, 404, 404),
    ("POST", "/reports/R/withdraw"):                  (403, 200, 403, 403, 403, 403, 403, 403),
    ("POST", "/reports/C/withdraw"):                  (404, 200, 404, 404, 404, 404, 404, 404),
    ("POST", "/reports/R/rating"):                    (403, 409, 403, 403, 403, 403, 403, 403),
    ("POST", "/reports/R/forward"):                   (401, 401, 401, 200, 403, 403, 403, 200),
    ("POST", "/reports/C/forward"):                   (401, 401, 401, 404, 404, 404, 404, 409),
    ("POST", "/reports/R/settle"):                    (401, 401, 401, 409, 403, 403, 403, 409),
    ("GET", "/command/privacy-requests"):             (401, 401, 401, 403, 403, 403, 403, 200),
    ("GET", "/bodies"):                               (401, 401, 401, 200, 200, 200, 200, 200),
    ("GET", "/open311-keys"):                         (401, 401, 401, 403, 403, 200, 403, 200),
    ("POST", "/open311-keys"):                        (401, 401, 401, 403, 403, 201, 403, 201),
}  # fmt: skip

BODIES = {
    "reject": {"reason": "duplicate"},
    "after-photos": {"lat": -8.05, "lon": 111.71},
    "contact-reads": {"reason": "Checking a complaint about this report"},
    "shadow-checks": {"verdict": "fixed"},
    "open311-keys": {"name": "Peta Warga"},
    "questions": {"note": "Di sebelah mana tepatnya?"},
    "transfer": {"squad": "yellow", "reason": "ini soal sampah"},
    "priority": {"priority": "urgent", "reason": "air naik terus"},
    "answers": {"note": "depan masjid"},
    "rating": {"stars": 5},
    "forward": {"body": "pln", "note": "Tiang listrik miring"},
    "settle": {"note": "PLN sudah memperbaiki"},
}


def call(client, method: str, path: str, role: str, tokens: dict, reporter: str, other: str):
    headers = dict(JSON_HEADERS)
    if role in tokens:
        headers.update(bearer(tokens[role]))
    if role == "reporter":
        headers["X-Reporter-Token"] = reporter
    if role == "citizen":
        headers["X-Reporter-Token"] = other
    body = BODIES.get(path.rsplit("/", 1)[-1], {})
    if method == "GET":
        return client.http.get(path, headers=headers)
    return client.http.post(path, headers=headers, body=json.dumps(body))


@pytest.mark.parametrize(("method", "endpoint"), list(TABLE))
def test_authorization_table(client, tokens, method, endpoint):
    other = post_json(client, "/reports", report_body()).json_body
    got = {}
    for role in ROLES:
        # a fresh pair of reports per role: an allowed action must not change the next case
        r = post_json(client, "/reports", report_body(contact={"phone": "081234567890"})).json_body
        c = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
        secret = c["reporter_token"] if "/C" in endpoint else r["reporter_token"]
        path = endpoint.replace("/R", f"/{r['id']}").replace("/C", f"/{c['id']}")
        got[role] = call(
            client, method, path, role, tokens, secret, other["reporter_token"]
        ).status_code
    assert got == dict(zip(ROLES, TABLE[(method, endpoint)], strict=True))
