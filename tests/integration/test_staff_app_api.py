"""What the squads' app needs from the API: staying signed in without a readable
secret (an HttpOnly refresh cookie), signing out for real, an operator's password
reset, an after-photo sent in the request itself, resolving by the photo's client id."""

from __future__ import annotations

import base64
import uuid

from chalicelib import config
from tests.conftest import bearer
from tests.support.images import camera_jpeg

from .helpers import post_json, report_body
from .workflow_helpers import process_uploads


def _cookies(answer) -> dict[str, str]:
    values = answer.headers.get("Set-Cookie") or []
    values = values if isinstance(values, list) else [values]
    return {value.split("=", 1)[0]: value.split("=", 1)[1] for value in values}


def _sign_in(client, user, password="Test-password-1"):
    return post_json(client, "/auth/sign-in", {"username": user, "password": password})


def test_sign_in_says_who_and_keeps_the_refresh_token_out_of_reach(client, tokens):
    answer = _sign_in(client, "orange")
    assert answer.status_code == 200
    body = answer.json_body
    assert (body["username"], body["role"], body["squad"]) == ("orange", "squad", "orange")
    assert "refresh" not in str(body).lower()  # the body has no long-lived secret
    cookies = _cookies(answer)
    refresh = cookies["kawal_refresh"]
    assert "HttpOnly" in refresh and "SameSite=Strict" in refresh and "Path=/auth" in refresh
    assert "Max-Age=2592000" in refresh
    assert "HttpOnly" not in cookies["kawal_staff"]  # only a hint for /r/{code}
    shadow = _sign_in(client, "shadow").json_body
    assert (shadow["role"], shadow["squad"]) == ("shadow", "shadow")


def test_the_cookie_gives_a_fresh_token_until_sign_out(client, tokens):
    answer = _sign_in(client, "orange")
    token = answer.json_body["access_token"]
    cookie = {"Cookie": "kawal_refresh=" + _cookies(answer)["kawal_refresh"].split(";")[0]}
    fresh = client.http.post("/auth/refresh", headers=cookie)
    assert fresh.status_code == 200, fresh.body
    renewed = fresh.json_body
    assert renewed["access_token"] and renewed["role"] == "squad"
    queue = client.http.get("/squads/orange/reports", headers=bearer(renewed["access_token"]))
    assert queue.status_code == 200
    assert client.http.post("/auth/refresh").status_code == 401  # no cookie, no token
    out = client.http.post("/auth/sign-out", headers={**cookie, **bearer(token)})
    assert out.status_code == 204
    assert "Max-Age=0" in _cookies(out)["kawal_refresh"]
    # the refresh token is revoked at Cognito, not only forgotten by this browser
    assert client.http.post("/auth/refresh", headers=cookie).status_code == 401


def test_an_operator_resets_a_forgotten_password(client, tokens):
    reset = client.http.post(
        "/staff/accounts/orange2/password-reset", headers=bearer(tokens["operator"])
    )
    assert reset.status_code == 200, reset.body
    temporary = reset.json_body["temporary_password"]
    assert len(temporary) >= 12 and reset.headers["Cache-Control"] == "no-store"
    assert _sign_in(client, "orange2").status_code == 401  # the old one is gone
    first = _sign_in(client, "orange2", temporary)
    assert first.status_code == 403
    assert first.json_body["error"]["code"] == "password_change_required"


def test_only_operators_and_the_command_centre_reset_and_shadow_accounts_stay_unknown(
    client, tokens
):
    def reset(account, who):
        path = f"/staff/accounts/{account}/password-reset"
        return client.http.post(path, headers=bearer(tokens[who])).status_code

    assert reset("orange2", "orange") == 403  # a squad member
    assert reset("orange2", "shadow") == 403
    assert reset("shadow", "operator") == reset("nobody-here", "operator") == 404
    assert reset("command", "operator") == 403
    assert reset("shadow", "command") == 200  # the command centre knows its own


def test_an_after_photo_in_the_request_and_a_resolve_by_its_client_id(client, tokens, aws):
    report = post_json(client, "/reports", report_body()).json_body
    rid, squad = report["id"], bearer(tokens["orange"])
    for step in ("claim", "progress"):
        assert client.http.post(f"/reports/{rid}/{step}", headers=squad).status_code == 200
    client_photo_id = str(uuid.uuid4())
    body = {
        "lat": -8.05,
        "lon": 111.71,
        "client_photo_id": client_photo_id,
        "data_base64": base64.b64encode(camera_jpeg(640, 480)).decode(),
    }
    slot = post_json(client, f"/reports/{rid}/after-photos", body, headers=squad)
    assert slot.status_code == 201, slot.body
    assert slot.json_body["upload"] is None  # nothing left to upload
    again = post_json(client, f"/reports/{rid}/after-photos", body, headers=squad)
    assert again.status_code == 200 and again.json_body["photo_id"] == slot.json_body["photo_id"]
    early = post_json(
        client,
        f"/reports/{rid}/resolve",
        {"note": "Sudah ditambal", "client_photo_id": client_photo_id},
        headers=squad,
    )
    assert early.status_code == 409  # not processed yet: the phone tries again later
    assert early.json_body["error"]["code"] == "after_photo_not_ready"
    process_uploads(aws)
    done = post_json(
        client,
        f"/reports/{rid}/resolve",
        {"note": "Sudah ditambal", "client_photo_id": client_photo_id},
        headers=squad,
    )
    assert done.status_code == 200, done.body
    assert done.json_body["status"] == "resolved"
    both = post_json(
        client,
        f"/reports/{rid}/resolve",
        {"note": "Sudah ditambal", "client_photo_id": client_photo_id, "photo_id": "x"},
        headers=squad,
    )
    assert both.status_code == 400


