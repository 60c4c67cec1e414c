"""What an outside attack found (issue #15), each as the attacker would try it."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import config, storage
from tests.conftest import bearer

from .helpers import JSON_HEADERS, all_items, post_json, report_body
from .test_dispatch import sms_sent
from .test_support_and_merge import support
from .workflow_helpers import staff_post

COVERT = "pungutan_liar"


def covert_and_public(client, n_covert: int = 3, n_public: int = 2) -> tuple[list, list]:
    covert = [
        post_json(client, "/reports", report_body(label=COVERT)).json_body for _ in range(n_covert)
    ]
    public = [post_json(client, "/reports", report_body()).json_body for _ in range(n_public)]
    return covert, public


# -- 1 and 8: the public list's cursor ------------------------------------------------
def test_covert_reports_are_not_in_the_index_public_lists_read(client):
    covert, public = covert_and_public(client)
    by_index: dict[str, set[str]] = {}
    for item in all_items():
        if "GSI5PK" in item:
            by_index.setdefault(item["GSI5PK"]["S"].split("#")[0], set()).add(item["PK"]["S"])
    assert {f"REPORT#{r['id']}" for r in covert} == by_index["COVERT"]
    assert {f"REPORT#{r['id']}" for r in public} == by_index["ALL"]


def test_stepping_through_a_month_with_an_empty_bbox_reveals_no_covert_report(client):
    covert, _ = covert_and_public(client, n_covert=4, n_public=3)
    secrets = [r["id"] for r in covert] + [r["code"] for r in covert]
    seen, cursor, pages = [], None, 0
    from chalicelib.entry import (
        views,  # one item per Query, so every step's cursor is the last key the query looked at
    )

    views_page_of = views.page_of

    def tiny_pages(*args, **kwargs):
        return views_page_of(*args, **{**kwargs, "limit": 1})

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(views, "page_of", tiny_pages)
        while True:
            query = "/reports?bbox=0,0,0.001,0.001" + (f"&cursor={cursor}" if cursor else "")
            answer = client.http.get(query)
            assert answer.status_code == 200, answer.body
            seen.append(answer.body.decode())
            cursor = answer.json_body["next_cursor"]
            pages += 1
            if not cursor or pages > 20:
                break
    assert pages <= 5  # only the three public reports were ever walked
    text = "".join(seen)
    assert not [s for s in secrets if s in text]


def test_cursors_are_opaque_and_forged_ones_are_refused(client):
    for _ in range(3):
        post_json(client, "/reports", report_body())
    from chalicelib.entry import views

    store = storage.ReportStore()
    first, cursor = views.page_of(
        store, store.public_month(f"{datetime.now(UTC):%Y-%m}"), None, limit=1
    )
    assert len(first) == 1 and cursor
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"REPORT#" not in raw and first[0].id.encode() not in raw  # sealed, not encoded
    assert client.http.get(f"/reports?cursor={cursor}").status_code == 200
    forged = [
        base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
        for key in (
            {"PK": {"S": "REPORT#x"}, "SK": {"S": "META"}, "GSI5PK": {"S": "ALL#2026-01"}},
            {"GSI5PK": {"S": f"ALL#{datetime.now(UTC):%Y-%m}"}},  # partition only: was a 503
        )
    ]
    tampered = cursor[:-4] + ("AAAA" if not cursor.endswith("AAAA") else "BBBB")
    for bad in [*forged, tampered, "x", "%%%"]:
        answer = client.http.get(f"/reports?cursor={bad}")
        assert answer.status_code == 400, bad
        assert answer.json_body["error"]["code"] == "invalid_cursor"
    # a cursor of one list does not open another (here: another month)
    other = client.http.get(f"/reports?month=2025-01&cursor={cursor}")
    assert other.status_code == 400


def test_the_command_centre_still_pages_through_every_report_covert_ones_included(client, tokens):
    covert, public = covert_and_public(client, n_covert=3, n_public=3)
    ids, cursor = [], None
    from chalicelib.entry import views

    real = views.page_of

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(views, "page_of", lambda *a, **k: real(*a, **{**k, "limit": 2}))
        while True:
            query = "/command/reports" + (f"?cursor={cursor}" if cursor else "")
            answer = client.http.get(query, headers=bearer(tokens["command"]))
            assert answer.status_code == 200, answer.body
            ids += [r["id"] for r in answer.json_body["items"]]
            cursor = answer.json_body["next_cursor"]
            if not cursor:
                break
    assert sorted(ids) == sorted(r["id"] for r in covert + public)  # each exactly once
    created = [r["created_at"] for r in answer.json_body["items"]]
    assert created == sorted(created, reverse=True)


# -- 10: covert labels --------------------------------------------------------------
def test_a_covert_label_filter_answers_like_any_label(client):
    covert_and_public(client)
    covert = client.http.get(f"/reports?label={COVERT}")
    plain = client.http.get("/reports?label=banjir")
    assert (covert.status_code, plain.status_code) == (200, 200)
    assert covert.json_body == plain.json_body == {"items": [], "next_cursor": None}
    assert client.http.get("/reports?label=no_such_label").status_code == 400


# -- 9: timing oracle ----------------------------------------------------------------
def test_an_unknown_code_costs_the_same_reads_as_a_covert_one(client, aws):
    covert, _ = covert_and_public(client, n_covert=1, n_public=0)
    calls: list[str] = []

    def record(**kwargs):
        calls.append(kwargs["model"].name)

    events = aws.client("dynamodb").meta.events
    events.register("before-call.dynamodb", record)
    try:
        known = client.http.get(f"/reports/{covert[0]['code']}")
        known_calls, calls[:] = list(calls), []
        unknown = client.http.get("/reports/TRG-ZZZZZZ")
        unknown_calls = list(calls)
    finally:
        events.unregister("before-call.dynamodb", record)
    assert known.status_code == unknown.status_code == 404
    assert known.body == unknown.body.replace(b"TRG-ZZZZZZ", covert[0]["code"].encode())
    assert known_calls == unknown_calls == ["GetItem", "Query"]


# -- 3 and 7: SMS pumping, fake support ---------------------------------------------
@pytest.mark.parametrize("phone", ["+447911123456", "+88212345678", "0355123456", "+1900555"])
def test_only_indonesian_mobile_numbers_are_taken_for_sms(client, phone):
    report = post_json(client, "/reports", report_body()).json_body
    answer = support(client, report, contact={"phone": phone, "notify": True})
    assert answer.status_code == 400
    filed = post_json(client, "/reports", report_body(contact={"phone": phone, "notify": True}))
    assert filed.status_code == 400


def test_one_support_per_phone_or_device_and_never_one_s_own(client):
    from .test_devices import register

    report = post_json(client, "/reports", report_body()).json_body
    contact = {"phone": "0813 7777 8888", "notify": True}
    assert support(client, report, contact=contact).status_code == 201
    again = support(client, report, client_support_id=str(uuid.uuid4()), contact=contact)
    assert again.status_code == 200 and again.json_body["supporters"] == 1
    device = {**JSON_HEADERS, "X-Device-Token": register(client)}
    url = f"/reports/{report['id']}/support"
    for n in range(3):
        body = json.dumps({"client_support_id": str(uuid.uuid4())})
        answer = client.http.post(url, headers=device, body=body)
        assert answer.status_code == (201 if n == 0 else 200)
    own = client.http.post(
        url, headers={**JSON_HEADERS, "X-Reporter-Token": report["reporter_token"]}
    )
    assert own.status_code == 409 and own.json_body["error"]["code"] == "own_report"
    mine = post_json(client, "/reports", report_body(), device).json_body
    answer = client.http.post(f"/reports/{mine['id']}/support", headers=device, body="")
    assert answer.status_code == 409
    assert client.http.get(f"/reports/{report['id']}").json_body["supporters"] == 2


def test_supports_from_one_network_are_limited(client, monkeypatch):
    monkeypatch.setenv("QUOTA_SUPPORTS_PER_IP_HOUR", "5")
    report = post_json(client, "/reports", report_body()).json_body
    answers = [support(client, report).status_code for _ in range(7)]
    assert answers == [201] * 5 + [429] * 2
    assert client.http.get(f"/reports/{report['id']}").json_body["supporters"] == 5


def test_one_staff_step_texts_a_few_people_at_most_and_supporters_only_the_outcome(
    client, aws, tokens, monkeypatch
):
    from chalicelib.entry import events
    from kawal_local.pump import StreamReader, drain

    from .workflow_helpers import after_photo

    monkeypatch.setenv("SMS_PER_REPORT_NOTIFICATION", "3")
    report = post_json(
        client, "/reports", report_body(contact={"phone": "081200000001", "notify": True})
    ).json_body
    for n in range(6):
        contact = {"phone": f"08130000000{n}", "notify": True}
        assert support(client, report, contact=contact).status_code == 201
    reader = StreamReader(config.table_name())
    drain(reader, events.dispatch_stream)
    token = tokens["orange"]
    staff_post(client, token, f"/reports/{report['id']}/claim")
    drain(reader, events.dispatch_stream)
    on_claim = [phone for phone, _ in sms_sent(aws)]
    assert on_claim == ["+6281200000001"]  # the reporter only
    staff_post(client, token, f"/reports/{report['id']}/progress")
    photo = after_photo(client, aws, token, report, report["lat"], report["lon"])
    r = staff_post(
        client, token, f"/reports/{report['id']}/resolve", {"note": "Beres", "photo_id": photo}
    )
    assert r.status_code == 200, r.body
    drain(reader, events.dispatch_stream)
    on_resolve = [phone for phone, _ in sms_sent(aws)][len(on_claim) :]
    assert on_resolve[0] == "+6281200000001" and len(on_resolve) == 3  # the cap, reporter first


# -- 4: merges across the covert line --------------------------------------------------
def test_a_merge_across_the_covert_line_is_refused_and_leaves_nothing(client, tokens):
    covert, public = covert_and_public(client, n_covert=1, n_public=1)
    before = client.http.get(f"/reports/{public[0]['id']}").json_body
    for duplicate, original in ((public[0], covert[0]), (covert[0], public[0])):
        answer = staff_post(
            client,
            tokens["command"],
            f"/reports/{duplicate['id']}/merge",
            {"into": original["code"]},
        )
        assert answer.status_code == 409
        assert answer.json_body["error"]["code"] == "merge_across_covert_line"
    assert client.http.get(f"/reports/{public[0]['id']}").json_body == before


# -- 5: operators' alarms apart from covert details -------------------------------------
def test_alarms_go_to_the_operators_topic_never_the_command_topic():
    from kawal_deploy.resources import ALARM_TOPIC, NOTIFIED_TOPICS
    from kawal_deploy.template import resources

    template = resources("prod")
    alarms = [r for r in template.values() if r.get("Type") == "AWS::CloudWatch::Alarm"]
    assert alarms and all(a["Properties"]["AlarmActions"] == [{"Ref": "OpsTopic"}] for a in alarms)
    assert ALARM_TOPIC not in NOTIFIED_TOPICS and "OpsTopic" in template


# -- 6: Open311 reporter token ------------------------------------------------------
def test_the_open311_reporter_token_cannot_be_rebuilt_from_public_data(client):
    import hashlib
    import urllib.parse

    from chalicelib.domain import identifiers
    from chalicelib.services import apikeys, reports
    from chalicelib.storage import ApiKeyStore

    key, record = apikeys.issue(ApiKeyStore(), "Peta Warga", "operator", reports.utc_now())
    form = {
        "api_key": key,
        "service_code": "jalan_rusak",
        "lat": "-8.05",
        "long": "111.7",
        "description": "Jalan berlubang",
    }
    answer = client.http.post(
        "/open311/v2/requests.json",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urllib.parse.urlencode(form),
    )
    assert answer.status_code == 201, answer.body
    report_id = answer.json_body[0]["token"]
    # what the attacker did: the key id (shown in lists) + the public fields
    canonical = sorted((k, v) for k, v in form.items() if k != "api_key")
    digest = hashlib.sha256(repr((record["id"], [(k, v) for k, v in canonical])).encode())
    guessed = uuid.UUID(bytes=digest.digest()[:16], version=4)
    assert identifiers.report_id_for(guessed) != report_id
    token = identifiers.reporter_token_for(guessed)
    slot = client.http.post(
        f"/reports/{report_id}/photos", headers={**JSON_HEADERS, "X-Reporter-Token": token}
    )
    assert slot.status_code == 403


# -- 11: sign-in lockout ---------------------------------------------------------------
def sign_in(client, user: str, password: str):
    return post_json(client, "/auth/sign-in", {"username": user, "password": password})


def test_good_sign_ins_never_lock_out_an_office(client, tokens, monkeypatch):
    monkeypatch.setenv("QUOTA_SIGN_INS_PER_IP_HOUR", "36")
    monkeypatch.setenv("QUOTA_SIGN_IN_FAILURES_PER_ACCOUNT", "100")
    for _ in range(25):
        assert sign_in(client, "orange", "Test-password-1").status_code == 200
    bad = [sign_in(client, "nobody", "wrong").status_code for _ in range(36)]
    assert bad == [401] * 36
    assert sign_in(client, "nobody", "wrong").status_code == 429  # guessing stops
    assert sign_in(client, "operator", "Test-password-1").status_code == 429  # same network…
    monkeypatch.setenv("QUOTA_SIGN_INS_PER_IP_HOUR", "60")  # …until the window allows


def test_guesses_at_one_account_make_that_account_wait(client, tokens, monkeypatch):
    monkeypatch.setenv("QUOTA_SIGN_IN_FAILURES_PER_ACCOUNT", "5")
    for _ in range(5):
        assert sign_in(client, "orange", "guess").status_code == 401
    refused = sign_in(client, "orange", "Test-password-1")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 900
    assert sign_in(client, "blue", "Test-password-1").status_code == 200  # others unaffected


@pytest.fixture
def from_address(monkeypatch):
    """Requests from another network (API Gateway's ``sourceIp``)."""
    from chalice.local import LambdaEventConverter

    return lambda address: monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.services import reports

    moved = {"by": timedelta(0)}
    real = reports.utc_now
    monkeypatch.setattr(reports, "utc_now", lambda: real() + moved["by"])
    return moved


def _both_factors(client, user: str, code: str = "") -> int:
    """A sign-in as the regent makes it: the password, then the authenticator's code
    (the seed's demo secret); the status of the step that answered last."""
    from kawal_local import totp
    from kawal_local.seed import DEMO_TOTP_SECRET

    asked = sign_in(client, user, "Test-password-1")
    if asked.status_code != 403:
        return asked.status_code
    assert asked.json_body["error"]["code"] == "mfa_required", asked.body
    session = asked.json_body["error"]["details"][0]["session"]
    body = {"username": user, "session": session, "code": code or totp.code(DEMO_TOTP_SECRET)}
    return post_json(client, "/auth/mfa", body).status_code


def test_guesses_from_elsewhere_never_lock_the_regent_out_of_the_office(
    client, tokens, from_address
):
    """No lock-out button: the account limit does not apply to a network the account
    has signed in from before, through either step of a two-factor sign-in."""
    from kawal_local import moto_totp, totp
    from kawal_local.seed import DEMO_TOTP_SECRET

    moto_totp.enrol(config.user_pool_id(), "command", DEMO_TOTP_SECRET)  # as `make run` seeds
    from_address("203.0.113.10")  # the regent's office
    assert _both_factors(client, "command") == 200
    # an attacker who has the password but not the phone: wrong codes are wrong guesses
    from_address("198.51.100.250")
    asked = sign_in(client, "command", "Test-password-1")
    session = asked.json_body["error"]["details"][0]["session"]
    codes, wrong = [], f"{(int(totp.code(DEMO_TOTP_SECRET)) + 500_000) % 1_000_000:06d}"
    for n in range(40):  # hopping across addresses
        from_address(f"198.51.100.{n}")
        body = {"username": "command", "session": session, "code": wrong}
        codes.append(post_json(client, "/auth/mfa", body).status_code)
    assert set(codes) == {401, 429} and codes[0] == 401  # backed off, not guessed for ever
    for n in range(40):  # or guessing the password
        from_address(f"198.51.100.{n}")
        assert sign_in(client, "command", f"guess-{n}").status_code in (401, 429)
    from_address("203.0.113.10")
    assert _both_factors(client, "command") == 200  # through both steps, not 429
    from_address("2001:db8:77:1::5")  # home, over IPv6: its /64 is the network
    assert sign_in(client, "command", "Test-password-1").status_code == 429  # never seen
    from_address("203.0.113.10")
    assert sign_in(client, "command", "wrong").status_code == 401  # known: no back-off
    assert _both_factors(client, "command", code=wrong) == 401  # a wrong code: no back-off


def test_guesses_from_new_networks_back_off_rather_than_lock(client, tokens, from_address, clock):
    from_address("198.51.100.1")
    for n in range(10):
        from_address(f"198.51.100.{n + 1}")
        assert sign_in(client, "orange", f"guess-{n}").status_code == 401
    waits = []
    for _ in range(3):
        refused = sign_in(client, "orange", "Test-password-1")
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        clock["by"] += timedelta(seconds=waits[-1])
        assert sign_in(client, "orange", "guess-again").status_code == 401
    assert waits == [15, 30, 60]  # doubling, not fifteen minutes at once
    clock["by"] += timedelta(seconds=120)
    assert sign_in(client, "orange", "Test-password-1").status_code == 200
    from_address("198.51.100.200")  # a success clears the back-off
    assert sign_in(client, "orange", "Test-password-1").status_code == 200


# -- bugs found by reading -----------------------------------------------------------
def test_every_overdue_report_escalates_whatever_the_backlog(client, aws):
    from chalicelib import bootstrap
    from chalicelib.storage import ReportStore

    made = [post_json(client, "/reports", report_body()).json_body for _ in range(7)]
    store = ReportStore()
    workflow = bootstrap.workflow(store)
    workflow.now = lambda: datetime.now(UTC) + timedelta(days=30)
    assert workflow.housekeeping(limit=2)["escalated"] == 7  # four pages of two
    assert all(store.load(r["id"]).report.escalated_at for r in made)
    assert workflow.housekeeping(limit=2)["escalated"] == 0  # once each


def test_batch_writes_back_off_and_give_up_as_unavailable(aws, monkeypatch):
    from chalicelib.domain.errors import Unavailable
    from chalicelib.storage import StatsStore

    store, naps, calls = StatsStore(), [], []

    def never_done(**kwargs):
        calls.append(1)
        return {"UnprocessedItems": kwargs["RequestItems"]}

    monkeypatch.setattr(type(store), "_db", property(lambda self: type("Db", (), {
        "batch_write_item": staticmethod(never_done)})()))  # fmt: skip
    with pytest.raises(Unavailable):
        store._put_all([{"PK": "X", "SK": str(n)} for n in range(3)], sleep=naps.append)
    assert len(calls) == storage.BATCH_ATTEMPTS and len(naps) == storage.BATCH_ATTEMPTS - 1
    assert all(0 <= nap <= 2.0 for nap in naps) and max(naps) > 0


def test_a_long_base_url_shortens_the_text_never_the_link():
    from chalicelib.domain import messages
    from chalicelib.routing import load_catalogue
    from tests.unit.test_messages import report as a_report

    base = "https://abcdefghij.execute-api.ap-southeast-3.amazonaws.com/api"
    report = a_report()
    for status in ("accepted", "resolved"):
        n = messages.reporter_notification(
            report, status, "EVENT#x", catalogue=load_catalogue(), base_url=base
        )
        assert n.sms.endswith(f"{base}/r/{report.code}") and len(n.sms) <= messages.SMS_LIMIT


def test_nearby_is_capped_and_covert_reports_are_in_no_nearby_index(client):
    for _ in range(7):
        post_json(client, "/reports", report_body())
    answer = post_json(client, "/reports", report_body()).json_body
    assert len(answer["nearby"]) == 5
    covert = post_json(client, "/reports", report_body(label=COVERT)).json_body
    (item,) = [
        i
        for i in all_items()
        if i["PK"]["S"] == f"REPORT#{covert['id']}" and i["SK"]["S"] == "META"
    ]
    assert "GSI2PK" not in item and "GSI4PK" in item  # its squad's queue still has it


# -- first sign-in with a temporary password (issue #19: the API part) -----------------
def test_a_first_sign_in_sets_a_new_password_and_signs_in(client, aws):
    idp, pool = aws.client("cognito-idp"), config.user_pool_id()
    idp.admin_create_user(
        UserPoolId=pool,
        Username="tim-baru",
        TemporaryPassword="Sementara-1",
        MessageAction="SUPPRESS",
    )
    idp.admin_add_user_to_group(UserPoolId=pool, Username="tim-baru", GroupName="squad-orange")
    first = sign_in(client, "tim-baru", "Sementara-1")
    assert first.status_code == 403
    error = first.json_body["error"]
    assert error["code"] == "password_change_required"
    session = error["details"][0]["session"]
    assert error["details"][0]["challenge"] == "NEW_PASSWORD_REQUIRED" and session

    def new_password(password, with_session=session):
        body = {"username": "tim-baru", "session": with_session, "new_password": password}
        return post_json(client, "/auth/new-password", body)

    assert new_password("short").status_code == 400  # our own floor: 8 characters
    stale = new_password("Baru-sekali-2", with_session="not-a-session-" * 3)
    assert stale.status_code == 401 and stale.json_body["error"]["code"] == "unauthenticated"
    done = new_password("Baru-sekali-2")
    assert done.status_code == 200, done.body
    assert done.json_body["access_token"] and done.json_body["expires_in"] > 0
    again = sign_in(client, "tim-baru", "Baru-sekali-2")
    assert again.status_code == 200
    queue = client.http.get(
        "/squads/orange/reports", headers=bearer(again.json_body["access_token"])
    )
    assert queue.status_code == 200  # a working squad account
