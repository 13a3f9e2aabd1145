# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""One figure per month and mode: won value (by the month of the close date), new leads (by the
month of creation) or revenue.

Feeds the workspace's dashboard charts ("Won Value by Sales Mode", "New Leads by Sales Mode").
"""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Extract, Sum
from frappe.utils import add_months
from pypika.enums import DatePart

from sales_modes.core.metrics import months_between
from sales_modes.figures import deals, sales
from sales_modes.reports import (
	apply_filters,
	chart_or_none,
	get_filters,
	get_message,
	get_modes,
	mode_label,
	report_notes,
)

MEASURES = ("Won Value", "New Leads", "Revenue")
# The doctype each measure reads
READS = {"Won Value": ("Opportunity",), "New Leads": ("Lead",), "Revenue": sales.READS}


def execute(filters=None):
	filters = get_filters(filters)
	filters.measure = filters.measure or "Won Value"
	if filters.measure not in MEASURES:
		frappe.throw(
			_("Measure must be one of {0}.").format(", ".join(_(m) for m in MEASURES)),
			title=_("Invalid Measure"),
		)
	notes = report_notes(filters, READS[filters.measure])
	values = {"Won Value": won_value, "New Leads": new_leads, "Revenue": revenue}[filters.measure](filters)
	if not values:
		return get_columns(filters, []), [], get_message(notes, False), None, None
	modes = get_modes(filters)
	modes += [mode for mode, _month in values if mode not in modes]
	first = filters.from_date.replace(day=1)
	months = [add_months(first, i) for i in range(months_between(first, filters.to_date) + 1)]
	data = []
	for month in months:
		row = {"month": month}
		for i, mode in enumerate(modes):
			row[f"mode_{i}"] = values.get((mode, (month.year, month.month)), 0)
		data.append(row)
	currency = frappe.get_cached_value("Company", filters.company, "default_currency")
	chart = chart_or_none(
		[month.strftime("%Y-%m") for month in months],
		[
			{"name": mode_label(mode), "values": [row[f"mode_{i}"] for row in data]}
			for i, mode in enumerate(modes)
		],
		"bar" if filters.measure == "New Leads" else "line",
		fieldtype="Int" if filters.measure == "New Leads" else "Currency",
		currency=currency,
	)
	summary = [
		{
			"value": sum(row[f"mode_{i}"] for row in data),
			"label": f"{mode_label(mode)} · {_(filters.measure)}",
			"datatype": "Int" if filters.measure == "New Leads" else "Currency",
			"currency": currency,
			"indicator": "Blue",
		}
		for i, mode in enumerate(modes)
	]
	return get_columns(filters, modes), data, get_message(notes, True), chart, summary


def by_month(rows) -> dict:
	return {(mode, (int(year), int(month))): value or 0 for mode, year, month, value in rows}


def won_value(filters) -> dict:
	"""Company-currency amount of the wins closed in each month (sales_modes.figures.deals)."""
	return deals.won_value_by_month(filters)


def new_leads(filters) -> dict:
	return deals.new_leads_by_month(filters)


def revenue(filters) -> dict:
	"""Net revenue (sales less returns, company currency) by posting month: figures/sales.py."""
	return sales.net_revenue_by_month(filters)


def get_columns(filters, modes: list) -> list[dict]:
	fieldtype = "Int" if filters.measure == "New Leads" else "Currency"
	columns = [{"fieldname": "month", "label": _("Month"), "fieldtype": "Date", "width": 110}]
	for i, mode in enumerate(modes):
		columns.append(
			{"fieldname": f"mode_{i}", "label": mode_label(mode), "fieldtype": fieldtype, "width": 140}
		)
	return columns
