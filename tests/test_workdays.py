"""Working-day arithmetic with the official calendar (调休 included) and its Mon–Fri fallback."""

from __future__ import annotations

from datetime import date

import pytest

from govsite.audit.staleness import Cadence, parse_cadence
from govsite.audit.workdays import (
    DATE,
    DAY,
    WORKDAY,
    Limit,
    add_workdays,
    count_workdays,
    deadline,
    is_workday,
    parse_limit,
)


def test_calendar_knows_adjusted_working_weekends():
    assert is_workday(date(2025, 9, 28)) == (True, False)  # Sunday, worked for 国庆
    assert is_workday(date(2026, 2, 14)) == (True, False)  # Saturday before 春节
    assert is_workday(date(2026, 2, 28)) == (True, False)  # Saturday after 春节
    assert is_workday(date(2026, 2, 16)) == (False, False)  # Monday in the holiday


def test_national_day_2025():
    # Fri 09-26 -> Sun 09-28 is the next working day, then Mon 09-29.
    assert add_workdays(date(2025, 9, 26), 1).day == date(2025, 9, 28)
    assert count_workdays(date(2025, 9, 26), date(2025, 9, 29), 10).days == 2
    # 10-01..10-08 are holidays: one working day after 09-30 is Thu 10-09.
    assert add_workdays(date(2025, 9, 30), 1).day == date(2025, 10, 9)


def test_spring_festival_2026():
    assert add_workdays(date(2026, 2, 13), 1).day == date(2026, 2, 14)
    assert add_workdays(date(2026, 2, 14), 1).day == date(2026, 2, 24)
    # 02-14, 02-24..02-27 and Saturday 02-28.
    assert count_workdays(date(2026, 2, 13), date(2026, 2, 28), 99).days == 6
    assert add_workdays(date(2026, 2, 13), 20).fallback_years == ()


def test_count_stops_once_over_the_cap():
    count = count_workdays(date(2020, 1, 1), date(2026, 1, 1), 3)
    assert count.days == 4


def test_years_outside_the_calendar_fall_back_to_weekdays():
    assert is_workday(date(2031, 1, 4)) == (False, True)  # a Saturday
    deadline = add_workdays(date(2031, 1, 3), 1)
    assert (deadline.day, deadline.fallback_years) == (date(2031, 1, 6), (2031,))
    count = count_workdays(date(2031, 9, 30), date(2031, 10, 10), 20)
    assert (count.days, count.fallback_years) == (8, (2031,))


@pytest.mark.parametrize(("text", "limit"), [
    ("信息形成或者变更之日起20个工作日内", Limit(20, WORKDAY)),
    ("行政许可决定之日起7个工作日内", Limit(7, WORKDAY)),
    ("本级人大或其常委会批准后20日内", Limit(20, DAY)),
    ("财政部门批复后二十日内", Limit(20, DAY)),
    ("十五个工作日", Limit(15, WORKDAY)),
    ("３个工作日", Limit(3, WORKDAY)),
    ("30天内", Limit(30, DAY)),
    ("每年3月31日前", Limit(0, DATE, 3, 31)),
    ("次年3月31日前", Limit(0, DATE, 3, 31)),
    ("每年1月底前", Limit(0, DATE, 1, 31)),
    ("每年一月三十一日之前", Limit(0, DATE, 1, 31)),
    ("每月10日前", Limit(0, DATE, 0, 10)),
    ("每季度结束后15日内", Limit(15, DAY, period=3)),
    ("每月结束后5个工作日内", Limit(5, WORKDAY, period=1)),
    ("实时公开", None),
    ("及时公开", None),
    ("", None),
])
def test_parse_limit(text, limit):
    assert parse_limit(text) == limit


@pytest.mark.parametrize(("text", "cadence"), [
    ("2周", Cadence(days=14)),
    ("6个月", Cadence(months=6)),
    ("1年", Cadence(months=12)),
    ("每季度", Cadence(months=3)),
    ("半年", Cadence(months=6)),
    ("30天", Cadence(days=30)),
    ("经常", None),
])
def test_parse_cadence(text, cadence):
    assert parse_cadence(text) == cadence


def test_cadence_due_date_clamps_month_end():
    assert Cadence(months=1).due(date(2026, 1, 31)) == date(2026, 2, 28)
    assert Cadence(months=12).due(date(2024, 2, 29)) == date(2025, 2, 28)
    assert Cadence(days=14).due(date(2026, 11, 20)) == date(2026, 12, 4)


@pytest.mark.parametrize(("text", "dated", "due"), [
    # a calendar date is the first such date on or after the document's date, not "31 days"
    ("每年3月31日前", date(2026, 3, 10), date(2026, 3, 31)),
    ("每年3月31日前", date(2026, 1, 5), date(2026, 3, 31)),
    ("次年3月31日前", date(2026, 4, 2), date(2027, 3, 31)),
    ("每年1月底前", date(2026, 1, 20), date(2026, 1, 31)),
    ("每年2月底前", date(2028, 2, 1), date(2028, 2, 29)),
    ("每月10日前", date(2026, 5, 11), date(2026, 6, 10)),
    ("每月31日前", date(2026, 4, 3), date(2026, 4, 30)),
    # the days count from the end of the quarter: Q3 ends 09-30, Q4 12-31
    ("每季度结束后15日内", date(2026, 10, 5), date(2026, 10, 15)),
    ("每季度结束后15日内", date(2026, 9, 20), date(2026, 10, 15)),
    ("每季度结束后15日内", date(2026, 10, 20), date(2027, 1, 15)),
    ("每月结束后5个工作日内", date(2026, 9, 30), date(2026, 10, 13)),  # 国庆 holidays skipped
])
def test_calendar_deadlines(text, dated, due):
    assert deadline(dated, parse_limit(text)).day == due
