"""Leads and deals: the one place the SQL of each lead and deal figure of docs/metrics.md lives.

Every report, number card and dashboard chart that shows a lead or deal figure asks this module
for it. Each function takes the report filters (after `reports.get_filters`), groups in SQL and
passes its query through `reports.apply_filters` (company, mode, territory, customer group, the
user's read permissions). What places a record in the period is the date of the event counted:

- leads: their creation;
- opportunities (and the stage funnel, a cohort of them): the opportunity date, transaction_date;
- wins and losses (won, lost, win rate, won value, cycle, buying committee, lost reasons): the
  close date, closed_on, whenever the deal was opened;
- open and stalled deals: now, with no period; Stalled Deals and the funnel may narrow them to
  the deals opened (transaction_date) in a period.

Nothing here writes: the reports may run on a read replica.
"""

import frappe
from frappe.query_builder import Case, DocType, Order
from frappe.query_builder.functions import Count, CustomFunction, Extract, IfNull, Max, Round, Sum
from pypika.enums import DatePart
from pypika.terms import ValueWrapper

from sales_modes.core.deal_states import CONVERTED, LOST, OPEN_STATUSES, STAGE_CHANGE
from sales_modes.core.metrics import percent
from sales_modes.reports import DateDiff, apply_filters
from sales_modes.stalled import stalled_deals_query

LEAD, OPPORTUNITY = "Lead", "Opportunity"
Greatest = CustomFunction("GREATEST", ["a", "b"])


# Periods -----------------------------------------------------------------------------------------


def closed_in_period(query, opportunity, filters):
	"""Deals whose close date falls in the period (a Date: both ends included)."""
	return query.where(opportunity.closed_on >= filters.from_date).where(
		opportunity.closed_on <= filters.to_date
	)


def opened_in_optional_period(query, opportunity, filters):
	"""Deals whose opportunity date falls in the period, for the figures whose period is optional:
	each end applies only when it is set."""
	if filters.get("from_date"):
		query = query.where(opportunity.transaction_date >= filters.from_date)
	if filters.get("to_date"):
		query = query.where(opportunity.transaction_date <= filters.to_date)
	return query


def won_closed_in_period(filters):
	"""The Opportunity table and a query of the wins closed in the period, filtered and permitted."""
	opportunity = DocType(OPPORTUNITY)
	query = frappe.qb.from_(opportunity).where(opportunity.status == CONVERTED)
	query = closed_in_period(query, opportunity, filters)
	return opportunity, apply_filters(query, opportunity, OPPORTUNITY, filters, period=False)


def by_month(rows) -> dict:
	"""{(mode, (year, month)): value} from (mode, year, month, value) rows."""
	return {(mode, (int(year), int(month))): value or 0 for mode, year, month, value in rows}


# Leads -------------------------------------------------------------------------------------------


def lead_counts(filters) -> list[dict]:
	"""Per mode: Leads, Qualified Leads and Disqualified Leads created in the period."""
	lead = DocType(LEAD)
	query = (
		frappe.qb.from_(lead)
		.select(
			lead.sales_mode,
			Count("*").as_("leads"),
			Sum(Case().when(lead.qualification_status == "Qualified", 1).else_(0)).as_("qualified_leads"),
			Sum(Case().when(lead.disqualified == 1, 1).else_(0)).as_("disqualified_leads"),
		)
		.groupby(lead.sales_mode)
	)
	return apply_filters(query, lead, LEAD, filters).run(as_dict=True)


def new_leads_by_month(filters) -> dict:
	"""New Leads (chart): {(mode, (year, month)): leads created that month}."""
	lead = DocType(LEAD)
	year, month = Extract(DatePart.year, lead.creation), Extract(DatePart.month, lead.creation)
	query = (
		frappe.qb.from_(lead)
		.select(lead.sales_mode, year, month, Count("*"))
		.groupby(lead.sales_mode, year, month)
	)
	return by_month(apply_filters(query, lead, LEAD, filters).run())


