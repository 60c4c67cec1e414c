"""A season of citizens' proposals (usulan) through one Musrenbang cycle, so `make run`
shows the board, Bappeda's queue and every step of the path: sent in January,
moderated, discussed at desa, kecamatan and kabupaten forums, some planned in the RKPD."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from chalicelib.adapters.dynamodb.proposals import ProposalStore
from chalicelib.domain import geo
from chalicelib.domain.proposals import ProposalInput, Step, load_themes
from chalicelib.services import proposals

# title, description, theme, kecamatan, how far it gets, supporters
SEASON = [
    ("Lampu jalan gang Melati", "Gang menuju SD gelap setiap malam; anak-anak takut lewat.",
     "infrastruktur", "trenggalek", "planned", 14),
    ("Jembatan gantung Dusun Krajan", "Warga menyeberang sungai dengan rakit saat musim hujan.",
     "infrastruktur", "bendungan", "planned", 23),
    ("Pasar desa buka sejak subuh", "Pedagang sayur datang pukul empat, pasar buka pukul enam.",
     "ekonomi", "durenan", "kabupaten", 9),
    ("Posyandu lansia tiap bulan", "Lansia di dusun atas harus turun jauh ke puskesmas.",
     "kesehatan", "dongko", "kecamatan", 7),
    ("Perpustakaan keliling ke dusun", "Anak-anak di dusun terpencil jarang membaca buku baru.",
     "pendidikan", "panggul", "desa", 5),
    ("Bank sampah RW 03", "Sampah plastik dibakar warga; bank sampah bisa menampung dan menjual.",
     "lingkungan", "pogalan", "accepted", 3),
    ("Jalan usaha tani ke sawah", "Hasil panen dipikul 2 km karena jalan tani belum ada.",
     "infrastruktur", "karangan", "not_feasible", 4),
    ("Pelatihan perangkat desa digital", "Surat-menyurat desa masih ditulis tangan.",
     "pemerintahan", "tugu", "pending", 0),
    ("Nomor HP kepala dusun 0812…", "Mohon tegur kepala dusun kami, nomornya 0812345678.",
     "pemerintahan", "munjungan", "refused", 0),
]  # fmt: skip
ORDER = ("accepted", "desa", "kecamatan", "kabupaten", "planned")


def _client_id(n: int) -> uuid.UUID:
    # stable per proposal: seeding twice is an idempotent replay
    return uuid.UUID(bytes=random.Random(f"kawal-usulan-{n}").randbytes(16), version=4)


def seed_proposals(year: int | None = None) -> list[str]:
    """Send, moderate and walk the season's proposals through the same services the API
    uses (Bappeda's steps dated as a real cycle); the codes made."""
    year = year or datetime.now(UTC).year
    store, themes, regency = ProposalStore(), load_themes(), geo.load_regency()
    villages = geo.load_villages()
    sent = datetime(year, 1, 6, 2, tzinfo=UTC)
    made = []
    for n, (title, text, theme, district, reach, backers) in enumerate(SEASON):
        desa = next((v.code for v in villages.villages if v.district == district), None)
        data = ProposalInput(client_proposal_id=_client_id(n), title=title, description=text,
                             theme=theme, district=district, village=desa)  # fmt: skip
        at = sent + timedelta(days=n)
        proposal, created, _ = proposals.submit(
            data,
            store=store,
            themes=themes,
            regency=regency,
            villages=villages,
            now=lambda at=at: at,
        )
        made.append(proposal.code)
        if not created or reach == "pending":
            continue
        for step in _steps(reach, year):
            proposals.take_step(proposal.id, step, "bappeda", store=store, now=lambda at=at: at)
        for b in range(backers):
            store.add_proposal_supporter(proposal.id, f"seed-{n}-{b}", None, at)
    return made


def _steps(reach: str, year: int) -> list[Step]:
    if reach == "refused":
        return [Step("refuse", reason="personal_data")]
    forums = [("desa", date(year, 1, 25)), ("kecamatan", date(year, 2, 20)),
              ("kabupaten", date(year, 3, 25))]  # fmt: skip
    if reach == "not_feasible":
        why = "Lahan milik Perhutani; diusulkan lewat kemitraan."
        return [Step("accept"), Step("forum", forum_level="desa", forum_date=forums[0][1]),
                Step("not_feasible", reason=why)]  # fmt: skip
    last = ORDER.index(reach)
    steps = [Step("accept")]
    steps += [Step("forum", forum_level=lv, forum_date=d) for lv, d in forums[: min(last, 3)]]
    if reach == "planned":
        steps.append(Step("plan", rkpd_year=year + 1))
    return steps
