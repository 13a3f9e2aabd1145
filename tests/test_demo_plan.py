"""The demo plan, without a site: deterministic for a seed, and the two modes differ as in life."""

import statistics
from collections import Counter
from datetime import date, timedelta

import pytest

from sales_modes.demo import plan as demo_plan
from sales_modes.demo.plan import B2B, B2B_STAGES, B2C, Plan, counts_for_scale, cycle_days

TODAY = date(2026, 6, 30)


@pytest.fixture(scope="module")
def plan():
	return Plan(seed=11, scale=4, today=TODAY)


@pytest.fixture(scope="module")
def opportunities(plan):
	return [plan.opportunity(i) for i in range(plan.counts.opportunities)]


@pytest.fixture(scope="module")
def invoices(plan):
	return [inv for k in range(plan.counts.customers) for inv in plan.invoices_for_customer(k)]


def test_counts_per_scale():
	assert counts_for_scale(1) == demo_plan.REAL_FLOW_COUNTS
	unit = counts_for_scale(1000)
	assert (unit.customers, unit.opportunities, unit.leads) == (200_000, 100_000, 150_000)
	small = counts_for_scale(0.5)
	assert small.customers < demo_plan.REAL_FLOW_COUNTS.customers
	assert all(v >= 1 for v in (small.b2b_customers, small.b2c_walkins, small.b2b_opportunities))


def test_same_seed_same_data_in_any_order():
	a, b = Plan(seed=5, scale=2, today=TODAY), Plan(seed=5, scale=2, today=TODAY)
	forward = [a.opportunity(i) for i in range(50)]
	backward = [b.opportunity(i) for i in reversed(range(50))][::-1]
	assert forward == backward
	assert a.invoices_for_customer(7) == b.invoices_for_customer(7)
	other = Plan(seed=6, scale=2, today=TODAY)
	assert [other.opportunity(i) for i in range(50)] != forward


def test_everything_in_the_past_and_within_the_window(plan, opportunities, invoices):
	start = plan.start
	for opp in opportunities:
		times = [s.at for s in opp.steps]
		assert times == sorted(times)
		assert start <= opp.created <= plan.now
		assert opp.created >= plan.customer(opp.customer).created  # a deal comes after its customer
		if opp.closed:
			assert times[-1] <= opp.closed <= plan.now
	assert all(start.date() <= inv.posting_date < TODAY for inv in invoices)
	# Filled over the last 12 months, so the default report filters show data
	recent = [inv for inv in invoices if inv.posting_date >= TODAY - timedelta(days=365)]
	assert len(recent) > len(invoices) / 2


def test_b2b_walks_every_stage_b2c_may_skip(opportunities):
	for opp in opportunities:
		stages = [s.stage for s in opp.steps]
		if opp.mode == B2B:
			assert stages == list(B2B_STAGES[: len(stages)])
			if opp.outcome == "Won":
				assert stages == list(B2B_STAGES)
		else:
			assert stages[0] == "Prospecting"
	skipped = [o for o in opportunities if o.mode == B2C and len(o.steps) == 2 and o.outcome == "Won"]
	assert skipped
	overridden = [s for o in opportunities for s in o.steps if s.overridden]
	assert overridden and all(s.stage in demo_plan.OVERRIDABLE_STAGES for s in overridden)


def test_modes_differ_as_in_life(opportunities, invoices):
	def won(mode):
		return [o for o in opportunities if o.mode == mode and o.outcome == "Won"]

	b2b_deal = statistics.median(o.amount for o in won(B2B))
	b2c_deal = statistics.median(o.amount for o in won(B2C))
	assert b2b_deal > 100 * b2c_deal
	b2b_days = statistics.median(cycle_days(o) for o in won(B2B))
	b2c_days = statistics.median(cycle_days(o) for o in won(B2C))
	assert b2b_days > 14 and b2c_days < 2
	assert max(cycle_days(o) for o in won(B2C)) <= 12.1
	lost_b2b = [o for o in opportunities if o.mode == B2B and o.outcome == "Lost"]
	assert all(o.lost_reason for o in lost_b2b) and any(o.competitor for o in lost_b2b)

	def repeat_rate(mode):
		per_customer = Counter(inv.customer for inv in invoices if inv.mode == mode)
		return sum(1 for n in per_customer.values() if n > 1) / len(per_customer)

	assert repeat_rate(B2C) > repeat_rate(B2B) + 0.2
	b2c = [inv for inv in invoices if inv.mode == B2C]
	assert len(b2c) > 10 * len([inv for inv in invoices if inv.mode == B2B])
	assert 0.15 < sum(inv.is_pos for inv in b2c) / len(b2c) < 0.45
	assert not any(inv.is_pos for inv in invoices if inv.mode == B2B)


def test_committees_and_leads(plan):
	for i in range(plan.counts.b2b_customers):
		committee = plan.customer(i).committee
		assert 2 <= len(committee) <= 6
		assert [m["role"] for m in committee].count("Economic Buyer") == 1
	for i in range(plan.counts.b2b_customers, plan.counts.customers):
		assert plan.customer(i).committee == []
	b2b = [plan.lead(B2B, i) for i in range(plan.b2b_lead_count())]
	reasons = Counter(lead.disqualification_reason for lead in b2b if lead.outcome == "Disqualified")
	assert reasons and set(reasons) <= {r for r, _w in demo_plan.B2B_DISQUALIFICATION}
	assert all(lead.company_name for lead in b2b)
	assert all(plan.lead(B2C, i).company_name is None for i in range(plan.b2c_lead_count()))


def test_deal_invoices_add_up(plan, opportunities):
	won = {o.index: o for o in opportunities if o.outcome == "Won"}
	billed = Counter()
	for k in range(plan.counts.customers):
		for inv in plan.invoices_for_customer(k):
			if inv.opportunity is not None:
				assert inv.customer == won[inv.opportunity].customer
				billed[inv.opportunity] += inv.amount
	for index, amount in billed.items():
		assert amount <= won[index].amount + 0.05