def disqualification_reasons(filters) -> list[tuple]:
	"""(mode, reason, leads) of the Disqualified Leads created in the period."""
	lead = DocType(LEAD)
	query = (
		frappe.qb.from_(lead)
		.select(lead.sales_mode, lead.disqualification_reason, Count("*"))
		.where(lead.disqualified == 1)
		.groupby(lead.sales_mode, lead.disqualification_reason)
	)
	return apply_filters(query, lead, LEAD, filters).run()


# Deals opened in the period ----------------------------------------------------------------------


def opportunity_counts(filters) -> list[dict]:
	"""Per mode: Opportunities whose opportunity date falls in the period."""
	opportunity = DocType(OPPORTUNITY)
	query = (
		frappe.qb.from_(opportunity)
		.select(opportunity.sales_mode, Count("*").as_("opportunities"))
		.groupby(opportunity.sales_mode)
	)
	return apply_filters(query, opportunity, OPPORTUNITY, filters).run(as_dict=True)


# Deals closed in the period ----------------------------------------------------------------------


def closed_deal_counts(filters) -> list[dict]:
	"""Per mode: Won, Lost and Won Value (company currency) of the deals closed in the period."""
	opportunity = DocType(OPPORTUNITY)
	won = opportunity.status == CONVERTED
	query = (
		frappe.qb.from_(opportunity)
		.select(
			opportunity.sales_mode,
			Sum(Case().when(won, 1).else_(0)).as_("won"),
			Sum(Case().when(opportunity.status == LOST, 1).else_(0)).as_("lost"),
			Sum(Case().when(won, opportunity.base_opportunity_amount).else_(0)).as_("won_amount"),
		)
		.where(opportunity.status.isin((CONVERTED, LOST)))
		.groupby(opportunity.sales_mode)
	)
	query = closed_in_period(query, opportunity, filters)
	return apply_filters(query, opportunity, OPPORTUNITY, filters, period=False).run(as_dict=True)


def win_rate(won: float | None, lost: float | None) -> float | None:
	"""Win Rate in percent: won / (won + lost), both by close date; None when nothing closed."""
	return percent(won or 0, (won or 0) + (lost or 0))


def committee_members(filters) -> list[dict]:
	"""Per mode: buying committee members of the wins closed in the period (Average Buying
	Committee = committee_members / Won)."""
	opportunity, query = won_closed_in_period(filters)
	member = DocType("Buying Committee Member")
	query = (
		query.join(member)
		.on(
			(member.parent == opportunity.name)
			& (member.parenttype == OPPORTUNITY)
			& (member.parentfield == "buying_committee")
		)
		.select(opportunity.sales_mode, Count(member.name).as_("committee_members"))
		.groupby(opportunity.sales_mode)
	)
	return query.run(as_dict=True)


def won_cycle_histograms(filters) -> dict[str | None, dict[int, int]]:
	"""Sales Cycle: {mode: {days: wins}} of the wins closed in the period, days = closed_on -
	transaction_date. The median and percentiles are read from these histograms."""
	opportunity, query = won_closed_in_period(filters)
	days = DateDiff(opportunity.closed_on, opportunity.transaction_date)
	rows = (
		query.select(opportunity.sales_mode, days.as_("days"), Count("*").as_("deals"))
		.groupby(opportunity.sales_mode, days)
		.run(as_dict=True)
	)
	histograms: dict[str | None, dict[int, int]] = {}
	for row in rows:
		# A close date before the opportunity date (a typo in imported data) counts as the same day
		histogram = histograms.setdefault(row.sales_mode, {})
		day = max(0, int(row.days))
		histogram[day] = histogram.get(day, 0) + row.deals
	return histograms


def won_value_by_month(filters) -> dict:
	"""Won Value (chart): {(mode, (year, month)): company-currency amount of the wins closed that month}."""
	opportunity, query = won_closed_in_period(filters)
	year = Extract(DatePart.year, opportunity.closed_on)
	month = Extract(DatePart.month, opportunity.closed_on)
	return by_month(
		query.select(opportunity.sales_mode, year, month, Sum(opportunity.base_opportunity_amount))
		.groupby(opportunity.sales_mode, year, month)
		.run()
	)


