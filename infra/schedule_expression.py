"""EventBridge Scheduler expressions: validated, and the longest gap between two runs (for the
heartbeat alarm, which must cover two schedule periods and can look back at most 7 days)."""

from __future__ import annotations

import re
from typing import Any

#: A CloudWatch alarm looks back at most 7 days; the heartbeat must cover two schedule periods.
MAX_HEARTBEAT_SECONDS = 7 * 86400
#: The scheduler may start a run this long after its time, to spread its load.
FLEXIBLE_WINDOW_SECONDS = 15 * 60
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,#\-]+$")
_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def _weekday_numbers(field: str) -> set[int]:
    days: set[int] = set()
    for part in field.upper().split(","):
        bounds = [_DAY_NAMES.get(end, int(end) if end.isdigit() else 0) for end in part.split("-")]
        if not all(1 <= day <= 7 for day in bounds) or len(bounds) > 2:
            raise ValueError(f"day-of-week {field!r} is not supported; use names like MON-FRI or numbers 1-7")
        days.update(range(bounds[0], bounds[-1] + 1))
    return days


def schedule_period_seconds(expression: str) -> int:
    """The longest gap between two runs of an EventBridge Scheduler rate() or cron() expression."""
    if rate := _RATE.match(expression):
        count, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        if count < 1:
            raise ValueError("a rate must be at least 1")
        return count * _UNIT_SECONDS[unit]
    cron = _CRON.match(expression)
    if not cron:
        raise ValueError("must be rate(N unit) or cron(minutes hours day-of-month month day-of-week year)")
    fields = cron.group(1).split()
    if len(fields) != 6 or not all(_CRON_FIELD.match(field) for field in fields):
        raise ValueError(
            "a cron expression needs 6 fields: minutes hours day-of-month month day-of-week year"
        )
    _minutes, hours, day_of_month, month, day_of_week, _year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ValueError("exactly one of day-of-month and day-of-week must be '?'")
    if month != "*":
        raise ValueError("a janitor that skips months cannot keep up; use '*' for the month")
    if hours == "*" or "/" in hours:
        return 3600 * (int(hours.split("/")[1]) if "/" in hours else 1)
    if day_of_week not in {"?", "*"}:
        days = sorted(_weekday_numbers(day_of_week))
        gaps = [(later - earlier) % 7 or 7 for earlier, later in zip(days, [*days[1:], days[0]], strict=True)]
        return max(gaps) * 86400
    if day_of_month in {"*", "?"}:
        return 86400
    if "/" in day_of_month:
        return int(day_of_month.split("/")[1]) * 86400
    raise ValueError("runs on fixed days of the month; the janitor must run at least twice a week")


def as_schedule(value: Any) -> tuple[str, int]:
    expression = str(value).strip()
    period = schedule_period_seconds(expression)
    if 2 * period > MAX_HEARTBEAT_SECONDS:
        raise ValueError(
            "runs less often than every 3.5 days; the heartbeat alarm (no run for two schedule "
            "periods) can look back at most 7 days"
        )
    return expression, period
