# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""Per mode and stage, in pipeline order: how many deals reached it, moved on, and where they sit now.

A deal reached a stage when it got that far along its mode's pipeline: its furthest stage (from
the Stage Change log and its current stage) is that one or a later one. It moved on when it got
further, or was won from there. The deals are the period's opportunities (by transaction_date).
"""

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Count, CustomFunction, IfNull, Max, Round, Sum

from sales_modes.core.deal_states import CONVERTED, OPEN_STATUSES, STAGE_CHANGE
from sales_modes.core.metrics import percent
from sales_modes.reports import (
	apply_filters,
	chart_or_none,
	get_filters,
	get_message,
	get_modes,
	histogram_percentile,
	mode_column,
	mode_label,
	report_notes,
)
from sales_modes.stalled import stalled_deals_query

READS = ("Opportunity",)
Greatest = CustomFunction("GREATEST", ["a", "b"])


def execute(filters=None):
	filters = get_filters(filters)
	notes = report_notes(filters, READS)
	furthest = furthest_stage_counts(filters)
	if not furthest:
		return get_columns(), [], get_message(notes, False), None, None
	days = days_in_stage(filters)
	open_now = count_by_stage(open_deals_query(), filters)
	stalled_now = count_by_stage(stalled_deals_query(), filters)
	data = []
	for mode in get_modes(filters):
		reached_by_position = furthest.get(mode, {})
		for position, stage, phase in get_pipeline(mode):
			reached = sum(n for pos, (n, _won) in reached_by_position.items() if pos >= position)
			moved_on = sum(n for pos, (n, _won) in reached_by_position.items() if pos > position)
			moved_on += reached_by_position.get(position, (0, 0))[1]
			data.append(
				{
					"sales_mode": mode,
					"sales_stage": stage,
					"buying_phase": phase,
					"reached": reached,
					"moved_on": moved_on,
					"conversion_rate": percent(moved_on, reached),
					"median_days_in_stage": histogram_percentile(days.get((mode, stage)), 50),
					"open_now": open_now.get((mode, stage), 0),
					"stalled_now": stalled_now.get((mode, stage), 0),
				}
			)
	return get_columns(), data, get_message(notes, True), get_chart(data), get_summary(data)


def get_pipeline(mode: str) -> list[tuple[int, str, str]]:
	"""(position, stage, buying phase) of the mode's stages, in idx order."""
	stage = DocType("Sales Mode Stage")
	return (
		frappe.qb.from_(stage)
		.select(stage.idx, stage.sales_stage, stage.buying_phase)
		.where(stage.parent == mode)
		.where(stage.parenttype == "Sales Mode")
		.where(stage.parentfield == "stages")
		.orderby(stage.idx)
		.run()
	)


def furthest_stage_counts(filters) -> dict[str | None, dict[int, tuple[int, int]]]:
	"""{mode: {position of the furthest stage reached: (deals, won deals)}}."""
	opportunity, transition = DocType("Opportunity"), DocType("Stage Transition")
	current, passed = (
		DocType("Sales Mode Stage").as_("current_stage"),
		DocType("Sales Mode Stage").as_("passed_stage"),
	)

	def in_pipeline(row):
		return (
			(row.parent == opportunity.sales_mode)
			& (row.parenttype == "Sales Mode")
			& (row.parentfield == "stages")
		)

	per_deal = (
		frappe.qb.from_(opportunity)
		.left_join(current)
		.on(in_pipeline(current) & (current.sales_stage == opportunity.sales_stage))
		.left_join(transition)
		.on((transition.opportunity == opportunity.name) & (transition.event == STAGE_CHANGE))
		.left_join(passed)
		.on(in_pipeline(passed) & (passed.sales_stage == transition.to_stage))
		.select(
			opportunity.name,
			opportunity.sales_mode,
			Max(Case().when(opportunity.status == CONVERTED, 1).else_(0)).as_("won"),
			Greatest(IfNull(Max(passed.idx), 0), IfNull(Max(current.idx), 0)).as_("furthest"),
		)
		.where(opportunity.sales_mode.isnotnull())
		.groupby(opportunity.name)
	)
	per_deal = apply_filters(per_deal, opportunity, "Opportunity", filters).as_("per_deal")
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


