# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""Why leads are disqualified and why deals are lost, per mode: count and share of each reason.

A lead's share is of the mode's disqualified leads; a lost deal may give several reasons, so a
reason's share is of the mode's lost deals (the shares of one mode may add up to more than 100%).
Leads are those created in the period; lost deals those lost (close date) in the period, as the
Sales Mode Comparison counts them (sales_modes.figures.deals).
"""

from frappe import _

from sales_modes.core.metrics import percent
from sales_modes.figures import deals
from sales_modes.reports import (
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
	reasons = {LEAD: deals.disqualification_reasons(filters), OPPORTUNITY: deals.lost_reasons(filters)}
	totals = {
		LEAD: {},
		OPPORTUNITY: {row.sales_mode: int(row.lost) for row in deals.closed_deal_counts(filters) if row.lost},
	}
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


def get_columns() -> list[dict]:
	return [
		{"fieldname": "record_type_label", "label": _("Outcome"), "fieldtype": "Data", "width": 150},
		mode_column(110),
		{"fieldname": "reason_label", "label": _("Reason"), "fieldtype": "Data", "width": 220},
		{"fieldname": "count", "label": _("Count"), "fieldtype": "Int", "width": 90},
		{"fieldname": "share", "label": _("Share (%)"), "fieldtype": "Percent", "precision": 1, "width": 100},
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
