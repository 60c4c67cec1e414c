"""The ProposalStore contract, on the fake and on DynamoDB (moto) alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.errors import CodeTaken
from chalicelib.domain.proposals import Proposal, ProposalExists
from tests.fakes import FakeProposalStore

NOW = datetime(2027, 1, 10, 7, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", "dynamodb"])
def store(request):
    if request.param == "fake":
        return FakeProposalStore()
    request.getfixturevalue("aws")
    from chalicelib.adapters.dynamodb.proposals import ProposalStore

    return ProposalStore()


def _proposal(pid: str, code: str, **kw) -> Proposal:
    base = dict(id=pid, code=code, title="Lampu jalan", description="Gang gelap sekali",
                theme="infrastruktur", district="panggul", lat=-8.2, lon=111.5,
                created_at=NOW, updated_at=NOW)  # fmt: skip
    return Proposal(**{**base, **kw})


def test_create_read_by_id_and_code_and_refuse_a_second_create(store):
    store.create_proposal(_proposal("a" * 20, "USL-AAAAAA"), {"phone": "+628111", "notify": True})
    assert store.get_proposal("a" * 20) == _proposal("a" * 20, "USL-AAAAAA")
    assert store.proposal_id_for_code("usl-aaaaaa") == "a" * 20
    assert store.proposal_id_for_code("USL-BBBBBB") is None and store.get_proposal("b") is None
    with pytest.raises(ProposalExists):
        store.create_proposal(_proposal("a" * 20, "USL-CCCCCC"), None)
    with pytest.raises(CodeTaken):
        store.create_proposal(_proposal("b" * 20, "USL-AAAAAA"), None)
    assert store.get_proposal("b" * 20) is None  # nothing half-written
    assert store.proposal_contacts("a" * 20) == [{"phone": "+628111", "notify": True}]


def test_save_is_conditional_on_the_version_and_moves_it_between_statuses(store):
    store.create_proposal(_proposal("a" * 20, "USL-AAAAAA"), None)
    moved = _proposal("a" * 20, "USL-AAAAAA", status="in_forum", forum_level="desa",
                      forum_date=date(2027, 1, 20), moderated_at=NOW, version=2)  # fmt: skip
    assert store.save_proposal(moved, 1)
    assert not store.save_proposal(moved.model_copy(update={"status": "done"}), 1)
    assert store.get_proposal("a" * 20) == moved
    assert store.proposals_in("pending") == [] and store.proposals_in("in_forum") == [moved]


def test_supporters_count_once_each_with_their_contact_apart(store):
    store.create_proposal(_proposal("a" * 20, "USL-AAAAAA"), None)
    assert store.add_proposal_supporter("a" * 20, "s1", {"email": "x@y.id", "notify": True}, NOW)
    assert not store.add_proposal_supporter("a" * 20, "s1", None, NOW)
    assert store.add_proposal_supporter("a" * 20, "s2", None, NOW)
    assert not store.add_proposal_supporter("z" * 20, "s1", None, NOW)  # no such proposal
    assert store.get_proposal("a" * 20).supporters == 2
    assert store.proposal_contacts("a" * 20) == [{"email": "x@y.id", "notify": True}]


def test_proposals_in_a_status_oldest_first(store):
    later = NOW.replace(hour=9)
    store.create_proposal(_proposal("b" * 20, "USL-BBBBBB", created_at=later), None)
    store.create_proposal(_proposal("a" * 20, "USL-AAAAAA"), None)
    assert [p.id for p in store.proposals_in("pending")] == ["a" * 20, "b" * 20]
