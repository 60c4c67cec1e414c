"""Demo reports so a person trying `make run` has something to look at."""

from __future__ import annotations

import random
import uuid

from chalicelib.domain import geo
from chalicelib.domain.models import ReportIn
from chalicelib.domain.principals import OPEN_SQUADS
from chalicelib.routing import load_catalogue
from chalicelib.services import reports
from chalicelib.storage import ReportStore
from kawal_deploy import resources

DEMO = [
    (
        "jalan_rusak",
        "trenggalek",
        "Jalan berlubang besar di depan pasar, membahayakan pengendara motor.",
    ),
    ("banjir", "durenan", "Air setinggi lutut menggenangi permukiman sejak pagi."),
    ("sampah_menumpuk", "pogalan", "Sampah menumpuk di pinggir jalan, belum diangkut seminggu."),
    ("demam_berdarah", "karangan", "Tiga warga satu RT dirawat karena DBD, mohon fogging."),
    ("anak_terlantar", "tugu", "Anak kecil sendirian di terminal sejak sore."),
    ("parkir_liar", "trenggalek", "Parkir liar memakan separuh jalan di depan alun-alun."),
    ("ktp_kk_akta", "panggul", "KTP-el belum jadi setelah tiga bulan."),
    ("lampu_jalan_mati", "watulimo", "Lampu jalan mati sepanjang 200 meter menuju pantai."),
    ("pungutan_liar", "munjungan", "Ada pungutan tanpa karcis di pelabuhan ikan."),
]


def _client_id(n: int) -> uuid.UUID:
    # Stable per demo report, so seeding twice is an idempotent replay.
    return uuid.UUID(bytes=random.Random(f"kawal-demo-{n}").randbytes(16), version=4)


def seed_demo_reports() -> list[tuple[str, str, str]]:
    """Submit the demo reports through the same service the API uses."""
    catalogue, regency = load_catalogue(), geo.load_regency()
    store = ReportStore()
    made = []
    for n, (label, district_code, description) in enumerate(DEMO):
        district = regency.district(district_code)
        assert district is not None
        jitter = random.Random(n)
        data = ReportIn(
            client_report_id=_client_id(n),
            label=label,
            lat=round(district.lat + jitter.uniform(-0.01, 0.01), 6),
            lon=round(district.lon + jitter.uniform(-0.01, 0.01), 6),
            description=description,
            district=district_code,
        )
        stored, _, _ = reports.submit(
            data, store=store, catalogue=catalogue, regency=regency, source="seed"
        )
        made.append((stored.report.id, stored.report.code, label))
    return made


def start_statistics(history_days: int) -> None:
    """Where a new world's statistics start: the oldest history seeded into it (two
    days spare: its first day starts at midnight WIB), or now. The job's first run
    otherwise reads back 62 days of the activity index an hour a Query (for a
    deployment whose table has a past): 1,488 empty hours, 13-32 s on moto, and
    every step taken meanwhile waited for it."""
    from datetime import timedelta

    from chalicelib.storage import StatsStore

    back = timedelta(days=history_days + 2) if history_days > 0 else timedelta(0)
    StatsStore().advance_watermark(reports.utc_now() - back)  # only ever forward


DEMO_PASSWORD = "Kawal-demo-2026"
# The demo accounts that must sign in with an authenticator code (SECOND_FACTOR_ROLES)
# are enrolled with this known secret: type it into an authenticator app, or let
# `make token` and the tests compute the code (kawal_local/totp.py).
DEMO_TOTP_SECRET = "KAWALDEMOKOMANDOTRENGGALEKJATIMX"
# One new squad member with a temporary password, as an operator's reset leaves it:
# signing in as them shows the first sign-in's password change.
NEW_MEMBER, NEW_MEMBER_GROUP = "tim-baru", "squad-orange"
DEMO_TEMPORARY_PASSWORD = "Sementara-2026"
DEMO_STAFF = [
    ("komando", "command", "the regent's command centre"),
    ("operator", "operator", "catalogue and subscriptions"),
    *[(f"tim-{s}", f"squad-{s}", f"{s} squad member") for s in OPEN_SQUADS],
    ("bayangan", "shadow", "covert shadow squad member"),
    ("dinas-pupr", "opd-pupr", "Dinas PUPR: weekly progress of its projects"),
    ("dinas-perkim", "opd-perkim", "Dinas Perkim: weekly progress of its projects"),
    ("bappeda", "bappeda", "planning officer: citizens' proposals (usulan)"),
]


def seed_demo_staff(pool_id: str) -> list[tuple[str, str, str]]:
    from chalicelib.domain.principals import SECOND_FACTOR_ROLES
    from kawal_local import moto_totp
    from kawal_local.history_cast import MEMBERS

    for username, group, _ in DEMO_STAFF:
        resources.create_staff_user(pool_id, username, DEMO_PASSWORD, group)
        if group in SECOND_FACTOR_ROLES:  # the group names the role for these two
            moto_totp.enrol(pool_id, username, DEMO_TOTP_SECRET)
    resources.create_staff_user(
        pool_id, NEW_MEMBER, DEMO_TEMPORARY_PASSWORD, NEW_MEMBER_GROUP, permanent=False
    )
    # the seeded history's other squad members: real accounts, so the command centre
    # can hand a report to one of them (same demo password; not listed in the banner)
    named = {username for username, _, _ in DEMO_STAFF}
    for squad, members in MEMBERS.items():
        for username in members:
            if username not in named:
                resources.create_staff_user(pool_id, username, DEMO_PASSWORD, f"squad-{squad}")
    return DEMO_STAFF


def seed_open311_key() -> str:
    """An Open311 API key for trying form POSTs (a fresh one each run, stored hashed)."""
    from chalicelib.services import apikeys
    from chalicelib.storage import ApiKeyStore

    key, _ = apikeys.issue(ApiKeyStore(), "demo (make run)", "operator", reports.utc_now())
    return key
