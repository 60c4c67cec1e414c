"""Projects, pure: the S-curve, the kritis rule, what progress an OPD may report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.projects import (
    Plan,
    Progress,
    Project,
    advance_stage,
    check_progress,
    deviation,
    kritis,
    late,
)

START = date(2026, 3, 2)


def project(weeks: int = 10, **changes) -> Project:
    """A ten-week contract whose plan rises 10 points a week."""
    fields = {
        "id": "2026-pupr-001",
        "fiscal_year": 2026,
        "name": "Rehabilitasi Jalan Durenan–Bendungan",
        "opd": "pupr",
        "contractor": "CV Maju Jaya",
        "consultant": "CV Cipta Konsultan",
        "pagu": 1_500_000_000,
        "contract_value": 1_350_000_000,
        "funding": "apbd",
        "contract_number": "600/123/406.012/2026",
        "start": START,
        "end": START + timedelta(days=7 * weeks - 1),
        "place": {"kind": "line", "coordinates": [(-8.10, 111.80), (-8.12, 111.82)]},
        "district": "durenan",
        "plan": {"weekly": [round(100 * (w + 1) / weeks, 2) for w in range(weeks)]},
        **changes,
    }
    return Project.model_validate(fields)


def end_of_week(n: int) -> date:
    return START + timedelta(days=7 * n - 1)


def test_the_plan_is_read_at_the_end_of_each_week_and_between_weeks():
    p = project()
    assert p.planned(START - timedelta(days=1)) == 0
    assert p.planned(end_of_week(1)) == 10
    assert p.planned(end_of_week(3)) == 30
    assert p.planned(end_of_week(3) + timedelta(days=3)) == pytest.approx(34.29, abs=0.01)
    assert p.planned(end_of_week(10)) == 100
    assert p.planned(end_of_week(40)) == 100


@pytest.mark.parametrize(
    "weekly",
    [[10, 5, 100], [10, 50, 90], [10, 101], [-1, 100], [float("nan"), 100]],
    ids=["goes-down", "not-100-at-end", "over-100", "negative", "nan"],
)
def test_a_curve_that_is_not_an_s_curve_is_refused(weekly):
    with pytest.raises(ValidationError):
        Plan(weekly=tuple(weekly))


def test_a_project_checks_money_dates_opd_and_plan_length():
    with pytest.raises(ValidationError, match="pagu"):
        project(contract_value=1_600_000_000)
    with pytest.raises(ValidationError, match="unknown OPD"):
        project(opd="dinas-rahasia")
    with pytest.raises(ValidationError, match="S-curve has 3 weeks"):
        project(plan={"weekly": [30, 60, 100]})
    with pytest.raises(ValidationError):
        project(pagu=1.5e9 + 0.5)  # Rupiah are whole
    with pytest.raises(ValidationError, match="a point has exactly one"):
        project(place={"kind": "point", "coordinates": [(-8.1, 111.8), (-8.2, 111.8)]})


@pytest.mark.parametrize(
    ("week", "physical", "expected"),
    [
        (5, 40.0, False),  # plan 50: 10 points behind is not more than 10
        (5, 39.99, True),  # plan 50: more than 10 behind while the plan is 0–70 %
        (7, 60.0, False),  # plan 70: 10 behind, still the first period
        (7, 59.99, True),
        (8, 75.0, False),  # plan 80: 5 behind is not more than 5
        (8, 74.99, True),  # plan 80: more than 5 behind at 70–100 %
        (10, 96.0, False),  # plan 100, 4 behind, still within the fiscal year
        (10, 100.0, False),
        (3, 45.0, False),  # ahead is never kritis
    ],
)
def test_kritis_follows_the_national_rule(week, physical, expected):
    assert kritis(project(), physical, end_of_week(week)) is expected


def test_behind_at_all_past_the_fiscal_year_is_kritis():
    p = project()
    assert not kritis(p, 99.0, date(2026, 12, 31))
    assert kritis(p, 99.0, date(2027, 1, 4))
    assert not kritis(p, 100.0, date(2027, 1, 4))
    # a contract that itself runs into the next year: any delay is kritis
    long = project(weeks=50, start=date(2026, 2, 2), end=date(2027, 1, 17))
    day = date(2026, 6, 1)
    assert late(long, long.planned(day) - 0.5, day)
    assert kritis(long, long.planned(day) - 0.5, day)


def test_deviation_is_reported_minus_planned_in_points():
    p = project()
    assert deviation(p, 22.5, end_of_week(3)) == -7.5
    assert deviation(p, 35.0, end_of_week(3)) == 5.0
    assert late(p, 29.99, end_of_week(3)) and not late(p, 30, end_of_week(3))


def progress(**changes) -> Progress:
    fields = {
        "project_id": "2026-pupr-001",
        "week": end_of_week(3),
        "physical": 30.0,
        "financial": 300_000_000,
        "by": "opd-pupr-1",
        **changes,
    }
    return Progress.model_validate(fields)


def problems(previous: Progress | None, new: Progress) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        check_progress(project(), previous, new)
    assert caught.value.status == 400 and caught.value.code == "progress_invalid"
    for d in caught.value.details:
        assert d["issue_id"] and d["issue"]  # Bahasa first, English beside it
    return [d["field"] for d in caught.value.details]


@pytest.mark.parametrize("physical", [100.01, -0.01, float("inf")])
def test_a_percentage_outside_0_to_100_is_refused(physical):
    with pytest.raises(ValidationError):
        progress(physical=physical)


def test_financial_above_the_contract_value_is_refused():
    assert problems(None, progress(financial=1_350_000_001)) == ["financial"]
    check_progress(project(), None, progress(financial=1_350_000_000))


def test_progress_going_backwards_needs_a_reason():
    before = progress(week=end_of_week(2), physical=35.0, financial=400_000_000)
    assert problems(before, progress(physical=30.0, financial=400_000_000)) == ["physical"]
    assert problems(before, progress(physical=35.0)) == ["financial"]
    explained = progress(physical=30.0, reason="Opname ulang: 5 % pekerjaan dibongkar")
    check_progress(project(), before, explained.model_copy(update={"financial": 400_000_000}))
    check_progress(project(), before, progress(physical=35.0, financial=400_000_000))


def test_a_week_before_the_last_report_or_the_contract_is_refused():
    before = progress(week=end_of_week(3))
    assert problems(before, progress(week=end_of_week(2))) == ["week"]
    assert problems(None, progress(week=START - timedelta(days=1))) == ["week"]


def test_stages_advance_one_step_at_a_time_on_their_documents_dates():
    p = project()
    with pytest.raises(InvalidInput):
        advance_stage(p, "pho", end_of_week(10), 100)  # still persiapan
    p = advance_stage(p, "pelaksanaan", START, 0)
    with pytest.raises(InvalidInput, match="100"):
        advance_stage(p, "pho", end_of_week(10), 98.5)
    p = advance_stage(p, "pho", end_of_week(10), 100)
    assert (p.stage, p.pho_date) == ("pho", end_of_week(10))
    p = advance_stage(p, "pemeliharaan", end_of_week(10), 100)
    with pytest.raises(InvalidInput, match="after PHO"):
        advance_stage(p, "fho", end_of_week(9), 100)
    assert advance_stage(p, "fho", date(2026, 12, 1), 100).fho_date == date(2026, 12, 1)


def test_a_week_not_yet_come_is_refused():
    with pytest.raises(InvalidInput):
        check_progress(project(), None, progress(week=end_of_week(4)), today=end_of_week(3))
    check_progress(project(), None, progress(week=end_of_week(3)), today=end_of_week(3))


def test_an_opd_group_gives_the_opd_role_and_no_staff_rights():
    from chalicelib.domain.principals import STAFF_GROUPS, Principal

    pupr = Principal.from_groups("u", ["opd-pupr"])
    assert (pupr.role, pupr.opd, pupr.squad, pupr.is_staff) == ("opd", "pupr", None, False)
    assert not pupr.can_see_squad("orange") and not pupr.can_see_squad("shadow")
    assert Principal.from_groups("u", ["opd-pupr", "opd-perkim"]).role == "anonymous"
    assert Principal.from_groups("u", ["opd-nosuch"]).role == "anonymous"
    assert Principal.from_groups("u", ["opd-pupr", "squad-orange"]).role == "squad"
    assert "opd-pupr" in STAFF_GROUPS  # made in Cognito by bootstrap and the template
