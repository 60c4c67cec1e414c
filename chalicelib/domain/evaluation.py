"""The six-month evaluation, pure: a period's figures month by month, from the same
day summaries ``GET /stats`` merges (so its figures are those of ``GET /stats`` for
the same month), compared with the period before, and the members persistently far
behind their squad. No storage, no clock.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.domain.stats import Summary, window_days

FEW_REPORTS = 30  # below this a change says "few reports": not a finding by itself
FLAG_SHARE = 0.5  # a member's on-time share under half the squad's…
FLAG_MONTHS = 3  # …for this many months running
FLAG_RULE = (
    "Ditandai bila bagian tepat waktu (respons pertama dalam SLA) di bawah separuh "
    f"regunya selama {FLAG_MONTHS} bulan berturut-turut. Tanda ini bahan pertimbangan, "
    "bukan putusan."
)


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _shift(month: str, by: int) -> str:
    n = int(month[:4]) * 12 + int(month[5:7]) - 1 + by
    return _month(n // 12, n % 12 + 1)


def months_between(first: str, last: str) -> list[str]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = _shift(m, 1)
    return out


def default_period(today: date) -> tuple[str, str]:
    """The last six months, this one included."""
    last = _month(today.year, today.month)
    return _shift(last, -5), last


def previous(first: str, last: str) -> tuple[str, str]:
    """The period of the same length just before."""
    n = len(months_between(first, last))
    return _shift(first, -n), _shift(first, -1)


def merged(summaries: dict[str, Summary], days: list[str]) -> Summary:
    out = Summary()
    for day in days:
        if day in summaries:
            out.merge(summaries[day])
    return out


def _days(months: list[str]) -> list[str]:
    return [d for m in months for d in window_days(m, date(2000, 1, 1))]


def _hours(minutes: float | None, per: float = 60) -> float | None:
    return None if minutes is None else round(minutes / per, 1)


def _row(month: str, s: Summary) -> dict[str, Any]:
    f = s.figures()
    response, resolution = f["time_to_first_response"], f["time_to_resolution"]
    return {
        "month": month,
        "received": f["received"],
        "resolved": f["resolved"],
        "response_median_hours": _hours(response["median_minutes"]),
        "response_p90_hours": _hours(response["p90_minutes"]),
        "resolution_median_days": _hours(resolution["median_minutes"], 60 * 24),
        "resolution_p90_days": _hours(resolution["p90_minutes"], 60 * 24),
        "on_time_share": response["within_sla_share"],
        "resolved_in_sla_share": resolution["within_sla_share"],
        "reopen_rate": f["reopen_rate"],
        "disputes": f["reopened"],
        "rating_average": f["rating_average"],
        "rated": f["rated"],
        "shadow_checks": f["shadow_checks"],
        "shadow_not_fixed": s.counts.get("check_not_fixed", 0),
    }


def _change(now: float | None, before: float | None, basis: int) -> dict[str, Any]:
    if now is None or before is None:
        trend = None
    else:
        trend = "naik" if now > before else "turun" if now < before else "tetap"
    return {"now": now, "before": before, "trend": trend, "few_reports": basis < FEW_REPORTS}


def flags(monthly: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per member (``member#<squad>#<id>``, beside its ``squad#<squad>`` rows): the
    months behind, i.e. with an on-time share under ``FLAG_SHARE`` of the squad's, and
    the longest run of them; flagged at ``FLAG_MONTHS``."""
    out = {}
    for member, rows in monthly.items():
        if not member.startswith("member#"):
            continue
        squad_rows = {r["month"]: r for r in monthly.get(f"squad#{member.split('#')[1]}", [])}
        run, longest, months = 0, 0, []
        for r in rows:
            squad_share = squad_rows.get(r["month"], {}).get("on_time_share")
            behind = (
                r["on_time_share"] is not None
                and squad_share
                and r["on_time_share"] < FLAG_SHARE * squad_share
            )
            run = run + 1 if behind else 0
            if behind:
                months.append(r["month"])
            longest = max(longest, run)
        out[member] = {"behind_months": months, "longest_run": longest}
    return out


def report(by_dim: dict[str, dict[str, Summary]], first: str, last: str) -> dict[str, Any]:
    """The evaluation of [first, last] (``YYYY-MM``) against the period before."""
    months = months_between(first, last)
    before = months_between(*previous(first, last))
    days, days_before = _days(months), _days(before)
    period = {dim: merged(s, days) for dim, s in by_dim.items()}
    earlier = {dim: merged(s, days_before) for dim, s in by_dim.items()}
    monthly_dims = [d for d in by_dim if d == "all" or d.startswith(("squad#", "member#"))]
    monthly = {
        dim: [_row(m, merged(by_dim[dim], window_days(m, date(2000, 1, 1)))) for m in months]
        for dim in monthly_dims
    }
    members = [d for d in by_dim if d.startswith("member#")]
    behind = flags(monthly)
    people = []
    for dim in sorted(members):
        row = _row(first, period[dim])
        _, squad, member = dim.split("#", 2)
        mark = behind[dim]
        people.append(
            {
                "squad": squad,
                "member": member,
                "accepted": period[dim].counts.get("accepted", 0),
                "resolved": row["resolved"],
                "on_time_share": row["on_time_share"],
                "rating_average": row["rating_average"],
                "checks_not_fixed": row["shadow_not_fixed"],
                "behind_months": mark["behind_months"],
                "flagged": mark["longest_run"] >= FLAG_MONTHS,
            }
        )
    now_all, before_all = (
        _row(first, period.get("all", Summary())),
        _row(before[0], earlier.get("all", Summary())),
    )
    basis = min(now_all["received"], before_all["received"])
    compare = {
        key: _change(now_all[key], before_all[key], basis)
        for key in (
            "received", "resolved", "response_median_hours", "resolution_median_days",
            "on_time_share", "reopen_rate", "rating_average",
        )
    }  # fmt: skip
    return {
        "period": [first, last],
        "previous": [before[0], before[-1]],
        "months": months,
        "rules": {"flag": FLAG_RULE, "few_reports": FEW_REPORTS},
        "use": {
            "by_month": [
                {"month": r["month"], "received": r["received"]} for r in monthly.get("all", [])
            ],
            "by_district": {
                d[len("district#") :]: period[d].counts.get("received", 0)
                for d in sorted(period)
                if d.startswith("district#")
            },
        },
        "response": {
            d: rows for d, rows in monthly.items() if d == "all" or d.startswith("squad#")
        },
        "oversight": {
            d: {"checks": r["shadow_checks"], "not_fixed": r["shadow_not_fixed"]}
            for d in sorted(period)
            if d.startswith(("squad#", "member#"))
            and (r := _row(first, period[d]))["shadow_checks"]
        },
        "people": people,
        # the oversight section's heading travels with the signed-in answer: no script
        # served before sign-in names the re-checks or who makes them
        "words": {"oversight": "Pengawasan: cek ulang tim bayangan"},
        "compare": compare,
        # the period's figures per dimension, as GET /stats gives a window's
        "figures": {d: s.figures() for d, s in period.items()},
        "monthly_figures": {
            m: {
                d: merged(by_dim[d], window_days(m, date(2000, 1, 1))).figures()
                for d in ("all", "public")
                if d in by_dim
            }
            for m in months
        },
    }