def test_the_queue_carries_supporters_and_a_thumbnail_link(client, tokens, aws):
    report = post_json(
        client,
        "/reports",
        report_body(photo={"content_type": "image/jpeg", "data_base64": base64.b64encode(
            camera_jpeg(640, 480)).decode()}),
    ).json_body  # fmt: skip
    post_json(client, f"/reports/{report['id']}/support", {"client_support_id": str(uuid.uuid4())})
    queue = client.http.get("/squads/orange/reports", headers=bearer(tokens["orange"])).json_body
    item = next(i for i in queue["items"] if i["id"] == report["id"])
    assert item["supporters"] == 1
    process_uploads(aws)
    thumb = client.http.get(f"/reports/{report['id']}/photo?size=thumb")
    display = client.http.get(f"/reports/{report['id']}/photo")
    assert thumb.status_code == display.status_code == 302
    assert "thumb" in thumb.headers["Location"] and thumb.headers["Location"] != display.headers[
        "Location"
    ]  # fmt: skip
    assert config.user_pool_id()


def test_those_who_check_closures_list_read_and_check_them(client, tokens, aws):
    report = post_json(client, "/reports", report_body()).json_body
    rid, squad, checker = report["id"], bearer(tokens["orange"]), bearer(tokens["shadow"])
    assert client.http.get(f"/staff/reports/{rid}", headers=checker).status_code == 403  # open
    for step in ("claim", "progress"):
        client.http.post(f"/reports/{rid}/{step}", headers=squad)
    photo = {"lat": -8.05, "lon": 111.71, "client_photo_id": str(uuid.uuid4()),
             "data_base64": base64.b64encode(camera_jpeg(640, 480)).decode()}  # fmt: skip
    post_json(client, f"/reports/{rid}/after-photos", photo, headers=squad)
    process_uploads(aws)
    done = {"note": "Sudah ditambal", "client_photo_id": photo["client_photo_id"]}
    assert post_json(client, f"/reports/{rid}/resolve", done, headers=squad).status_code == 200

    listed = client.http.get("/squads/shadow/reports", headers=checker).json_body["items"]
    assert rid in {i["id"] for i in listed}
    seen = client.http.get(f"/staff/reports/{rid}", headers=checker).json_body
    (offer,) = seen["offers"]
    assert offer["path"] == f"reports/{rid}/shadow-checks" and offer["field"] == "verdict"
    assert [c["value"] for c in offer["choices"]] == ["fixed", "not_fixed"]
    assert client.http.get(f"/staff/reports/{rid}", headers=squad).json_body["offers"] == []

    check_photo = {**photo, "client_photo_id": str(uuid.uuid4())}
    slot = post_json(client, "/" + offer["photo_path"], check_photo, headers=checker)
    assert slot.status_code == 201, slot.body
    verdict = {"verdict": "not_fixed", "note": "Masih berlubang",
               "client_photo_id": check_photo["client_photo_id"]}  # fmt: skip
    checked = post_json(client, "/" + offer["path"], verdict, headers=checker)
    assert checked.status_code == 201, checked.body
    command = client.http.get(f"/staff/reports/{rid}", headers=bearer(tokens["command"]))
    (check,) = command.json_body["shadow_checks"]
    assert check["verdict"] == "not_fixed" and check["photo_id"] == slot.json_body["photo_id"]


def test_a_staff_step_retried_after_a_lost_answer_answers_as_the_first(client, tokens, aws):
    """Every step the app queues carries the phone's own id for it: sent again (the
    answer was lost on the way), it answers 200 with the report as the first left it,
    never a 409, and the timeline holds it once. Another person's id is no pass."""
    squad = bearer(tokens["orange"])

    def twice(rid, step, body=None):
        body = {**(body or {}), "client_action_id": str(uuid.uuid4())}
        first = post_json(client, f"/reports/{rid}/{step}", body, headers=squad)
        again = post_json(client, f"/reports/{rid}/{step}", body, headers=squad)
        assert first.status_code == again.status_code == 200, (step, again.body)
        assert again.json_body["status"] == first.json_body["status"]
        return body

    rid = post_json(client, "/reports", report_body()).json_body["id"]
    claimed = twice(rid, "claim")
    twice(rid, "progress", {"note": "Dikerjakan"})
    twice(rid, "priority", {"priority": "urgent", "reason": "Jalan utama ke pasar"})
    twice(rid, "questions", {"note": "Lubangnya sebesar apa?"})
    view = client.http.get(f"/staff/reports/{rid}", headers=squad).json_body
    actions = [e["action"] for e in view["staff_timeline"]]
    assert actions == ["submit", "claim", "progress", "prioritise", "ask"]
    # the same id from someone else is a new step of theirs (here: too late, a 409)
    other = post_json(client, f"/reports/{rid}/claim", claimed, headers=bearer(tokens["command"]))
    assert other.status_code == 409

    moved = post_json(client, "/reports", report_body()).json_body["id"]
    twice(moved, "transfer", {"squad": "yellow", "reason": "Ini tumpukan sampah"})
    forwarded = post_json(client, "/reports", report_body()).json_body["id"]
    twice(forwarded, "forward", {"body": "pln", "note": "Kabel listrik putus"})
    twice(forwarded, "settle", {"note": "PLN sudah menyambung kabel"})
    rejected = post_json(client, "/reports", report_body()).json_body["id"]
    twice(rejected, "reject", {"reason": "duplicate"})
    for rid, count in ((moved, 2), (forwarded, 3), (rejected, 2)):
        view = client.http.get(f"/staff/reports/{rid}", headers=bearer(tokens["command"]))
        assert len(view.json_body["staff_timeline"]) == count
