"""What each notification says and to whom: pure functions, no I/O.

A squad hears of a new or reopened report on its topic, as one GSM-7 SMS segment
and an email; a reporter who opted in hears when the report is accepted and resolved.
The reporter's identity never enters a squad message: squad messages are built from
the report alone, which does not hold the contact.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Literal

from chalicelib.domain.followup import LOW_RATING
from chalicelib.domain.models import Report
from chalicelib.domain.schema import Model
from chalicelib.domain.sms_text import SMS_LIMIT, ascii_subject, gsm7, wib
from chalicelib.routing import Catalogue

if TYPE_CHECKING:
    from chalicelib.domain.bodies import Body

Kind = Literal[
    "new_report", "reopened", "overdue", "reporter_update", "reporter_comment", "reminder",
    "reassigned", "reporter_answer", "transferred", "withdrawn", "low_rating", "recalled",
    "forwarded", "check_requested",
]  # fmt: skip
# what the command centre hears (on its own topic), not the report's squad
COMMAND_KINDS = frozenset({"overdue", "low_rating"})
# what only those who check closures hear (their own topic), never the report's squad
CHECKER_KINDS = frozenset({"check_requested"})


class Notification(Model):
    """One message to one audience; ``id`` is stable so consumers can drop duplicates."""

    id: str
    kind: Kind
    audience: Literal["squad", "command", "reporter", "body"]
    topic: str  # squad code, "command", "reporter", or an outside body's code
    report_id: str
    report_code: str
    subject: str
    sms: str
    email: str
    attributes: dict[str, str]


def notification_id(report_id: str, event_sk: str, audience: str) -> str:
    return hashlib.sha256(f"{report_id}|{event_sk}|{audience}".encode()).hexdigest()[:32]


def priority(report: Report, kind: Kind) -> str:
    """How the message is flagged: the report's priority, raised for what cannot wait."""
    if kind in ("reopened", "overdue", "reminder", "low_rating") or report.priority == "urgent":
        return "high"
    return "low" if report.priority == "low" else "normal"


def _place(report: Report, district_name: str | None) -> str:
    parts = [p for p in (report.address, f"Kec. {district_name}" if district_name else None) if p]
    return ", ".join(parts) or f"{report.lat:.5f},{report.lon:.5f}"


def _fit_sms(head: str, place: str, tail: str) -> str:
    """``head place tail`` in one segment: the place hint gives way first."""
    head, place, tail = gsm7(head), gsm7(place), gsm7(tail)
    room = SMS_LIMIT - len(head) - len(tail) - 2
    if room < 8:
        return (head + " " + tail)[:SMS_LIMIT]
    if len(place) > room:
        place = place[: room - 3].rstrip() + "..."
    return f"{head} {place} {tail}"


NOTE_HEADINGS = {
    "reopened": "Keberatan pelapor / the reporter's objection:",
    "reporter_comment": "Tanggapan pelapor / the reporter adds:",
    "reminder": "Pesan Pusat Komando / from the command centre:",
    "reassigned": "Pengalihan / handed over:",
    "reporter_answer": "Jawaban pelapor / the reporter answers:",
    "transferred": "Dialihkan ke tim Anda karena / handed to your squad because:",
    "withdrawn": "Ditarik pelapor / withdrawn by the reporter:",
    "low_rating": "Penilaian pelapor / the reporter's rating:",
    "recalled": "Dikembalikan instansi / the outside body declined:",
    "check_requested": "Permintaan Pusat Komando / the command centre asks:",
}