def days_in_stage(filters) -> dict[tuple[str, str], dict[float, int]]:
	"""{(mode, stage): {days spent in the stage, to a tenth: moves out of it}} from the Stage Change log."""
	opportunity, transition = DocType("Opportunity"), DocType("Stage Transition")
	days = Round(transition.days_in_previous_stage, 1)
	query = (
		frappe.qb.from_(opportunity)
		.join(transition)
		.on((transition.opportunity == opportunity.name) & (transition.event == STAGE_CHANGE))
		.select(opportunity.sales_mode, transition.from_stage, days.as_("days"), Count("*").as_("moves"))
		.where(transition.from_stage.isnotnull())
		.where(transition.days_in_previous_stage.isnotnull())
		.groupby(opportunity.sales_mode, transition.from_stage, days)
	)
	out: dict[tuple[str, str], dict[float, int]] = {}
	for row in apply_filters(query, opportunity, "Opportunity", filters).run(as_dict=True):
		out.setdefault((row.sales_mode, row.from_stage), {})[float(row.days)] = int(row.moves)
	return out


def open_deals_query():
	opportunity = DocType("Opportunity")
	return (
		frappe.qb.from_(opportunity)
		.select(opportunity.name, opportunity.sales_mode, opportunity.sales_stage)
		.where(opportunity.status.isin(OPEN_STATUSES))
	)


def count_by_stage(query, filters) -> dict[tuple[str, str], int]:
	"""Count the rows of an Opportunity query (unaliased table) per mode and stage."""
	deals = apply_filters(query, DocType("Opportunity"), "Opportunity", filters).as_("deals")
	rows = (
		frappe.qb.from_(deals)
		.select(deals.sales_mode, deals.sales_stage, Count("*"))
		.groupby(deals.sales_mode, deals.sales_stage)
		.run()
	)
	return {(mode, stage): count for mode, stage, count in rows}


def get_columns() -> list[dict]:
	return [
		mode_column(110),
		{
			"fieldname": "sales_stage",
			"label": _("Stage"),
			# Not a Link: Frappe checks read permission on every linked doctype of a report's rows,
			# and ERPNext lets only a Sales Manager read Sales Stage
			"fieldtype": "Data",
			"width": 180,
		},
		{
			"fieldname": "buying_phase",
			"label": _("Buying Phase"),
			"fieldtype": "Select",
			"options": "\nAwareness\nConsideration\nDecision",
			"width": 120,
		},
		{"fieldname": "reached", "label": _("Reached"), "fieldtype": "Int", "width": 100},
		{"fieldname": "moved_on", "label": _("Moved On"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "conversion_rate",
			"label": _("Conversion %"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 110,
		},
		{
			"fieldname": "median_days_in_stage",
			"label": _("Median Days in Stage"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 140,
		},
		{"fieldname": "open_now", "label": _("Open Now"), "fieldtype": "Int", "width": 100},
		{"fieldname": "stalled_now", "label": _("Stalled Now"), "fieldtype": "Int", "width": 100},
	]


def get_chart(data: list[dict]) -> dict | None:
	"""Deals reaching each stage, one bar per mode (0 where a stage is not in a mode's pipeline)."""
	stages = list(dict.fromkeys(row["sales_stage"] for row in data))
	modes = list(dict.fromkeys(row["sales_mode"] for row in data))
	reached = {(row["sales_mode"], row["sales_stage"]): row["reached"] for row in data}
	return chart_or_none(
		[_(stage) for stage in stages],
		[{"name": mode_label(mode), "values": [reached.get((mode, s), 0) for s in stages]} for mode in modes],
	)


def get_summary(data: list[dict]) -> list[dict] | None:
	summary = []
	for mode in dict.fromkeys(row["sales_mode"] for row in data):
		rows = [row for row in data if row["sales_mode"] == mode]
		summary += [
			{
				"value": rows[0]["reached"],
				"label": _("{0} Deals in the Funnel").format(mode_label(mode)),
				"datatype": "Int",
				"indicator": "Blue",
			},
			{
				"value": sum(row["stalled_now"] for row in rows),
				"label": _("{0} Stalled Now").format(mode_label(mode)),
				"datatype": "Int",
				"indicator": "Red",
			},
		]
	return summary or None
