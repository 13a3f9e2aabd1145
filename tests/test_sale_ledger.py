"""The sale ledger's counts equal the per-customer definition of the sales figures."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sales_modes.core.sale_ledger import (
	Entry,
	grouped_cohorts,
	grouped_figures,
	link,
	period_cohorts,
	period_figures,
)

DAY0 = date(2024, 1, 1)
entries = st.lists(
	st.tuples(
		st.sampled_from(("Company A", "Company B")),
		st.sampled_from(("K", "L", "M", "W")),
		st.sampled_from(("B2B", "B2C", None)),
		st.integers(0, 60),
		st.booleans(),
		st.integers(-500, 500),
	),
	max_size=40,
).map(
	lambda rows: [
		Entry(
			f"INV-{i:03}", company, customer, mode, DAY0 + timedelta(days), is_return and amount < 0, amount
		)
		for i, (company, customer, mode, days, is_return, amount) in enumerate(rows)
	]
)


def rounded(figures):
	return {mode: {k: round(v, 6) for k, v in f.items()} for mode, f in figures.items()}


@settings(max_examples=400, deadline=None)
@given(entries, st.integers(0, 60), st.integers(0, 30), st.sampled_from(((), ("W",))))
def test_counts_over_the_period_equal_the_grouped_definition(sales, offset, length, walk_ins):
	start = DAY0 + timedelta(offset)
	end = start + timedelta(length)
	linked = link(sales)
	assert rounded(period_figures(linked, "Company A", start, end, walk_ins)) == rounded(
		grouped_figures(sales, "Company A", start, end, walk_ins)
	)


@settings(max_examples=400, deadline=None)
@given(entries, st.integers(0, 60), st.integers(0, 45), st.integers(0, 3), st.sampled_from(((), ("W",))))
def test_cohorts_from_the_period_equal_the_grouped_definition(sales, offset, length, horizon, walk_ins):
	# Three days for one: the history spans six months, for cohorts and offsets of several months
	sales = [replace(e, day=DAY0 + (e.day - DAY0) * 3) for e in sales]
	start = DAY0 + timedelta(offset * 2)
	end = start + timedelta(length * 2)
	assert period_cohorts(link(sales), "Company A", start, end, horizon, walk_ins) == grouped_cohorts(
		sales, "Company A", start, end, horizon, walk_ins
	)


def test_a_worked_example():
	d = lambda n: DAY0 + timedelta(n)  # noqa: E731
	sales = [
		Entry("1", "A", "K", "B2B", d(1), amount=100),  # before the period: K is not new
		Entry("2", "A", "K", "B2B", d(10), amount=200),
		Entry("3", "A", "K", "B2B", d(12), amount=50),
		Entry("4", "A", "K", "B2B", d(13), is_return=True, amount=-50),
		Entry("5", "A", "N", "B2C", d(11), amount=30),  # N's first ever: new, one sale
		Entry("6", "A", "K", "B2C", d(15), amount=10),  # K in B2C too: a customer there, not new
		Entry("7", "A", "N", "B2C", d(40), amount=30),  # after the period
	]
	figures = period_figures(link(sales), "A", d(5), d(20))
	assert figures["B2B"] == {
		"orders": 2, "net_revenue": 200, "customers": 1, "new_customers": 0,
		"repeat_customers": 1, "days_between": 2, "intervals": 1,
	}  # fmt: skip
	assert figures["B2C"] == {
		"orders": 2, "net_revenue": 40, "customers": 2, "new_customers": 1,
		"repeat_customers": 0, "days_between": 0, "intervals": 0,
	}  # fmt: skip
