"""The proposals service on the in-memory store: idempotent submit, who reads what,
support with the report's abuse limits, moderation and the path, the forum export."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.geo import load_regency, load_villages
from chalicelib.domain.proposals import ProposalInput, Step, load_themes
from chalicelib.services import proposals
from chalicelib.services.quotas import TooManyRequests
from tests.fakes import FakeCounters, FakeProposalStore

AT = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)


@pytest.fixture
def store():
    return FakeProposalStore()


def _send(store, **kw):
    body = dict(
        client_proposal_id=str(uuid.uuid4()),
        title="Lampu jalan gang Melati",
        description="Gang ke sekolah gelap setiap malam",
        theme="infrastruktur",
        district="panggul",
        village="35.03.01.2001",
        contact="+6281234567890",
    )
    data = ProposalInput.model_validate({**body, **kw})
    return proposals.submit(
        data,
        store=store,
        themes=load_themes(),
        regency=load_regency(),
        villages=load_villages(),
        now=lambda: AT,
    )


def _accepted(store, **kw):
    proposal, _, token = _send(store, **kw)
    return proposals.take_step(
        proposal.id, Step("accept"), "bappeda", store=store, now=lambda: AT
    ), token


def test_submit_is_pending_with_the_contact_sealed_apart_and_a_retry_is_the_same(store):
    cid = str(uuid.uuid4())
    first, created, token = _send(store, client_proposal_id=cid)
    again, created_again, token_again = _send(store, client_proposal_id=cid)
    assert (first.status, created, created_again) == ("pending", True, False)
    assert (again.id, again.code, token_again) == (first.id, first.code, token)
    assert len(store.proposals) == 1 and first.code.startswith("USL-")
    assert "+6281234567890" not in first.model_dump_json()
    assert store.proposal_contacts(first.id) == [{"phone": "+6281234567890", "notify": True}]
    with pytest.raises(Conflict):  # the same client id for other words
        _send(store, client_proposal_id=cid, title="Jembatan gantung Dusun Krajan")


def test_bad_input_is_refused_and_nothing_is_stored(store):
    with pytest.raises(InvalidInput):
        _send(store, theme="perang")
    with pytest.raises(InvalidInput):
        _send(store, lat=-6.2, lon=106.8)  # Jakarta
    assert store.proposals == {}


def test_pending_and_refused_are_the_proposers_and_staffs_alone(store):
    proposal, _, token = _send(store)
    with pytest.raises(NotFound):
        proposals.get_for(proposal.code, store)
    with pytest.raises(NotFound):
        proposals.get_for(proposal.code, store, token="not-theirs")
    assert proposals.get_for(proposal.code, store, token=token).status == "pending"
    proposals.take_step(proposal.id, Step("refuse", reason="insult"), "bappeda", store=store)
    seen = proposals.get_for(proposal.code, store, token=token)
    assert (seen.status, seen.reason) == ("refused", "insult")
    assert proposals.get_for(proposal.id, store, staff=True).status == "refused"
    assert proposals.board(store) == []


def test_support_once_per_phone_never_ones_own_and_within_the_report_limits(store, monkeypatch):
    proposal, token = _accepted(store)
    counters = FakeCounters()
    kw = dict(store=store, counters=counters, ip="10.0.0.1")
    assert proposals.support(proposal.code, "a", {"phone": "+628111"}, **kw) == (True, 1)
    assert proposals.support(proposal.code, "b", {"phone": "+628111"}, **kw) == (False, 1)
    with pytest.raises(Conflict):
        proposals.support(proposal.code, "c", None, token=token, **kw)
    monkeypatch.setenv("QUOTA_SUPPORTS_PER_IP_HOUR", "2")
    with pytest.raises(TooManyRequests):
        for n in range(5):
            proposals.support(proposal.code, f"d{n}", None, device_hash=f"dev{n}", **kw)
    assert store.get_proposal(proposal.id).supporters == 2


def test_pending_proposals_take_no_support(store):
    proposal, _, _ = _send(store)
    with pytest.raises(NotFound):
        proposals.support(proposal.code, "a", None, store=store, counters=FakeCounters(), ip="x")


def test_queue_board_and_the_forum_export_ranked_by_support(store):
    quiet, _ = _accepted(store, title="Pasar buka pagi")
    loud, _ = _accepted(store, title='=HYPERLINK("x") jembatan')
    _send(store, title="Belum dimoderasi")
    for n in range(3):
        proposals.support(loud.id, n, None, store=store, counters=FakeCounters(), ip=f"ip{n}")
    assert [p.title for p in proposals.queue(store)] == ["Belum dimoderasi"]
    assert [p.id for p in proposals.board(store, district="panggul")] == [loud.id, quiet.id]
    proposals.take_step(
        quiet.id,
        Step("forum", forum_level="desa", forum_date=date(2027, 1, 20)),
        "bappeda",
        store=store,
    )
    text = proposals.export_csv(
        store,
        themes=load_themes(),
        regency=load_regency(),
        villages=load_villages(),
        village="35.03.01.2001",
    )
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:7] == ["peringkat", "kode", "judul", "tema", "kecamatan", "desa", "dukungan"]
    assert rows[1][:8] == [
        "1",
        loud.code,
        '\'=HYPERLINK("x") jembatan',
        "Infrastruktur",
        "Panggul",
        "Besuki",
        "3",
        "diterima",
    ]
    assert rows[2][7] == "dibahas di Musrenbang desa (20 Januari 2027)"
    assert (
        proposals.export_csv(
            store,
            themes=load_themes(),
            regency=load_regency(),
            villages=load_villages(),
            district="munjungan",
        ).count("\n")
        == 1
    )


def test_a_step_on_a_stale_read_is_refused_not_lost(store):
    proposal, _, _ = _send(store)
    stale = store.get_proposal(proposal.id)
    proposals.take_step(proposal.id, Step("accept"), "bappeda", store=store)
    assert not store.save_proposal(stale.model_copy(update={"status": "refused"}), stale.version)
    assert store.get_proposal(proposal.id).status == "accepted"
