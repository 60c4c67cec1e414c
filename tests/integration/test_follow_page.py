"""The link in a reporter's SMS opens a human page in a browser (Bahasa first, no
script, nothing from another origin); API clients still get the JSON."""

from __future__ import annotations

from .helpers import post_json, report_body

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_a_browser_gets_the_report_s_page_in_bahasa(client):
    body = report_body(
        description='Lubang besar <script>alert("x")</script>',
        contact={"phone": "081233334444", "name": "Siti Aminah"},
    )
    report = post_json(client, "/reports", body).json_body
    page = client.http.get(f"/r/{report['code'].lower()}", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    text = page.body.decode()
    assert report["code"] in text and "Jalan rusak" in text and "Tim Oranye" in text
    assert "Diterima, menunggu tanggapan" in text and "WIB" in text
    assert '<html lang="id">' in text
    assert "<script" not in text and "&lt;script&gt;" in text  # escaped, never run
    assert "Siti" not in text and "3334444" not in text  # the reporter stays anonymous
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert 'class="handled-by-orange"' in text and "style=" not in text
    css = client.http.get("/follow/style.css")
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert b".handled-by-orange" in css.body
    assert b"shadow" not in css.body.replace(b"box-shadow", b"")  # public: no covert squad


def test_covert_and_unknown_codes_are_the_same_not_found_page(client):
    covert = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    hidden = client.http.get(f"/r/{covert['code']}", headers=BROWSER)
    unknown = client.http.get("/r/TRG-ZZZZZZ", headers=BROWSER)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.body.replace(covert["code"].encode(), b"TRG-ZZZZZZ") == unknown.body
    assert b"Laporan tidak ditemukan" in hidden.body
    junk = client.http.get("/r/not-a-code", headers=BROWSER)
    assert junk.status_code == 404 and b"Laporan tidak ditemukan" in junk.body


def test_api_clients_are_still_forwarded_to_the_json(client):
    report = post_json(client, "/reports", report_body()).json_body
    answer = client.http.get(f"/r/{report['code']}", headers={"Accept": "application/json"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"../reports/{report['code']}"
