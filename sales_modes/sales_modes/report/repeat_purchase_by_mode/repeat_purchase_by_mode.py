# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""Monthly cohorts of customers by the month of their first sale in a mode, and the share of each
cohort with a sale in the mode in each of the 12 following months (docs/metrics.md, "Customers").

A customer's sales count within one mode (a customer sold to in two modes starts a cohort in
each); cohorts whose first month falls in the period are shown. A sale is a sale even when it is
returned later; returns are not sales. The walk-in party of a POS Profile is no customer. The
summary shows the Repeat Rate of Sales Mode Comparison (same definition, same query). Every
figure comes from sales_modes.figures.sales.
"""

from datetime import date

from frappe import _
from frappe.utils import getdate, today

from sales_modes.core.metrics import mask_future, percent, ratio, shape_cohorts
from sales_modes.figures import sales
from sales_modes.reports import (
	chart_or_none,
	get_filters,
	get_message,
	get_modes,
	mode_column,
	mode_label,
	report_notes,
)

HORIZON = 12


def execute(filters=None):
	filters = get_filters(filters)
	notes = report_notes(filters, sales.READS) + sales.customer_notes()
	activity, repeat_figures = sales.cohorts_and_repeat_figures(filters, HORIZON)
	rows = cohort_rows(activity)
	modes = get_modes(filters)
	# The Repeat Rate of the period's customers holds whether or not a cohort starts in it
	summary = get_summary(repeat_figures, modes)
	if not rows:
		empty = _("No customer made a first sale in a mode in this period: no cohort starts in it.")
		return get_columns(), [], get_message(notes, False, empty if summary else None), None, summary
	cohorts = shape_cohorts(rows, HORIZON)
	current = getdate(today())
	order = {mode: i for i, mode in enumerate(modes)}
	data = []
	for (mode, cohort), entry in sorted(
		cohorts.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][1])
	):
		row = {"sales_mode": mode, "cohort": cohort, "cohort_size": entry["size"]}
		for month, share in enumerate(mask_future(entry["retention"], cohort, current), start=1):
			row[f"month_{month}"] = share
		data.append(row)
	return get_columns(), data, get_message(notes, True), get_chart(data), summary


def cohort_rows(rows) -> list[dict]:
	"""{sales_mode, cohort, offset, customers}: distinct buyers per cohort and month after it."""
	for row in rows:
		row.cohort = date(int(row.cohort) // 12, int(row.cohort) % 12 + 1, 1)
	return rows


def get_columns() -> list[dict]:
	columns = [
		mode_column(100),
		{"fieldname": "cohort", "label": _("First Purchase Month"), "fieldtype": "Date", "width": 130},
		{"fieldname": "cohort_size", "label": _("Customers"), "fieldtype": "Int", "width": 100},
	]
	for month in range(1, HORIZON + 1):
		columns.append(
			{
				"fieldname": f"month_{month}",
				"label": _("Month {0}").format(month),
				"fieldtype": "Percent",
				"precision": 1,
				"width": 90,
			}
		)
	return columns


def get_chart(data: list[dict]) -> dict | None:
	"""Per mode, the share of all its cohorts' customers buying again N months later (known months only)."""
	datasets = []
	for mode in dict.fromkeys(row["sales_mode"] for row in data):
		values = []
		for month in range(1, HORIZON + 1):
			known = [row for row in data if row["sales_mode"] == mode and row[f"month_{month}"] is not None]
			buyers = sum(row["cohort_size"] * row[f"month_{month}"] / 100 for row in known)
			values.append(percent(buyers, sum(row["cohort_size"] for row in known)) or 0)
		datasets.append({"name": mode_label(mode), "values": values})
	return chart_or_none(
		[_("Month {0}").format(month) for month in range(1, HORIZON + 1)],
		datasets,
		"line",
		fieldtype="Percent",
	)


def get_summary(figures: dict, modes: list) -> list[dict] | None:
	"""Per mode, the Repeat Rate of Sales Mode Comparison and the mean days between purchases
	(figures: sales.cohorts_and_repeat_figures, the customer figures of sales.mode_figures)."""
	summary = []
	for mode in [m for m in modes if m in figures] + [m for m in figures if m not in modes]:
		f = figures[mode]
		if not f.customers:
			continue
		summary += [
			{
				"value": percent(f.repeat_customers, f.customers),
				"label": _("{0} Repeat Rate").format(mode_label(mode)),
				"datatype": "Percent",
				"indicator": "Green",
			},
			{
				"value": ratio(f.days_between, f.intervals),
				"label": _("{0} Mean Days Between Purchases").format(mode_label(mode)),
				"datatype": "Float",
				"indicator": "Blue",
			},
		]
	return summary or None
