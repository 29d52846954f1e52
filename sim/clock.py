"""Simulated time: the clock of every run counts minutes from Monday 00:00 of the first week.

One place for the lengths every layer needs (a day, a week, a budget year and its months), so
that a rule, an entity and a reducer all mean the same year.
"""

from __future__ import annotations

HOUR = 60.0
DAY = 1440.0
WEEK = 7 * DAY
YEAR = 365.0 * DAY  # a budget year of 365 days (no leap days in the model's calendar)
MONTHS = 12
MONTH = YEAR / MONTHS
