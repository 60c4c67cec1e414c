"""`make run` seeds a season of proposals through one Musrenbang cycle."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.proposals import ProposalStore
from chalicelib.services import proposals
from kawal_local.seed_proposals import SEASON, seed_proposals


def test_a_season_walks_every_step_and_seeding_twice_adds_nothing(aws):
    codes = seed_proposals(2027)
    store = ProposalStore()
    names = ("pending", "accepted", "refused", "in_forum", "planned", "not_feasible")
    statuses = {s: len(store.proposals_in(s)) for s in names}
    assert list(statuses.values()) == [1, 1, 1, 3, 2, 1]
    levels = sorted(p.forum_level for p in store.proposals_in("in_forum"))
    assert levels == ["desa", "kabupaten", "kecamatan"]
    board = proposals.board(store)
    assert board[0].title == "Jembatan gantung Dusun Krajan" and board[0].supporters == 23
    assert {p.rkpd_year for p in store.proposals_in("planned")} == {2028}
    assert seed_proposals(2027) == codes and len(proposals.board(store)) == len(SEASON) - 2