def lost_reasons(filters) -> list[tuple]:
	"""(mode, reason, lost deals) of the deals lost in the period (by close date); a deal without a
	reason counts under None, a deal with two reasons under each."""
	opportunity, detail = DocType(OPPORTUNITY), DocType("Opportunity Lost Reason Detail")
	query = (
		frappe.qb.from_(opportunity)
		.left_join(detail)
		.on(
			(detail.parent == opportunity.name)
			& (detail.parenttype == OPPORTUNITY)
			& (detail.parentfield == "lost_reasons")
		)
		.select(opportunity.sales_mode, detail.lost_reason, Count(opportunity.name).distinct())
		.where(opportunity.status == LOST)
		.groupby(opportunity.sales_mode, detail.lost_reason)
	)
	query = closed_in_period(query, opportunity, filters)
	return apply_filters(query, opportunity, OPPORTUNITY, filters, period=False).run()


# Deals now ---------------------------------------------------------------------------------------


def open_deal_counts(filters) -> dict[str | None, int]:
	"""Open Deals: {mode: opportunities open now (Open, Replied, Quotation)}, whatever their date."""
	opportunity = DocType(OPPORTUNITY)
	query = (
		frappe.qb.from_(opportunity)
		.select(opportunity.sales_mode, Count("*"))
		.where(opportunity.status.isin(OPEN_STATUSES))
		.groupby(opportunity.sales_mode)
	)
	return dict(apply_filters(query, opportunity, OPPORTUNITY, filters, period=False).run())


def stalled_deals(filters, as_of=None):
	"""Stalled Deals: the query of the open deals stuck today (one row each, see
	`stalled.stalled_deals_query`), filtered and permitted. With no period every stuck deal counts,
	however old; a period (either end optional) keeps the deals opened in it."""
	opportunity = DocType(OPPORTUNITY)
	query = apply_filters(stalled_deals_query(as_of), opportunity, OPPORTUNITY, filters, period=False)
	return opened_in_optional_period(query, opportunity, filters)


def stalled_deal_totals(filters) -> dict[str | None, tuple[int, float]]:
	"""{mode: (stalled deals, their company-currency amount)}."""
	deals = stalled_deals(filters).as_("stalled")
	rows = (
		frappe.qb.from_(deals)
		.select(deals.sales_mode, Count("*"), Sum(deals.base_opportunity_amount))
		.groupby(deals.sales_mode)
		.run()
	)
	return {mode: (int(count), amount or 0) for mode, count, amount in rows}


# The stage funnel: the deals opened in the period ------------------------------------------------


def pipeline_positions() -> list[tuple[str, str, int]]:
	"""(mode, stage, position) of every stage of every mode's pipeline: a few dozen rows."""
	stage = DocType("Sales Mode Stage")
	return (
		frappe.qb.from_(stage)
		.select(stage.parent, stage.sales_stage, stage.idx)
		.where(stage.parenttype == "Sales Mode")
		.where(stage.parentfield == "stages")
		.orderby(stage.idx, order=Order.desc)
		.run()
	)


def stage_position(mode_field, stage_field, positions):
	"""The position of `stage_field` in the pipeline of `mode_field` (0 when not in it), as a CASE
	over the pipelines' few rows: no join, so the deals stay in the order they are read."""
	if not positions:
		return ValueWrapper(0)
	case = Case()
	for mode, stage, position in positions:  # highest position first: a repeated stage counts as its last
		case = case.when((mode_field == mode) & (stage_field == stage), position)
	return case.else_(0)


