"""A squad's morning digest (06.00 WIB): one email to each of its desks with what is
open (urgent and overdue first), instead of one SMS per report for labels that can
wait; urgent reports still go by SMS at once. Sent once a day, however often the
schedule runs; an email that fails is sent by the next run."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from chalicelib.domain.lateness import late_by, late_words
from chalicelib.domain.models import Report
from chalicelib.domain.sms_text import WIB, ascii_subject, wib
from chalicelib.routing import Catalogue

log = logging.getLogger("kawal.digest")
SEND_AFTER = time(6, 0)  # WIB
LISTED = 30  # reports named in one email; the rest are counted


def body(squad_name: str, reports: list[Report], now: datetime, catalogue: Catalogue,
         base_url: str) -> str:  # fmt: skip
    rank = {"urgent": 0, "normal": 1, "low": 2}
    ordered = sorted(reports, key=lambda r: (r.sla_due_at > now, rank[r.priority], r.sla_due_at))
    late = sum(late_by(r, now) is not None for r in reports)
    new = sum(now - r.created_at <= timedelta(days=1) for r in reports)
    lines = [
        f"Ringkasan pagi {squad_name}, {now.astimezone(WIB):%d/%m/%Y}",
        "",
        f"Laporan terbuka: {len(reports)}  ·  baru 24 jam: {new}  ·  terlambat: {late}",
        "",
    ]
    for r in ordered[:LISTED]:
        label = catalogue.label(r.label)
        flag = "MENDESAK " if r.priority == "urgent" else ""
        words = late_words(r, now)  # one meaning of late (domain/lateness.py)
        state = words.upper() if words else f"batas {wib(r.sla_due_at)}"
        lines.append(f"- {flag}{r.code} {label.name_id if label else r.label} "
                     f"({r.district or '-'}), {state}: {base_url}/r/{r.code}")  # fmt: skip
    if len(ordered) > LISTED:
        lines.append(f"… dan {len(ordered) - LISTED} laporan lain: {base_url}/tim/")
    lines += ["", "Buka aplikasi Tim untuk menindaklanjuti: " + f"{base_url}/tim/"]
    return "\n".join(lines)


def send_digests(
    *,
    store: Any,
    catalogue: Catalogue,
    send_email: Callable[[str, str, str], Any],
    base_url: str,
    now: datetime,
) -> int:
    """Each squad's digest to its desks, once per WIB day after 06.00; how many sent."""
    local = now.astimezone(WIB)
    if local.time() < SEND_AFTER:
        return 0
    sent = 0
    for squad in catalogue.squads:
        # each desk's email claimed before it is sent, released if it fails: the next
        # run (15 minutes on) sends what failed, never what went
        day = f"digest-{squad.code}-{local:%Y-%m-%d}"
        claimed = [
            (email, f"{day}-{hashlib.sha256(email.encode()).hexdigest()[:16]}")
            for email in store.digest_emails(squad.code)
        ]
        claimed = [(email, key) for email, key in claimed if store.first_delivery(key, now)]
        if not claimed:
            continue
        open_reports, start = [], None
        while True:
            items, start = store.read(store.squad_queue(squad.code), limit=100, start=start)
            open_reports += store.reports_from(items)
            if not start:
                break
        text = body(squad.name_id, open_reports, now, catalogue, base_url.rstrip("/"))
        subject = ascii_subject(f"[Kawal] Ringkasan pagi {squad.name_id}: "
                                f"{len(open_reports)} laporan terbuka")  # fmt: skip
        for email, key in claimed:
            try:
                send_email(email, subject, text)
            except Exception as exc:  # one desk's failure keeps no other from its digest
                store.forget_delivery(key)
                log.warning("morning digest of %s not sent (retried next run): %s", squad.code, exc)
                continue
            sent += 1
    return sent
