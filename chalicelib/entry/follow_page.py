"""The follow page: what the link in a reporter's SMS and Lapor's "Ikuti laporan" open.
A page of the citizens' app (its header, its links back to Lapor and Laporan saya),
rendered on the server in Bahasa Indonesia (English by the toggle, ``?lang=en``), so it
reads on any phone before or without its script. The script only adds what the phone
that filed the report may do (answer the squad, confirm or dispute the fix) with the
token that phone keeps. It shows what the public report shows (no reporter identity);
a covert or unknown code is the same 404 page."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

from chalice import Blueprint, Response

from chalicelib.domain import geo
from chalicelib.domain.errors import NotFound
from chalicelib.domain.lateness import late_by
from chalicelib.domain.models import ReportPublic
from chalicelib.domain.sms_text import WIB
from chalicelib.entry.http import route

STATIC = Path(__file__).parent / "static" / "follow"
STATUS = {  # (Bahasa, English)
    "submitted": ("Diterima, menunggu tanggapan", "Received, awaiting a response"),
    "accepted": ("Sudah ditanggapi petugas", "Accepted by the squad"),
    "in_progress": ("Sedang dikerjakan", "In progress"),
    "resolved": ("Selesai dikerjakan, menunggu konfirmasi", "Fixed, awaiting confirmation"),
    "closed": ("Selesai", "Done"),
    "reopened": ("Dibuka kembali", "Reopened"),
    "rejected": ("Ditolak", "Rejected"),
    "awaiting_info": ("Menunggu keterangan pelapor", "Awaiting the reporter's answer"),
    "withdrawn": ("Ditarik pelapor", "Withdrawn by the reporter"),
    "forwarded": ("Diteruskan ke instansi berwenang", "Forwarded to the responsible body"),
}
DONE = {"resolved", "closed"}
WORDS = {  # the page's own words (Bahasa, English)
    "skip": ("Langsung ke isi", "Skip to content"),
    "report": ("Lapor", "Report"),
    "mine": ("Laporan saya", "My reports"),
    "switch": ("Ganti bahasa ke English", "Switch language to Bahasa Indonesia"),
    "handled": ("Ditangani oleh", "Handled by"),
    "filed": ("Dilaporkan", "Reported"),
    "due": ("Batas tanggapan", "Response due"),
    "late": ("terlambat, batas", "late, due"),
    "place": ("Lokasi", "Location"),
    "support": ("Dukungan warga", "Citizens' support"),
    "description": ("Uraian", "Description"),
    "photos": ("Foto", "Photos"),
    "before": ("Sebelum", "Before"),
    "after": ("Sesudah", "After"),
    "timeline": ("Perjalanan laporan", "Timeline"),
    "ask": ("Petugas bertanya kepada pelapor", "The squad asked the reporter"),
    "answer": ("Pelapor menjawab", "The reporter answered"),
    "rate": ("Penilaian pelapor: {stars} dari 5", "The reporter's rating: {stars} of 5"),
    "footer": (
        "Pemerintah Kabupaten Trenggalek · Identitas pelapor dirahasiakan.",
        "Trenggalek Regency Government · Reporters' identities are kept confidential.",
    ),
    "not_found": ("Laporan tidak ditemukan", "Report not found"),
    "not_found_text": (
        "Tidak ada laporan dengan kode {code}. Periksa kode pada SMS Anda.",
        "There is no report with the code {code}. Check the code in your SMS.",
    ),
}
HEADERS: dict[str, str | list[str]] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    # its script and its API calls are its own origin's; photos come presigned
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; "
    "style-src 'self'; img-src 'self' https: http:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def language(asked: str | None) -> str:
    """Bahasa unless English is asked for (``?lang=en``)."""
    return "en" if asked == "en" else "id"


def wants_html(headers: Any) -> bool:
    """A browser following the SMS link (not an API client asking for JSON)."""
    accept = (headers or {}).get("accept", "")
    return "text/html" in accept


def staff_browser(request: Any) -> bool:
    """The squads' app signed in on this browser (its sign-in leaves a hint cookie; the
    app itself checks what the person may see, so a forged hint shows nothing more)."""
    from chalicelib.entry.authn import STAFF_HINT
    from chalicelib.entry.http import cookie

    return cookie(request, STAFF_HINT) == "1"


def _wib(at: datetime) -> str:
    return at.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")


def _page(title: str, body: str, lang: str, status: int = 200, main: str = "") -> Response:
    e = html.escape
    en = lang == "en"
    w = {key: pair[1 if en else 0] for key, pair in WORDS.items()}
    other, other_name = ("id", "Bahasa Indonesia") if en else ("en", "English")
    text = f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · Kawal Trenggalek</title>
<meta name="theme-color" content="#0b6e4f">
<link rel="icon" href="../lapor/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="../shared/kawal.css">
<link rel="stylesheet" href="../lapor/style.css">
<link rel="stylesheet" href="../follow/style.css">
<script src="../shared/idb.umd.js" defer></script>
<script src="../shared/outbox.js" defer></script>
<script src="../shared/i18n.js" defer></script>
<script src="../shared/kit.js" defer></script>
<script src="../lapor/reporter.js" defer></script>
<script src="../follow/follow.js" defer></script>
</head>
<body>
<a class="skip" href="#main">{w["skip"]}</a>
<header class="bar">
<p class="brand"><span aria-hidden="true">📣</span> Kawal Trenggalek</p>
<nav aria-label="Menu" class="nav">
<a href="../lapor/">{w["report"]}</a>
<a href="../lapor/#saya">{w["mine"]}</a>
<a id="lang" href="?lang={other}" lang="{other}" hreflang="{other}" \
aria-label="{w["switch"]}">{other_name}</a>
</nav>
</header>
<main id="main" tabindex="-1"{main}>
{body}
</main>
<footer class="muted foot">{w["footer"]}</footer>
</body>
</html>
"""
    return Response(body=text, status_code=status, headers=HEADERS)