def furthest_stage_counts(filters) -> dict[str | None, dict[int, tuple[int, int]]]:
	"""{mode: {position of the furthest stage reached: (deals, won deals)}} of the deals opened in
	the period (a cohort): the furthest of the stages its Stage Change log entered and its
	current stage, in its mode's pipeline order.

	The deals are read in primary-key order, so grouping per deal needs no temporary table, and
	each joins its Stage Change rows from the covering index sales_modes_transition_stages."""
	opportunity, transition = DocType(OPPORTUNITY), DocType("Stage Transition")
	positions = pipeline_positions()
	current = stage_position(opportunity.sales_mode, opportunity.sales_stage, positions)
	passed = stage_position(opportunity.sales_mode, transition.to_stage, positions)
	per_deal = (
		frappe.qb.from_(opportunity)
		.force_index("PRIMARY")
		.left_join(transition)
		.on((transition.opportunity == opportunity.name) & (transition.event == STAGE_CHANGE))
		.select(
			opportunity.name,
			opportunity.sales_mode,
			Max(Case().when(opportunity.status == CONVERTED, 1).else_(0)).as_("won"),
			Greatest(IfNull(Max(passed), 0), Max(current)).as_("furthest"),
		)
		.where(opportunity.sales_mode.isnotnull())
		.groupby(opportunity.name)
	)
	per_deal = apply_filters(per_deal, opportunity, OPPORTUNITY, filters).as_("per_deal")
	rows = (
		frappe.qb.from_(per_deal)
		.select(per_deal.sales_mode, per_deal.furthest, Count("*").as_("deals"), Sum(per_deal.won).as_("won"))
		.groupby(per_deal.sales_mode, per_deal.furthest)
		.run(as_dict=True)
	)
	out: dict[str | None, dict[int, tuple[int, int]]] = {}
	for row in rows:
		out.setdefault(row.sales_mode, {})[int(row.furthest)] = (int(row.deals), int(row.won))
	return out


def days_in_stage_histograms(filters) -> dict[tuple[str, str], dict[float, int]]:
	"""{(mode, stage): {days spent in the stage, to a tenth: moves out of it}} of the deals opened
	in the period, from their Stage Change log.

	The log is read once, in the order of the covering index sales_modes_transition_stages, each
	row joined to its deal by primary key (STRAIGHT_JOIN: the optimizer would rather look up each
	deal's rows, several times slower on a year of deals)."""
	opportunity, transition = DocType(OPPORTUNITY), DocType("Stage Transition")
	days = Round(transition.days_in_previous_stage, 1)
	query = (
		frappe.qb.from_(transition)
		.join(opportunity)
		.on(transition.opportunity == opportunity.name)
		.select(opportunity.sales_mode, transition.from_stage, days.as_("days"), Count("*").as_("moves"))
		.where(transition.event == STAGE_CHANGE)
		.where(transition.from_stage.isnotnull())
		.where(transition.days_in_previous_stage.isnotnull())
		.groupby(opportunity.sales_mode, transition.from_stage, days)
		.modifier("STRAIGHT_JOIN")
	)
	out: dict[tuple[str, str], dict[float, int]] = {}
	for row in apply_filters(query, opportunity, OPPORTUNITY, filters).run(as_dict=True):
		out.setdefault((row.sales_mode, row.from_stage), {})[float(row.days)] = int(row.moves)
	return out


def count_by_stage(deals) -> dict[tuple[str, str], int]:
	deals = deals.as_("deals")
	rows = (
		frappe.qb.from_(deals)
		.select(deals.sales_mode, deals.sales_stage, Count("*"))
		.groupby(deals.sales_mode, deals.sales_stage)
		.run()
	)
	return {(mode, stage): count for mode, stage, count in rows}


def open_deals_by_stage(filters) -> dict[tuple[str, str], int]:
	"""{(mode, stage): deals open now} of the deals opened in the period (optional, as for stalled)."""
	opportunity = DocType(OPPORTUNITY)
	query = (
		frappe.qb.from_(opportunity)
		.select(opportunity.name, opportunity.sales_mode, opportunity.sales_stage)
		.where(opportunity.status.isin(OPEN_STATUSES))
	)
	query = apply_filters(query, opportunity, OPPORTUNITY, filters, period=False)
	return count_by_stage(opened_in_optional_period(query, opportunity, filters))


def stalled_deals_by_stage(filters) -> dict[tuple[str, str], int]:
	"""{(mode, stage): deals stalled now} of the deals opened in the period (optional)."""
	return count_by_stage(stalled_deals(filters))
