"""The six-month evaluation's judgements on hand-made day summaries (issue #38)."""

from datetime import date

from chalicelib.domain import evaluation
from chalicelib.domain.stats import Summary


def answered(on_time: int, late: int, received: int | None = None) -> Summary:
    s = Summary()
    for i in range(on_time + late):
        s.response.add(600.0, within_sla=i < on_time)
    s.counts["accepted"] = on_time + late
    s.counts["received"] = received if received is not None else on_time + late
    return s


def history(member_shares: dict[str, list[int]]) -> dict[str, dict[str, Summary]]:
    """Per month (Jan…Jun 2026, one day each): the squad answers 8 of 10 on time; each
    member answers the given number of 10 on time."""
    months = [f"2026-{m:02d}" for m in range(1, 7)]
    by_dim: dict[str, dict[str, Summary]] = {"squad#orange": {}, "all": {}}
    for i, month in enumerate(months):
        day = f"{month}-10"
        by_dim["squad#orange"][day] = answered(8, 2)
        by_dim["all"][day] = answered(8, 2)
        for member, shares in member_shares.items():
            by_dim.setdefault(f"member#orange#{member}", {})[day] = answered(
                shares[i], 10 - shares[i]
            )
    return by_dim


def test_a_member_behind_half_the_squad_three_months_running_is_flagged():
    by_dim = history({
        "lambat": [8, 3, 3, 3, 8, 8],  # 0.3 < half of 0.8, three months running
        "sesekali": [3, 3, 8, 3, 3, 8],  # behind four months, never three running
        "baik": [8, 8, 8, 8, 8, 8],
    })  # fmt: skip
    report = evaluation.report(by_dim, "2026-01", "2026-06")
    people = {p["member"]: p for p in report["people"]}
    assert people["lambat"]["flagged"] is True
    assert people["lambat"]["behind_months"] == ["2026-02", "2026-03", "2026-04"]
    assert people["sesekali"]["flagged"] is False
    assert people["baik"]["flagged"] is False and people["baik"]["behind_months"] == []
    assert "separuh" in report["rules"]["flag"] and "3 bulan" in report["rules"]["flag"]


def test_the_default_period_is_six_months_against_the_six_before():
    assert evaluation.default_period(date(2026, 12, 8)) == ("2026-07", "2026-12")
    assert evaluation.previous("2026-07", "2026-12") == ("2026-01", "2026-06")
    assert evaluation.previous("2026-01", "2026-03") == ("2025-10", "2025-12")


def test_a_comparison_on_few_reports_says_so():
    by_dim = {"all": {"2026-02-01": answered(2, 3), "2026-08-01": answered(5, 0)}}
    report = evaluation.report(by_dim, "2026-07", "2026-12")
    share = report["compare"]["on_time_share"]
    assert (share["before"], share["now"], share["trend"]) == (0.4, 1.0, "naik")
    assert share["few_reports"] is True
    many = {"all": {"2026-02-01": answered(40, 0), "2026-08-01": answered(40, 0)}}
    steady = evaluation.report(many, "2026-07", "2026-12")["compare"]["on_time_share"]
    assert (steady["trend"], steady["few_reports"]) == ("tetap", False)
