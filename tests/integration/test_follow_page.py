"""The link in a reporter's SMS opens a human page in a browser (a page of the citizens'
app, Bahasa first, readable before any script, nothing from another origin); API
clients still get the JSON."""

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
    assert "<script>" not in text and "&lt;script&gt;" in text  # escaped, never run
    assert "Siti" not in text and "3334444" not in text  # the reporter stays anonymous
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    assert "unsafe-inline" not in policy and "data:" not in text  # no data: favicon
    assert text.count("<script") == text.count('<script src="../')  # only our own files
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


def test_the_page_is_one_of_the_app_s_bahasa_first_english_by_the_toggle(client):
    report = post_json(client, "/reports", report_body()).json_body
    page = client.http.get(f"/r/{report['code']}", headers=BROWSER).body.decode()
    # the app's header: back to Lapor and to the reporter's own list
    assert '<header class="bar">' in page
    assert '<a href="../lapor/">Lapor</a>' in page
    assert '<a href="../lapor/#saya">Laporan saya</a>' in page
    assert '<link rel="icon" href="../lapor/icon.svg"' in page
    # Bahasa alone: no line doubled in English, a toggle to English instead
    assert "Received, awaiting a response" not in page and "Timeline" not in page
    assert 'href="?lang=en"' in page and ">English</a>" in page
    english = client.http.get(f"/r/{report['code']}?lang=en", headers=BROWSER).body.decode()
    assert '<html lang="en">' in english and "Received, awaiting a response" in english
    assert "Diterima, menunggu tanggapan" not in english and "Damaged road" in english
    assert 'href="?lang=id"' in english and "Response due" in english
    lost = client.http.get("/r/TRG-ZZZZZZ?lang=en", headers=BROWSER)
    assert lost.status_code == 404 and b"Report not found" in lost.body


def test_the_page_s_script_is_served_with_the_app_s_reporter_steps(client):
    script = client.http.get("/follow/follow.js")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    steps = client.http.get("/lapor/reporter.js")
    assert steps.status_code == 200 and b"X-Reporter-Token" in steps.body
    assert client.http.get("/follow/other.js").status_code == 404
