"""Official working days (chinese_calendar, with 调休) and the time limits written in catalogues.

chinese_calendar only knows the years the State Council has announced; outside them we count
Monday to Friday and tell the caller, so the audit can warn instead of crashing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar

WORKDAY = "workday"
DAY = "day"
DATE = "date"  # a calendar date: 每年3月31日前

_NUMBER = r"([0-9０-９]+|[一二两三四五六七八九十]+)"
_LIMIT = re.compile(_NUMBER + r"\s*个?\s*(工作日|自然日|日|天)")
# 每年3月31日前, 次年3月31日前, 每年1月底前, 每月10日前: a date, not a count of days
_DATE = re.compile(r"(每年|次年|当年|年度|每月)?\s*(?:" + _NUMBER + r"\s*月\s*)?(底|末|"
                   + _NUMBER + r"\s*[日号])\s*(?:前|之前|以前)")
# 每季度结束后15日内, 每月结束后5个工作日内: a count of days from the end of a period
_PERIOD = re.compile(r"(季度|季|半年|月|年度|年)(?:结束|终了|末)后\s*" + _NUMBER
                     + r"\s*个?\s*(工作日|自然日|日|天)")
_PERIOD_MONTHS = {"季度": 3, "季": 3, "半年": 6, "月": 1, "年度": 12, "年": 12}
_CN_DIGITS = {digit: n for n, digit in enumerate("一二三四五六七八九", 1)} | {"两": 2}


@dataclass(frozen=True)
class Limit:
    """A count of days (from the document's date, or from the end of a period when `period`
    is set), or with unit DATE a calendar date: the first `month`/`day` on or after the date."""

    days: int
    unit: str  # WORKDAY, DAY or DATE
    month: int = 0  # DATE: the month of a yearly date; 0 every month
    day: int = 0  # DATE: the day of the month; 31 is the month's last day
    period: int = 0  # months in the period whose end the days count from (3: 每季度)


@dataclass(frozen=True)
class Count:
    days: int
    fallback_years: tuple[int, ...] = ()  # years counted Mon–Fri: the calendar lacks them


@dataclass(frozen=True)
class Deadline:
    day: date
    fallback_years: tuple[int, ...] = ()  # years counted Mon–Fri: the calendar lacks them


@cache  # a site's documents share their days: each is looked up in the calendar once
def is_workday(day: date) -> tuple[bool, bool]:
    """(is a working day, whether the Mon–Fri fallback was used). As chinese_calendar.is_workday
    decides, from its public tables: that function finds the years it knows on every call."""
    first, last = _calendar_years()
    if not first <= day.year <= last:
        return day.weekday() < 5, True
    working = day in chinese_calendar.workdays or (day.weekday() < 5 and day not in chinese_calendar.holidays)
    return working, False


@cache
def _calendar_years() -> tuple[int, int]:
    return min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year


def add_workdays(start: date, count: int) -> Deadline:
    """The count-th working day after start (start itself is day 0, as 之日起 counts)."""
    day, left, fallback = start, count, set()
    while left > 0:
        day += timedelta(days=1)
        working, guessed = is_workday(day)
        if guessed:
            fallback.add(day.year)
        left -= working
    return Deadline(day, tuple(sorted(fallback)))


def count_workdays(start: date, end: date, cap: int) -> Count:
    """Working days in (start, end], counting no further than cap + 1 (enough to say "late")."""
    day, days, fallback = start, 0, set()
    while day < end and days <= cap:
        day += timedelta(days=1)
        working, guessed = is_workday(day)
        if guessed:
            fallback.add(day.year)
        days += working
    return Count(days, tuple(sorted(fallback)))


def deadline(start: date, limit: Limit) -> Deadline:
    """The last day to publish a document dated `start`. A calendar date or a period's end is
    the first one on or after `start`, so a document is never late merely for its date."""
    if limit.unit == DATE:
        return Deadline(_next_date(start, limit.month, limit.day))
    if limit.period:
        end = _period_end(start, limit.period, -1)
        while True:
            due = deadline(end, Limit(limit.days, limit.unit))
            if due.day >= start:
                return due
            end = _period_end(end + timedelta(days=1), limit.period, 0)
    if limit.unit == WORKDAY:
        return add_workdays(start, limit.days)
    return Deadline(start + timedelta(days=limit.days))


def is_calendar(limit: Limit) -> bool:
    """Whether the limit is a date (or counts from a period's end) rather than from the document."""
    return limit.unit == DATE or bool(limit.period)


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _on(year: int, month: int, day: int) -> date:
    return min(date(year, month, 1) + timedelta(days=day - 1), _month_end(year, month))


def _next_date(start: date, month: int, day: int) -> date:
    if month:
        due = _on(start.year, month, day)
        return due if due >= start else _on(start.year + 1, month, day)
    due = _on(start.year, start.month, day)
    if due >= start:
        return due
    return _on(start.year + start.month // 12, start.month % 12 + 1, day)


def _period_end(day: date, months: int, shift: int) -> date:
    """The end of the period holding `day` (shift 0) or of the one before it (shift -1)."""
    index = (day.year * 12 + day.month - 1) // months + shift
    last = index * months + months - 1  # month number counted from year 0, 0-based
    return _month_end(last // 12, last % 12 + 1)


def parse_limit(text: str) -> Limit | None:
    """'信息形成之日起20个工作日内' -> Limit(20, WORKDAY); '批准后20日内' -> Limit(20, DAY);
    '每年3月31日前' -> Limit(0, DATE, 3, 31); '每季度结束后15日内' -> Limit(15, DAY, period=3)."""
    text = text or ""
    match = _PERIOD.search(text)
    if match:
        days = _number(match.group(2))
        unit = WORKDAY if match.group(3) == "工作日" else DAY
        return None if days is None else Limit(days, unit, period=_PERIOD_MONTHS[match.group(1)])
    match = _DATE.search(text)
    if match and (match.group(2) or match.group(1) == "每月"):
        month = _number(match.group(2)) if match.group(2) else 0
        day = 31 if match.group(3) in ("底", "末") else _number(match.group(4))
        if month is not None and day and month <= 12 and day <= 31:
            return Limit(0, DATE, month, day)
        return None
    match = _LIMIT.search(text)
    if not match:
        return None
    days = _number(match.group(1))
    if days is None:
        return None
    return Limit(days, WORKDAY if match.group(2) == "工作日" else DAY)


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)  # also full-width digits
    if "十" not in text:
        return _CN_DIGITS.get(text)
    tens, _, ones = text.partition("十")
    if any(part and part not in _CN_DIGITS for part in (tens, ones)):
        return None
    return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)