def not_found(code: str, lang: str = "id") -> Response:
    e = html.escape
    en = lang == "en"
    title, text = WORDS["not_found"][en], WORDS["not_found_text"][en]
    shown = f'<span class="code">{e(code.upper())}</span>'
    body = f"""<section class="panel"><h1>{title}</h1>
<p>{e(text).replace("{code}", shown)}</p></section>"""
    return _page(title, body, lang, 404)


def render(report: ReportPublic, now: datetime, lang: str = "id") -> Response:
    e = html.escape
    en = lang == "en"
    w = {key: pair[1 if en else 0] for key, pair in WORDS.items()}
    late = late_by(report, now) is not None
    deadline = (
        f'<span class="late">{w["late"]} {e(_wib(report.sla_due_at))}</span>'
        if late
        else e(_wib(report.sla_due_at))
    )
    name = geo.load_regency().district_name(report.district, report.district_approx)
    place = ", ".join(p for p in (report.address, name and f"Kec. {name}") if p)

    def step(t: Any) -> str:
        if t.action in ("ask", "answer"):
            words = w[t.action]
        elif t.action == "rate" and t.stars:
            words = w["rate"].replace("{stars}", str(t.stars))
        else:
            words = STATUS[t.status][en]
        note = f'<div class="muted">{e(t.note)}</div>' if t.note else ""
        when = f'<time datetime="{e(t.at.isoformat())}">{e(_wib(t.at))}</time>'
        return f"<li>{when} {e(words)}{note}</li>"

    steps = "".join(step(t) for t in sorted(report.timeline, key=lambda t: t.at))
    label = report.label.name_en if en else report.label.name_id
    ready = [p for p in report.photos if p.state == "ready" and p.thumb_url]
    photos = []
    for role in ("before", "after"):
        mine = [p for p in ready if p.role == role]
        for i, p in enumerate(mine):
            caption = w[role] + (f" {i + 1}" if len(mine) > 1 else "")
            photos.append(
                f'<figure class="photo"><img src="{e(p.display_url or p.thumb_url or "")}" '
                f'alt="{e(caption)}: {e(label)}" width="{p.width or 320}" '
                f'height="{p.height or 240}" loading="lazy"><figcaption>{e(caption)}</figcaption>'
                "</figure>"
            )
    status = STATUS[report.status][en]
    handler = report.handled_by.name_en if en else report.handled_by.name_id
    body = f"""<section class="panel report" aria-labelledby="title">
<h1 id="title"><span class="code">{e(report.code)}</span> {e(label)}</h1>
<p><span class="status-pill{" done" if report.status in DONE else ""}">{e(status)}</span></p>
<dl>
<dt>{w["handled"]}</dt><dd>{e(handler)}</dd>
<dt>{w["filed"]}</dt><dd>{e(_wib(report.created_at))}</dd>
<dt>{w["due"]}</dt><dd>{deadline}</dd>
{f"<dt>{w['place']}</dt><dd>{e(place)}</dd>" if place else ""}
{f"<dt>{w['support']}</dt><dd>{report.supporters}</dd>" if report.supporters else ""}
</dl>
{f"<h2>{w['description']}</h2><p>{e(report.description)}</p>" if report.description else ""}
{f'<h2>{w["photos"]}</h2><div class="photos">{"".join(photos)}</div>' if photos else ""}
<div id="reporter-question"></div>
<h2>{w["timeline"]}</h2>
<ol class="timeline">{steps}</ol>
<div id="reporter"></div>
</section>"""
    main = f' class="handled-by-{e(report.handled_by.code)}" data-report="{e(report.id)}"'
    return _page(f"Laporan {report.code}", body, lang, main=main)


bp = Blueprint(__name__)


@route(
    bp,
    "/follow/{asset}",
    methods=["GET"],
    doc={"returns": {200: {"text/css": {"type": "string"}, "text/javascript": {"type": "string"}}}},
)
def asset(asset: str):
    """The follow page's stylesheet and its script."""
    from chalicelib.entry.web_apps import serve, squad_colours

    if asset not in ("style.css", "follow.js"):
        raise NotFound(f"no asset {asset!r}")
    path = STATIC / asset
    extra = squad_colours() if asset == "style.css" else ""
    return serve(path, body=path.read_text(encoding="utf-8") + extra)