def squad_notification(
    report: Report,
    kind: Kind,
    event_sk: str,
    *,
    catalogue: Catalogue,
    district_name: str | None,
    base_url: str,
    photo_ready: bool = False,
    note: str | None = None,
) -> Notification:
    label = catalogue.label(report.label)
    label_name = label.name_id if label else report.label
    link = f"{base_url.rstrip('/')}/r/{report.code}"
    verb = {
        "new_report": "BARU",
        "reopened": "DIBUKA LAGI",
        "overdue": "TERLAMBAT",
        "reporter_comment": "TANGGAPAN",
        "reminder": "TEGURAN",
        "reassigned": "DIALIHKAN",
        "reporter_answer": "JAWABAN",
        "transferred": "PINDAHAN",
        "withdrawn": "DITARIK",
        "low_rating": "NILAI RENDAH",
        "recalled": "KEMBALI",
        "check_requested": "PERIKSA ULANG",
    }.get(kind, "")
    topic = (
        "command" if kind in COMMAND_KINDS else "shadow" if kind in CHECKER_KINDS else report.squad
    )
    sms = _fit_sms(
        f"KAWAL {verb} {report.code} {label_name}:",
        _place(report, district_name),
        f"Batas {wib(report.sla_due_at)} {link}",
    )
    map_link = f"https://www.openstreetmap.org/?mlat={report.lat}&mlon={report.lon}#map=18/{report.lat}/{report.lon}"
    subject = ascii_subject(f"[Kawal] {verb} {report.code} - {label_name} ({district_name or '-'})")
    email = "\n".join(
        [
            f"Laporan {verb.lower()} / {kind.replace('_', ' ')}: {report.code}",
            "",
            f"Label      : {label_name}" + (f" / {label.name_en}" if label else ""),
            f"Kecamatan  : {district_name or '-'}",
            f"Alamat     : {report.address or '-'}",
            f"Lokasi     : {report.lat}, {report.lon}  {map_link}",
            f"Dilaporkan : {wib(report.created_at)}",
            f"Batas SLA  : {wib(report.sla_due_at)}",
            "Foto       : "
            + (f"ada, lihat / see {link}" if photo_ready else "belum tersedia / not yet available"),
            "",
            "Uraian / description:",
            report.description or "-",
            *(["", NOTE_HEADINGS.get(kind, NOTE_HEADINGS["reopened"]), note] if note else []),
            "",
            f"Tindak lanjuti / follow up: {link}",
        ]
    )
    audience: Literal["command", "squad"] = "command" if kind in COMMAND_KINDS else "squad"
    return Notification(
        id=notification_id(report.id, event_sk, audience),
        kind=kind,
        audience=audience,
        topic=topic,
        report_id=report.id,
        report_code=report.code,
        subject=subject,
        sms=sms,
        email=email,
        attributes={
            "label": report.label,
            "squad": report.squad,
            "district": report.district or "unknown",
            "priority": priority(report, kind),
            # an urgent report reaches every phone of the squad, whatever its districts
            "urgent": "true" if report.priority == "urgent" else "false",
            "kind": kind,
            "notification_id": notification_id(report.id, event_sk, audience),
        },
    )


REPORTER_TEXT = {
    "accepted": "sudah diterima petugas dan sedang ditindaklanjuti",
    "resolved": "sudah ditangani. Periksa & konfirmasi di aplikasi dalam 7 hari",
    "awaiting_info": "- petugas bertanya",
    "forwarded": "diteruskan ke instansi yang berwenang",
}


SHORT_REPORTER_TEXT = {
    "accepted": "diterima petugas",
    "resolved": "sudah ditangani",
    "awaiting_info": "- ada pertanyaan",
    "forwarded": "diteruskan",
}


def _question(text: str, room: int) -> str:
    """A question quoted in what room is left of an SMS (cut at a word)."""
    text = gsm7(text)
    if len(text) <= room:
        return text
    return text[: max(room - 3, 0)].rsplit(" ", 1)[0] + "..."


def reporter_notification(
    report: Report,
    status: str,
    event_sk: str,
    *,
    catalogue: Catalogue,
    base_url: str,
    note: str | None = None,
) -> Notification:
    label = catalogue.label(report.label)
    label_name = label.name_id if label else report.label
    link = f"{base_url.rstrip('/')}/r/{report.code}"
    # The text gives way, never the link: the first wording that fits one segment,
    # else the shortest (two segments beat a link that lost its code).
    wordings = [
        f"KAWAL: Laporan {report.code} ({label_name}) {REPORTER_TEXT[status]}. {link}",
        f"KAWAL: Laporan {report.code} {REPORTER_TEXT[status]}. {link}",
        f"KAWAL: Laporan {report.code} {SHORT_REPORTER_TEXT[status]}. {link}",
        f"KAWAL {report.code}: {status}. {link}",
    ]
    if status == "forwarded" and note:  # the body by name: "diteruskan ke PLN ULP Trenggalek"
        wordings.insert(0, f"KAWAL: Laporan {report.code} diteruskan ke {note}. {link}")
    if status == "awaiting_info" and note:  # the question itself, answered at the link
        head, tail = f'KAWAL {report.code}: petugas bertanya "', f'" Jawab di {link}'
        room = SMS_LIMIT - len(gsm7(head)) - len(gsm7(tail))
        wordings.insert(0, head + _question(note, room) + tail)
    fitting = [gsm7(w) for w in wordings if len(gsm7(w)) <= SMS_LIMIT]
    sms = fitting[0] if fitting else gsm7(wordings[-1])
    nid = notification_id(report.id, event_sk, "reporter")
    return Notification(
        id=nid,
        kind="reporter_update",
        audience="reporter",
        topic="reporter",
        report_id=report.id,
        report_code=report.code,
        subject=ascii_subject(f"[Kawal] Laporan {report.code}: {status}"),
        sms=sms,
        email=f"{sms}\n\n"
        + (f"Pertanyaan petugas / the squad asks:\n{note}\n\n" if note else "")
        + "Terima kasih telah melapor. / Thank you for reporting.",
        attributes={"kind": "reporter_update", "notification_id": nid, "status": status},
    )


