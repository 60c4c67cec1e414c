"""The follow page: what the link in a reporter's SMS opens in a browser. A human page,
server-rendered in Bahasa Indonesia (English beside it), no script, nothing from another
origin, readable on any phone without installing anything. It shows what the public
report shows (no reporter identity); a covert or unknown code is the same 404 page."""

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
HEADERS: dict[str, str | list[str]] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' https: http:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


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


def _page(title: str, body: str, status: int = 200, handler: str = "none") -> Response:
    e = html.escape
    text = f"""<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · Kawal Trenggalek</title>
<link rel="stylesheet" href="../follow/style.css">
<link rel="icon" href="data:,">
</head>
<body>
<main class="handled-by-{e(handler)}">
{body}
<footer>Kawal · Pemerintah Kabupaten Trenggalek. Identitas pelapor dirahasiakan.
<span class="en" lang="en">The reporter's identity is kept confidential.</span></footer>
</main>
</body>
</html>
"""
    return Response(body=text, status_code=status, headers=HEADERS)


def not_found(code: str) -> Response:
    e = html.escape
    body = f"""<header><h1>Laporan tidak ditemukan</h1>
<p class="en" lang="en">Report not found</p></header>
<p>Tidak ada laporan dengan kode <span class="code">{e(code.upper())}</span>. Periksa kode
pada SMS Anda.</p>"""
    return _page("Laporan tidak ditemukan", body, 404)


def render(report: ReportPublic, now: datetime) -> Response:
    e = html.escape
    status_id, status_en = STATUS[report.status]
    late = late_by(report, now) is not None
    deadline = (
        f'<span class="late">terlambat, batas {e(_wib(report.sla_due_at))}</span>'
        if late
        else e(_wib(report.sla_due_at))
    )
    name = geo.load_regency().district_name(report.district, report.district_approx)
    place = ", ".join(p for p in (report.address, name and f"Kec. {name}") if p)
    steps = "".join(
        f"<li><time>{e(_wib(t.at))}</time>{e(STATUS[t.status][0])}"
        f' <span class="en" lang="en">{e(STATUS[t.status][1])}</span>'
        + (f"<br>{e(t.note)}" if t.note else "")
        + "</li>"
        for t in sorted(report.timeline, key=lambda t: t.at)
    )
    photos = "".join(
        f'<img src="{e(p.thumb_url or "")}" '
        f'alt="Foto {"sesudah" if p.role == "after" else "laporan"} '
        f'{i + 1}" width="{p.width or 320}" height="{p.height or 240}" loading="lazy">'
        for i, p in enumerate(q for q in report.photos if q.state == "ready" and q.thumb_url)
    )
    body = f"""<header>
<p class="code">{e(report.code)}</p>
<h1>{e(report.label.name_id)} <span class="en" lang="en">{e(report.label.name_en)}</span></h1>
<p><span class="status{" done" if report.status in DONE else ""}">{e(status_id)}</span>
<span class="en" lang="en">{e(status_en)}</span></p>
</header>
<dl>
<dt>Ditangani oleh</dt><dd>{e(report.handled_by.name_id)}</dd>
<dt>Dilaporkan</dt><dd>{e(_wib(report.created_at))}</dd>
<dt>Batas tanggapan</dt><dd>{deadline}</dd>
{f"<dt>Lokasi</dt><dd>{e(place)}</dd>" if place else ""}
{f"<dt>Dukungan warga</dt><dd>{report.supporters}</dd>" if report.supporters else ""}
</dl>
{f"<h2>Uraian</h2><p>{e(report.description)}</p>" if report.description else ""}
{f'<h2>Foto</h2><div class="photos">{photos}</div>' if photos else ""}
<h2>Perjalanan laporan <span class="en" lang="en">Timeline</span></h2>
<ol>{steps}</ol>"""
    return _page(f"Laporan {report.code}", body, handler=report.handled_by.code)


bp = Blueprint(__name__)


@route(
    bp, "/follow/{asset}", methods=["GET"], doc={"returns": {200: {"text/css": {"type": "string"}}}}
)
def asset(asset: str):
    """The follow page's stylesheet."""
    if asset != "style.css":
        raise NotFound(f"no asset {asset!r}")
    from chalicelib.entry.web_apps import squad_colours

    return Response(
        body=(STATIC / "style.css").read_text(encoding="utf-8") + squad_colours(),
        status_code=200,
        headers={"Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=300"},
    )
