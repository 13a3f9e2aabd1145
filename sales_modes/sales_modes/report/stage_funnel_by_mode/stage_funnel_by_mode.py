# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""Per mode and stage, in pipeline order: how many deals reached it, moved on, and where they sit now.

A deal reached a stage when it got that far along its mode's pipeline: its furthest stage (from
the Stage Change log and its current stage) is that one or a later one. It moved on when it got
further, or was won from there. The deals are the period's opportunities (by transaction_date), a
cohort: every column counts them, "Open Now" and "Stalled Now" too (Stalled Deals for the same
period lists the same stalled deals), and a deal won from a stage counts as moving on whenever
it was won. Its queries live in sales_modes.figures.deals.
"""

import frappe
from frappe import _
from frappe.query_builder import DocType

from sales_modes.core.metrics import percent
from sales_modes.figures import deals
from sales_modes.reports import (
	chart_or_none,
	get_filters,
	get_message,
	get_modes,
	histogram_percentile,
	mode_column,
	mode_label,
	report_notes,
)

READS = ("Opportunity",)


def execute(filters=None):
	filters = get_filters(filters)
	notes = report_notes(filters, READS)
	furthest = deals.furthest_stage_counts(filters)
	if not furthest:
		return get_columns(), [], get_message(notes, False), None, None
	days = deals.days_in_stage_histograms(filters)
	open_now = deals.open_deals_by_stage(filters)
	stalled_now = deals.stalled_deals_by_stage(filters)
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