def plan(
    report: Report,
    to_status: str,
    event_sk: str,
    *,
    catalogue: Catalogue,
    district_name: str | None,
    base_url: str,
    reporter_opted_in: bool,
    action: str | None = None,
    note: str | None = None,
    photo_ready: bool = False,
    stars: int | None = None,
    body: Body | None = None,
) -> list[Notification]:
    """The notifications one timeline entry causes (``body``: the outside body a
    forwarded report goes to)."""
    out: list[Notification] = []
    if action == "overdue":  # an escalation: the command centre, once
        return [
            squad_notification(
                report,
                "overdue",
                event_sk,
                catalogue=catalogue,
                district_name=district_name,
                base_url=base_url,
            )
        ]
    said: dict[str, Kind] = {
        "comment": "reporter_comment",  # the reporter's word
        "remind": "reminder",  # the regent is watching
        "reassign": "reassigned",  # another member takes over
        "answer": "reporter_answer",  # what the squad asked, answered
        "transfer": "transferred",  # the new squad hears why it is theirs
        "withdraw": "withdrawn",  # nobody need go
        "recall": "recalled",  # the outside body declined: the squad's again
    }
    if action == "rate":  # a poor rating reaches the regent
        if stars is None or stars > LOW_RATING:
            return []
        said["rate"] = "low_rating"
        note = f"{stars}/5" + (f": {note}" if note else "")
    if action in said:  # words for the squad, with what was said
        return [
            squad_notification(
                report,
                said[action],
                event_sk,
                catalogue=catalogue,
                district_name=district_name,
                base_url=base_url,
                note=note,
            )
        ]
    if to_status in ("submitted", "reopened"):
        kind: Kind = "new_report" if to_status == "submitted" else "reopened"
        out.append(
            squad_notification(
                report,
                kind,
                event_sk,
                catalogue=catalogue,
                district_name=district_name,
                base_url=base_url,
                photo_ready=photo_ready,
                note=note if kind == "reopened" else None,
            )
        )
    if to_status in REPORTER_TEXT and reporter_opted_in:
        out.append(
            reporter_notification(
                report,
                to_status,
                event_sk,
                catalogue=catalogue,
                base_url=base_url,
                note=body.name_id
                if body and to_status == "forwarded"
                else note
                if to_status == "awaiting_info"
                else None,
            )
        )
    if action == "forward" and body is not None:
        out.append(
            body_notification(
                report,
                body,
                event_sk,
                catalogue=catalogue,
                district_name=district_name,
                base_url=base_url,
                note=note,
            )
        )
    return out


def body_notification(
    report: Report,
    body: Body,
    event_sk: str,
    *,
    catalogue: Catalogue,
    district_name: str | None,
    base_url: str,
    note: str | None,
) -> Notification:
    """A report forwarded to an outside body: what, where, the photo's page, and the
    squad's note; never who reported it (the report does not hold it)."""
    label = catalogue.label(report.label)
    label_name = label.name_id if label else report.label
    link = f"{base_url.rstrip('/')}/r/{report.code}"
    sms = _fit_sms(f"KAWAL {report.code} {label_name}, diteruskan ke {body.name_id}:",
                   _place(report, district_name), link)  # fmt: skip
    email = "\n".join(
        [
            f"Yth. {body.name_id},",
            "",
            "Pemerintah Kabupaten Trenggalek meneruskan laporan warga berikut, yang menjadi",
            "kewenangan instansi Anda. Mohon ditindaklanjuti. / Trenggalek Regency forwards",
            "this citizen report, which is yours to handle.",
            "",
            f"Laporan    : {report.code}",
            f"Masalah    : {label_name}" + (f" / {label.name_en}" if label else ""),
            f"Kecamatan  : {district_name or '-'}",
            f"Alamat     : {report.address or '-'}",
            f"Lokasi     : {report.lat}, {report.lon}",
            f"Dilaporkan : {wib(report.created_at)}",
            "",
            "Uraian / description:",
            report.description or "-",
            "",
            "Catatan petugas / the squad's note:",
            note or "-",
            "",
            f"Foto dan perkembangan / photo and progress: {link}",
            "Identitas pelapor dirahasiakan. / The reporter's identity is confidential.",
        ]
    )
    nid = notification_id(report.id, event_sk, "body")
    return Notification(
        id=nid,
        kind="forwarded",
        audience="body",
        topic=body.code,
        report_id=report.id,
        report_code=report.code,
        subject=ascii_subject(f"[Kawal] Laporan {report.code} diteruskan: {label_name}"),
        sms=sms,
        email=email,
        attributes={"kind": "forwarded", "notification_id": nid, "body": body.code},
    )
