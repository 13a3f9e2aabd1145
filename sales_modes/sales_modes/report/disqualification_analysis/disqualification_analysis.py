# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""Why leads are disqualified and why deals are lost, per mode: count and share of each reason.

A lead's share is of the mode's disqualified leads; a lost deal may give several reasons, so a
reason's share is of the mode's lost deals (the shares of one mode may add up to more than 100%).
"""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count

from sales_modes.core.deal_states import LOST
from sales_modes.core.metrics import percent
from sales_modes.reports import (
	apply_filters,
	chart_or_none,
	get_filters,
	get_message,
	get_modes,
	mode_column,
	mode_label,
	report_notes,
)

LEAD, OPPORTUNITY = "Lead", "Opportunity"
READS = (LEAD, OPPORTUNITY)


def execute(filters=None):
	filters = get_filters(filters)
	reasons = {LEAD: lead_reasons(filters), OPPORTUNITY: lost_reasons(filters)}
	totals = {LEAD: {}, OPPORTUNITY: lost_deals(filters)}
	for mode, _reason, count in reasons[LEAD]:
		totals[LEAD][mode] = totals[LEAD].get(mode, 0) + count
	modes = get_modes(filters)
	order = {mode: i for i, mode in enumerate(modes)}
	data = []
	for record_type in (LEAD, OPPORTUNITY):
		rows = sorted(reasons[record_type], key=lambda r: (order.get(r[0], len(order)), -r[2], r[1] or ""))
		for mode, reason, count in rows:
			data.append(
				{
					"record_type": record_type,
					"record_type_label": _("Disqualified Lead")
					if record_type == LEAD
					else _("Lost Opportunity"),
					"sales_mode": mode,
					"reason": reason,
					"reason_label": _(reason) if reason else _("No Reason Given"),
					"count": count,
					"share": percent(count, totals[record_type].get(mode)),
				}
			)
	message = get_message(
		report_notes(filters, READS),
		bool(data),
		_("No disqualified leads or lost opportunities for these filters."),
	)
	return get_columns(), data, message, get_chart(data), get_summary(totals, modes)


def lead_reasons(filters) -> list[tuple]:
	lead = DocType("Lead")
	query = (
		frappe.qb.from_(lead)
		.select(lead.sales_mode, lead.disqualification_reason, Count("*"))
		.where(lead.disqualified == 1)
		.groupby(lead.sales_mode, lead.disqualification_reason)
	)
	return apply_filters(query, lead, LEAD, filters).run()


def lost_reasons(filters) -> list[tuple]:
	opportunity, detail = DocType("Opportunity"), DocType("Opportunity Lost Reason Detail")
	query = (
		frappe.qb.from_(opportunity)
		.left_join(detail)
		.on(
			(detail.parent == opportunity.name)
			& (detail.parenttype == "Opportunity")
			& (detail.parentfield == "lost_reasons")
		)
		.select(opportunity.sales_mode, detail.lost_reason, Count(opportunity.name).distinct())
		.where(opportunity.status == LOST)
		.groupby(opportunity.sales_mode, detail.lost_reason)
	)
	return apply_filters(query, opportunity, OPPORTUNITY, filters).run()


def lost_deals(filters) -> dict:
	opportunity = DocType("Opportunity")
	query = (
		frappe.qb.from_(opportunity)
		.select(opportunity.sales_mode, Count("*"))
		.where(opportunity.status == LOST)
		.groupby(opportunity.sales_mode)
	)
	return dict(apply_filters(query, opportunity, OPPORTUNITY, filters).run())


def get_columns() -> list[dict]:
	return [
		{"fieldname": "record_type_label", "label": _("Outcome"), "fieldtype": "Data", "width": 150},
		mode_column(110),
		{"fieldname": "reason_label", "label": _("Reason"), "fieldtype": "Data", "width": 220},
		{"fieldname": "count", "label": _("Count"), "fieldtype": "Int", "width": 90},
		{"fieldname": "share", "label": _("Share"), "fieldtype": "Percent", "precision": 1, "width": 100},
	]


def get_chart(data: list[dict]) -> dict | None:
	"""One bar group per reason; one bar per mode and outcome."""
	reasons = list(dict.fromkeys(row["reason_label"] for row in data))
	series = list(dict.fromkeys((row["sales_mode"], row["record_type"]) for row in data))
	counts = {(row["sales_mode"], row["record_type"], row["reason_label"]): row["count"] for row in data}
	names = {LEAD: _("{0} Disqualified Leads"), OPPORTUNITY: _("{0} Lost Opportunities")}
	return chart_or_none(
		reasons,
		[
			{
				"name": names[record_type].format(mode_label(mode)),
				"values": [counts.get((mode, record_type, reason), 0) for reason in reasons],
			}
			for mode, record_type in series
		],
	)


def get_summary(totals: dict, modes: list) -> list[dict] | None:
	summary = []
	for mode in dict.fromkeys(modes + list(totals[LEAD]) + list(totals[OPPORTUNITY])):
		if mode not in totals[LEAD] and mode not in totals[OPPORTUNITY]:
			continue
		summary += [
			{
				"value": totals[LEAD].get(mode, 0),
				"label": _("{0} Disqualified Leads").format(mode_label(mode)),
				"datatype": "Int",
				"indicator": "Orange",
			},
			{
				"value": totals[OPPORTUNITY].get(mode, 0),
				"label": _("{0} Lost Opportunities").format(mode_label(mode)),
				"datatype": "Int",
				"indicator": "Red",
			},
		]
	return summary or None
