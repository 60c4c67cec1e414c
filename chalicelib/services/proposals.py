"""Citizens' proposals (usulan, issue #39): propose, support, moderate, walk the path,
list the board and the moderation queue, export for a Musrenbang forum."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import identifiers
from chalicelib.domain.errors import CodeTaken, Conflict, NotFound
from chalicelib.domain.geo import Regency, Villages
from chalicelib.domain.proposals import (
    PUBLIC,
    SUPPORTABLE,
    Actor,
    Proposal,
    ProposalExists,
    ProposalInput,
    Step,
    Themes,
    apply,
    check,
    status_words,
)
from chalicelib.services import quotas
from chalicelib.services.ports import ProposalStore

Clock = Callable[[], datetime]
CODE_PREFIX = "USL"  # not the regency's report prefix: a proposal's code is never a report's
MAX_CODE_ATTEMPTS = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


def _request_hash(data: ProposalInput) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def submit(
    data: ProposalInput,
    *,
    store: ProposalStore,
    themes: Themes,
    regency: Regency,
    villages: Villages,
    now: Clock = utc_now,
    device_hash: str | None = None,
) -> tuple[Proposal, bool, str]:
    """Store a new proposal (pending moderation), or return the one this client id
    already made (409 if the id is reused for different words). Returns (proposal,
    created, proposer token); the contact is sealed apart, never on the proposal."""
    inside = data.lat is None or regency.bounds.contains(data.lat, data.lon or 0.0)
    check(
        data,
        themes=themes,
        districts=frozenset(d.code for d in regency.districts),
        villages={v.code: v.district for v in villages.villages},
        inside=inside,
    )
    proposal_id = identifiers.proposal_id_for(data.client_proposal_id)
    token = identifiers.proposer_token_for(data.client_proposal_id)
    request_hash = _request_hash(data)
    kind = "email" if data.contact and "@" in data.contact else "phone"
    contact = {kind: data.contact, "notify": True} if data.contact else None
    at = now()
    attempt = secrets.token_hex(8)
    fields = data.model_dump(exclude={"client_proposal_id", "contact"})
    for _ in range(MAX_CODE_ATTEMPTS):
        proposal = Proposal(
            id=proposal_id,
            code=identifiers.new_short_code(CODE_PREFIX),
            **fields,
            created_at=at,
            updated_at=at,
            token_hash=identifiers.hash_secret(token),
            request_hash=request_hash,
            attempt=attempt,
            device_hash=device_hash,
        )
        try:
            store.create_proposal(proposal, contact)
        except CodeTaken:
            continue
        except ProposalExists:
            found = store.get_proposal(proposal_id)
            if found is None:  # pragma: no cover - the write we collided with vanished
                raise
            if found.request_hash != request_hash:
                raise Conflict(
                    "client_proposal_id ini sudah dipakai untuk usulan lain; buat yang baru. / "
                    "this client_proposal_id was used for a different proposal",
                    [{"field": "client_proposal_id"}],
                    code="idempotency_key_reused",
                ) from None
            return found, found.attempt == attempt, token
        return proposal, True, token
    raise RuntimeError("could not draw a free short code")  # pragma: no cover


def _not_found(ref: str) -> NotFound:
    return NotFound(
        f"Usulan {ref!r} tidak ditemukan. / No proposal {ref!r}.", code="proposal_not_found"
    )


def find(ref: str, store: ProposalStore) -> Proposal:
    """By id or code (USL-XXXXXX); 404 if none."""
    proposal_id = store.proposal_id_for_code(ref) if ref.upper().startswith("USL-") else ref
    found = store.get_proposal(proposal_id) if proposal_id else None
    if found is None:
        raise _not_found(ref)
    return found


def get_for(ref: str, store: ProposalStore, token: str | None = None, staff: bool = False):
    """What a reader may see: a public proposal to anyone; a pending, refused or
    converted one only to its proposer (their token) and staff; else the same 404."""
    proposal = find(ref, store)
    own = bool(token) and identifiers.token_matches(token or "", proposal.token_hash)
    if proposal.status not in PUBLIC and not (own or staff):
        raise _not_found(ref)
    return proposal


def support(
    ref: str,
    client_support_id: Any,
    contact: dict[str, Any] | None,
    *,
    store: ProposalStore,
    counters: quotas.Counters,
    ip: str,
    device_hash: str | None = None,
    token: str | None = None,
    now: Clock = utc_now,
) -> tuple[bool, int]:
    """A citizen's +1 on a public proposal, one per phone number, else per device,
    else per client id, counted against the same limits as a report's support (a
    retry is not counted). Returns whether it was new and the count now."""
    from chalicelib.services import limits

    proposal = find(ref, store)
    if proposal.status not in PUBLIC:
        raise _not_found(ref)
    if proposal.status not in SUPPORTABLE:
        raise Conflict(
            f"Usulan ini sudah {status_words(proposal)}; dukungan tidak bisa ditambahkan. / "
            "this proposal takes no more support",
            code="proposal_closed",
        )
    own = token and identifiers.token_matches(token, proposal.token_hash)
    if own or (device_hash and device_hash == proposal.device_hash):
        raise Conflict(
            "Anda pengusulnya; usulan ini sudah menghitung Anda. / you proposed this",
            code="own_proposal",
        )
    phone = (contact or {}).get("phone")
    who = f"phone:{phone}" if phone else f"device:{device_hash}" if device_hash else None
    supporter = hashlib.sha256(f"{proposal.id}|{who or client_support_id}".encode()).hexdigest()
    subjects = [(quotas.SUPPORTS_PER_IP, ip)]
    if device_hash:
        subjects.append((quotas.SUPPORTS_PER_DEVICE, device_hash))
    created, _ = limits.counted(
        subjects,
        lambda: (store.add_proposal_supporter(proposal.id, supporter[:32], contact, now()), None),
        counters=counters,
    )
    return created, proposal.supporters + int(created)


def take_step(
    proposal_id: str, step: Step, actor: Actor, *, store: ProposalStore, now: Clock = utc_now
) -> Proposal:
    """Moderation or a step on the path; 409 if someone else moved it first."""
    proposal = find(proposal_id, store)
    moved = apply(proposal, step, actor, now())
    if not store.save_proposal(moved, proposal.version):
        raise Conflict(
            "Usulan baru saja diubah orang lain; muat ulang. / changed meanwhile, reload",
            code="stale_proposal",
        )
    return moved


def queue(store: ProposalStore) -> list[Proposal]:
    """What waits for moderation, oldest first."""
    return store.proposals_in("pending")


def board(
    store: ProposalStore, *, district: str | None = None, village: str | None = None
) -> list[Proposal]:
    """Every public proposal (of a kecamatan, a desa), most supported first, then oldest."""
    found = [p for status in sorted(PUBLIC) for p in store.proposals_in(status)]
    found = [
        p
        for p in found
        if (district is None or p.district == district)
        and (village is None or p.village == village)
    ]
    return sorted(found, key=lambda p: (-p.supporters, p.created_at, p.id))


EXPORT_COLUMNS = ("peringkat", "kode", "judul", "tema", "kecamatan", "desa", "dukungan", "status",
                  "uraian")  # fmt: skip


def export_csv(
    store: ProposalStore,
    *,
    themes: Themes,
    regency: Regency,
    villages: Villages,
    district: str | None = None,
    village: str | None = None,
) -> str:
    """The accepted proposals of a desa or kecamatan still on the path, ranked by
    support, for a Musrenbang forum: Excel-ready (UTF-8 with BOM, ';' as Indonesian
    Excel expects, formulas neutralised)."""
    rows = [p for p in board(store, district=district, village=village) if p.status in SUPPORTABLE]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for rank, p in enumerate(rows, start=1):
        theme = themes.get(p.theme)
        place = villages.get(p.village) if p.village else None
        kecamatan = regency.district_name(p.district) or p.district
        desa = place.name if place else ""
        row = (rank, p.code, p.title, theme.name_id if theme else p.theme, kecamatan, desa,
               p.supporters, status_words(p), p.description)  # fmt: skip
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A citizen's words never run as a spreadsheet formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
