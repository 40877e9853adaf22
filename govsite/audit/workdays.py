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

_LIMIT = re.compile(r"([0-9０-９]+|[一二两三四五六七八九十]+)\s*个?\s*(工作日|自然日|日|天)")
_CN_DIGITS = {digit: n for n, digit in enumerate("一二三四五六七八九", 1)} | {"两": 2}


@dataclass(frozen=True)
class Limit:
    days: int
    unit: str  # WORKDAY or DAY


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
    """(is a working day, whether the Mon–Fri fallback was used)."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


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
    if limit.unit == WORKDAY:
        return add_workdays(start, limit.days)
    return Deadline(start + timedelta(days=limit.days))


def parse_limit(text: str) -> Limit | None:
    """'信息形成之日起20个工作日内' -> Limit(20, WORKDAY); '批准后20日内' -> Limit(20, DAY)."""
    match = _LIMIT.search(text or "")
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
