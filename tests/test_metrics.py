"""Metric helpers shared by the reports."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_modes.core import metrics


@pytest.mark.parametrize(
	"num, den, expected",
	[(1, 2, 0.5), (0, 5, 0.0), (3, 0, None), (3, None, None), (None, 4, None)],
)
def test_ratio_is_empty_on_zero_denominator(num, den, expected):
	assert metrics.ratio(num, den) == expected


def test_percent():
	assert metrics.percent(1, 4) == 25.0
	assert metrics.percent(1, 0) is None


@pytest.mark.parametrize(
	"values, q, expected",
	[
		([], 50, None),
		([7], 90, 7.0),
		([1, 2, 3, 4], 50, 2.5),
		([1, 2, 3, 4, 5], 50, 3.0),
		([10, 20, 30, 40], 75, 32.5),
		([1, 100], 90, 90.1),
		([5, 1, 3], 0, 1.0),
		([5, 1, 3], 100, 5.0),
	],
)
def test_percentile_interpolates_like_numpy(values, q, expected):
	result = metrics.percentile(values, q)
	if expected is None:
		assert result is None
	else:
		assert result == pytest.approx(expected)


def test_percentile_rejects_bad_q():
	with pytest.raises(ValueError):
		metrics.percentile([1], 101)


@given(st.lists(st.integers(0, 400), min_size=1, max_size=60), st.sampled_from([50, 75, 90]))
def test_histogram_percentile_equals_list_percentile(values, q):
	histogram = {}
	for v in values:
		histogram[v] = histogram.get(v, 0) + 1
	assert metrics.percentile_from_histogram(histogram, q) == pytest.approx(metrics.percentile(values, q))


def test_histogram_percentile_empty():
	assert metrics.percentile_from_histogram({}, 50) is None


@pytest.mark.parametrize(
	"days, label",
	[
		(0, "Same Day"),
		(1, "1-7 Days"),
		(7, "1-7 Days"),
		(8, "8-30 Days"),
		(30, "8-30 Days"),
		(31, "31-90 Days"),
		(90, "31-90 Days"),
		(91, "91-180 Days"),
		(180, "91-180 Days"),
		(181, "Over 180 Days"),
		(-3, "Same Day"),
	],
)
def test_cycle_buckets_edges(days, label):
	assert metrics.cycle_bucket(days) == label


def test_bucket_counts_keeps_every_bucket():
	counts = metrics.bucket_counts({0: 2, 5: 1, 200: 4})
	assert counts == {
		"Same Day": 2,
		"1-7 Days": 1,
		"8-30 Days": 0,
		"31-90 Days": 0,
		"91-180 Days": 0,
		"Over 180 Days": 4,
	}


def test_month_arithmetic():
	assert metrics.months_between(date(2025, 11, 5), date(2026, 2, 1)) == 3
	assert metrics.add_months(date(2025, 11, 1), 3) == date(2026, 2, 1)
	assert metrics.add_months(date(2025, 1, 1), -1) == date(2024, 12, 1)


def test_shape_cohorts():
	jan, feb = date(2026, 1, 1), date(2026, 2, 1)
	rows = [
		{"sales_mode": "B2C", "cohort": jan, "offset": 0, "customers": 10},
		{"sales_mode": "B2C", "cohort": jan, "offset": 1, "customers": 4},
		{"sales_mode": "B2C", "cohort": jan, "offset": 3, "customers": 2},
		{"sales_mode": "B2B", "cohort": feb, "offset": 0, "customers": 5},
	]
	shaped = metrics.shape_cohorts(rows, horizon=3)
	assert shaped[("B2C", jan)] == {"size": 10, "retention": [40.0, 0.0, 20.0]}
	assert shaped[("B2B", feb)] == {"size": 5, "retention": [0.0, 0.0, 0.0]}


def test_mask_future_blanks_months_not_yet_lived():
	assert metrics.mask_future([10.0, 5.0, 0.0], date(2026, 1, 1), date(2026, 3, 15)) == [10.0, 5.0, None]
