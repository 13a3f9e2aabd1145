"""Metric math shared by the reports: ratios, median and percentiles, cycle buckets, cohorts.

Reports aggregate in SQL; what reaches these helpers is already small (one value per won deal
for percentiles, one row per cohort month for cohorts), never a raw transaction list.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

# Sales cycle buckets, in days from the opportunity's date to the day it was won
CYCLE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
	("Same Day", 0, 0),
	("1-7 Days", 1, 7),
	("8-30 Days", 8, 30),
	("31-90 Days", 31, 90),
	("91-180 Days", 91, 180),
	("Over 180 Days", 181, None),
)


def ratio(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
	"""numerator / denominator, or None (an empty cell) when the denominator is zero or unknown."""
	if not denominator or numerator is None:
		return None
	return numerator * scale / denominator


def percent(numerator: float | None, denominator: float | None) -> float | None:
	return ratio(numerator, denominator, 100.0)


def percentile(values: Iterable[float], q: float) -> float | None:
	"""The q-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
	if not 0 <= q <= 100:
		raise ValueError("q must be between 0 and 100")
	ordered = sorted(v for v in values if v is not None)
	if not ordered:
		return None
	rank = (len(ordered) - 1) * q / 100.0
	low, high = math.floor(rank), math.ceil(rank)
	if low == high:
		return float(ordered[low])
	return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Iterable[float]) -> float | None:
	return percentile(values, 50)


def cycle_bucket(days: float) -> str:
	"""The label of the cycle bucket a number of days falls in (days are whole, from dates)."""
	days = max(0, int(days))
	for label, low, high in CYCLE_BUCKETS:
		if days >= low and (high is None or days <= high):
			return label
	return CYCLE_BUCKETS[-1][0]


def bucket_counts(counts_by_days: Mapping[int, int]) -> dict[str, int]:
	"""Fold a {days: count} histogram (from SQL GROUP BY) into the cycle buckets."""
	out = {label: 0 for label, _low, _high in CYCLE_BUCKETS}
	for days, count in counts_by_days.items():
		out[cycle_bucket(days)] += count
	return out


def percentile_from_histogram(counts_by_value: Mapping[float, int], q: float) -> float | None:
	"""percentile() over a {value: count} histogram, without expanding it into a list."""
	items = sorted((v, c) for v, c in counts_by_value.items() if c and v is not None)
	total = sum(c for _v, c in items)
	if not total:
		return None
	rank = (total - 1) * q / 100.0

	def value_at(position: int) -> float:
		seen = 0
		for value, count in items:
			seen += count
			if position < seen:
				return float(value)
		return float(items[-1][0])

	low, high = math.floor(rank), math.ceil(rank)
	low_value, high_value = value_at(low), value_at(high)
	return low_value + (high_value - low_value) * (rank - low)


def month_start(d: date) -> date:
	return d.replace(day=1)


def months_between(start: date, end: date) -> int:
	"""Whole calendar months from start's month to end's month."""
	return (end.year - start.year) * 12 + end.month - start.month


def add_months(d: date, months: int) -> date:
	total = d.year * 12 + (d.month - 1) + months
	return date(total // 12, total % 12 + 1, 1)


def shape_cohorts(rows: Sequence[Mapping], horizon: int = 12) -> dict[tuple[str, date], dict[str, object]]:
	"""Cohort matrix from SQL rows.

	Each row is {sales_mode, cohort (first day of the first-purchase month), offset (months
	after it), customers (distinct customers of the cohort who bought in that month)}. Offset
	0 is the cohort itself. Returns {(mode, cohort): {"size": n, "retention": [share per month
	1..horizon, None where the month is still in the future]}}; the caller decides the future
	through `max_offset` rows it passes or not (months with no row read as 0).
	"""
	out: dict[tuple[str, date], dict[str, object]] = {}
	for row in rows:
		key = (row["sales_mode"], row["cohort"])
		entry = out.setdefault(key, {"size": 0, "buyers": [0] * (horizon + 1)})
		offset = int(row["offset"])
		if 0 <= offset <= horizon:
			entry["buyers"][offset] += int(row["customers"])  # type: ignore[index]
	for entry in out.values():
		buyers = entry.pop("buyers")
		entry["size"] = buyers[0]  # type: ignore[index]
		entry["retention"] = [percent(b, buyers[0]) for b in buyers[1:]]  # type: ignore[index]
	return out


def mask_future(retention: list[float | None], cohort: date, today: date) -> list[float | None]:
	"""Blank out the months after a cohort that have not happened yet (not 0: unknown)."""
	elapsed = months_between(cohort, today)
	return [value if i + 1 <= elapsed else None for i, value in enumerate(retention)]
