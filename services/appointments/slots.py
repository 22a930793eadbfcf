"""Free-slot computation, pure (no database): an office's opening spans per day (weekly pattern,
exceptions, NRW public holidays) minus what is busy on each counter (appointments that hold
their slot, blocked periods). Times are aware datetimes in Europe/Berlin; the arithmetic runs on
epoch seconds, so a day across a DST change has the right length."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BERLIN = ZoneInfo("Europe/Berlin")


@lru_cache(maxsize=16)
def nrw_holidays(year: int) -> dict[date, str]:
    """Public holidays in North Rhine-Westphalia (state-wide ones included)."""
    return dict(holidays.Germany(subdiv="NW", years=year, language="de"))


def holiday_name(day: date) -> str:
    return nrw_holidays(day.year).get(day, "")


@dataclass(frozen=True)
class Exception_:
    day: date
    closed: bool
    opens: time | None = None
    closes: time | None = None


LONG = 86400  # busy entries longer than a day (long blocks) are checked on every day


def _seconds(moment: datetime | int) -> int:
    return moment if isinstance(moment, int) else int(moment.timestamp())


@dataclass
class Calendar:
    """What the computation needs of one office, loaded once for a range of days."""

    counters: int
    slot_minutes: int
    weekly: list[dict]
    exceptions: list[Exception_] = field(default_factory=list)
    # (counter or None for all counters, starts, ends): aware datetimes or epoch seconds
    busy: list[tuple[int | None, datetime | int, datetime | int]] = field(default_factory=list)
    _index: tuple[list[int], list[tuple], list[tuple]] | None = field(
        default=None, init=False, repr=False
    )

    def busy_between(self, lo: int, hi: int) -> list[tuple[int | None, int, int]]:
        """Busy entries overlapping [lo, hi) in epoch seconds (sorted once; a range of days
        costs one sort and a binary search per day)."""
        if self._index is None:
            entries = self.busy  # from the database: epoch seconds already
            if any(not isinstance(entry[1], int) for entry in entries):
                entries = [(c, _seconds(starts), _seconds(ends)) for c, starts, ends in entries]
            short = sorted((e for e in entries if e[2] - e[1] <= LONG), key=lambda e: e[1])
            long = [e for e in entries if e[2] - e[1] > LONG]
            self._index = ([e[1] for e in short], short, long)
        starts, short, long = self._index
        first = bisect_left(starts, lo - LONG)
        last = bisect_left(starts, hi)
        found = [e for e in short[first:last] if e[2] > lo]
        found.extend(e for e in long if e[1] < hi and e[2] > lo)
        return found


def _at(day: date, moment: time) -> int:
    return int(datetime.combine(day, moment, tzinfo=BERLIN).timestamp())


def day_spans(calendar: Calendar, day: date) -> list[tuple[int, int]]:
    """Opening spans of `day` as (start, end) epoch seconds."""
    closed = any(e.day == day and e.closed for e in calendar.exceptions)
    extra = [e for e in calendar.exceptions if e.day == day and not e.closed]
    spans: list[tuple[int, int]] = []
    if not closed and not holiday_name(day):
        for entry in calendar.weekly:
            if int(entry["weekday"]) == day.weekday():
                spans.append(
                    (
                        _at(day, time.fromisoformat(entry["opens"])),
                        _at(day, time.fromisoformat(entry["closes"])),
                    )
                )
    for entry in extra:  # an extra opening counts even on a holiday or a closed weekday
        spans.append((_at(day, entry.opens), _at(day, entry.closes)))
    return sorted(spans)


class _Busy:
    """Busy intervals of each counter on one day, sorted by start."""

    def __init__(self, calendar: Calendar, lo: int, hi: int) -> None:
        self.per_counter: list[list[tuple[int, int]]] = [[] for _ in range(calendar.counters)]
        for counter, s, e in calendar.busy_between(lo, hi):
            targets = range(calendar.counters) if counter is None else [counter - 1]
            for index in targets:
                if 0 <= index < calendar.counters:
                    self.per_counter[index].append((s, e))
        for intervals in self.per_counter:
            intervals.sort()

    def free_counters(self, s: int, e: int) -> list[int]:
        free = []
        for index, intervals in enumerate(self.per_counter):
            if not any(bs < e and be > s for bs, be in intervals):
                free.append(index + 1)
        return free


def _free_gaps(intervals: list[tuple[int, int]], opens: int, closes: int) -> list[tuple[int, int]]:
    """The free stretches of one counter within [opens, closes) (intervals sorted by start)."""
    gaps, cursor = [], opens
    for bs, be in intervals:
        if be <= cursor:
            continue
        if bs >= closes:
            break
        if bs > cursor:
            gaps.append((cursor, bs))
        cursor = max(cursor, be)
    if cursor < closes:
        gaps.append((cursor, closes))
    return gaps


def free_starts(
    calendar: Calendar, day: date, minutes: int, *, earliest: datetime, first_only: bool = False
) -> list[datetime]:
    """Start times on `day` at which an appointment of `minutes` fits on some counter: per
    counter the free stretches, and in each the grid starts that fit (no scan per start)."""
    spans = day_spans(calendar, day)
    if not spans or minutes <= 0:
        return []
    step, length = calendar.slot_minutes * 60, minutes * 60
    busy = _Busy(calendar, spans[0][0], spans[-1][1])
    limit = int(earliest.timestamp())
    starts: set[int] = set()
    for opens, closes in spans:
        for intervals in busy.per_counter:
            for gap_start, gap_end in _free_gaps(intervals, opens, closes):
                lowest = max(gap_start, limit)
                # the first grid point (counted from the span's opening) at or after `lowest`
                first = opens + -(-(lowest - opens) // step) * step
                if first_only:
                    if first + length <= gap_end:
                        starts.add(first)
                    continue
                starts.update(range(first, gap_end - length + 1, step))
        if first_only and starts:
            break  # spans are in order: the first span with a free start has the earliest
    if not starts:
        return []
    if first_only:
        return [datetime.fromtimestamp(min(starts), tz=BERLIN)]
    return [datetime.fromtimestamp(start, tz=BERLIN) for start in sorted(starts)]


def free_counters(calendar: Calendar, starts: datetime, minutes: int) -> list[int]:
    """Counters free for the whole appointment, if `starts` lies on the office's grid."""
    day = starts.astimezone(BERLIN).date()
    s = int(starts.timestamp())
    e = s + minutes * 60
    step = calendar.slot_minutes * 60
    for opens, closes in day_spans(calendar, day):
        if opens <= s and e <= closes and (s - opens) % step == 0:
            return _Busy(calendar, s, e).free_counters(s, e)
    return []


def days_between(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
