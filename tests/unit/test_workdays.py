"""Working-day targets against a calendar read by hand (Indonesia, 2026): weekends,
public holidays and cuti bersama skipped, due by 16.00 WIB of the last day."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import workdays
from chalicelib.domain.sms_text import WIB
from chalicelib.routing import load_catalogue


def wib(y, m, d, h=10, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=WIB)


@pytest.mark.parametrize(("filed", "days", "due"), [
    (wib(2026, 12, 1), 3, wib(2026, 12, 4, 16)),  # Tue -> Fri
    (wib(2026, 12, 4, 23, 30), 1, wib(2026, 12, 7, 16)),  # Fri night -> Mon
    (wib(2026, 12, 5), 1, wib(2026, 12, 7, 16)),  # Saturday counts from Monday
    (wib(2026, 12, 23), 3, wib(2026, 12, 30, 16)),  # 24 cuti bersama, 25 Natal, weekend
    (wib(2026, 3, 18), 3, wib(2026, 3, 27, 16)),  # Nyepi, Idul Fitri and its cuti bersama
    (wib(2026, 8, 14), 1, wib(2026, 8, 18, 16)),  # 17 Agustus is a Monday holiday
])  # fmt: skip
def test_the_nth_working_day_after(filed, days, due):
    assert workdays.working_days_after(filed, days) == due


def test_the_day_it_arrives_never_counts_whatever_the_hour():
    early = wib(2026, 12, 1, 7, 0)
    assert workdays.working_days_after(early, 1) == wib(2026, 12, 2, 16)


def test_an_id_card_report_is_due_in_working_days_and_a_flood_on_the_clock():
    catalogue = load_catalogue()
    ktp, flood = catalogue.label("ktp_kk_akta"), catalogue.label("banjir")
    filed = wib(2026, 12, 23, 9)
    assert workdays.respond_by(ktp, filed) == wib(2026, 12, 30, 16)
    assert workdays.resolve_by(ktp, filed) == workdays.working_days_after(filed, 14)
    assert workdays.respond_by(flood, filed) == filed + timedelta(hours=6)
    assert workdays.resolve_by(flood, filed) == filed + timedelta(hours=6)
    assert workdays.target_words(ktp, "id") == "3 hari kerja"
    assert workdays.target_words(flood, "en") == "6 h"


def test_a_late_response_on_working_days_is_late_in_the_statistics():
    from chalicelib.domain import stats
    from chalicelib.domain.models import Report, TimelineEntry

    filed = datetime(2026, 12, 23, 2, tzinfo=UTC)  # 09.00 WIB, before Christmas
    report = Report(
        id="r" * 20, code="TRG-KTP001", label="ktp_kk_akta", squad="red", covert=False,
        status="accepted", lat=-8.05, lon=111.7, geohash="qqx", created_at=filed,
        updated_at=filed, sla_due_at=workdays.respond_by(load_catalogue().label("ktp_kk_akta"),
        filed), token_hash="t", request_hash="r",
    )  # fmt: skip

    def timeline(answer_at):
        return [
            TimelineEntry(key="EVENT#a#0000", at=filed, to_status="submitted",
                          actor_role="citizen"),
            TimelineEntry(key="EVENT#b#0001", at=answer_at, to_status="accepted", action="claim",
                          actor_role="squad", actor_id="red-ani"),
        ]  # fmt: skip

    def on_time(answer_at):
        (claim,) = [c for c in stats.contributions(report, timeline(answer_at), load_catalogue())
                    if c.kind == "accepted"]  # fmt: skip
        return claim.within_sla

    # six calendar days later, but the third working day: on time
    assert on_time(wib(2026, 12, 30, 15, 59))
    assert not on_time(wib(2026, 12, 31, 8))
