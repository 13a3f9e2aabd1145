# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""Monthly cohorts of customers by the month of their first submitted invoice in a mode, and the
share of each cohort that bought again in each of the 12 following months.

A customer's invoices count within one mode (a customer sold to in two modes starts a cohort in
each); cohorts whose first month falls in the period are shown. Returns are not purchases.
"""

from datetime import date

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Count, Extract, Max, Min, Sum
from frappe.utils import getdate, today
from pypika.enums import DatePart

from sales_modes.core.metrics import mask_future, percent, ratio, shape_cohorts
from sales_modes.reports import (
	DateDiff,
	apply_filters,
	chart_or_none,
	get_filters,
	get_message,
	get_modes,
	mode_column,
	mode_label,
	report_notes,
)

HORIZON = 12
READS = ("Sales Invoice",)


def month_number(field):
	"""Months since year 0: the difference of two is the number of calendar months between them."""
	return Extract(DatePart.year, field) * 12 + Extract(DatePart.month, field) - 1


def execute(filters=None):
	filters = get_filters(filters)
	notes = report_notes(filters, READS)
	customers = first_purchases(filters)
	rows = cohort_rows(filters, customers)
	if not rows:
		return get_columns(), [], get_message(notes, False), None, None
	cohorts = shape_cohorts(rows, HORIZON)
	current = getdate(today())
	modes = get_modes(filters)
	order = {mode: i for i, mode in enumerate(modes)}
	data = []
	for (mode, cohort), entry in sorted(
		cohorts.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][1])
	):
		row = {"sales_mode": mode, "cohort": cohort, "cohort_size": entry["size"]}
		for month, share in enumerate(mask_future(entry["retention"], cohort, current), start=1):
			row[f"month_{month}"] = share
		data.append(row)
	summary_rows = repeat_summary(customers)
	return get_columns(), data, get_message(notes, True), get_chart(data), get_summary(summary_rows, modes)


def first_purchases(filters):
	"""Per (mode, customer) whose first invoice in the mode falls in the period: first and last date, count."""
	invoice = DocType("Sales Invoice").as_("customer_invoice")
	query = (
		frappe.qb.from_(invoice)
		.select(
			invoice.sales_mode,
			invoice.customer,
			Min(invoice.posting_date).as_("first_date"),
			Max(invoice.posting_date).as_("last_date"),
			Count("*").as_("invoices"),
		)
		.where(invoice.docstatus == 1)
		.where(invoice.is_return == 0)
		.groupby(invoice.sales_mode, invoice.customer)
		.having(Min(invoice.posting_date) >= filters.from_date)
		.having(Min(invoice.posting_date) <= filters.to_date)
	)
	return apply_filters(query, invoice, "Sales Invoice", filters, period=False).as_("first_purchase")


def cohort_rows(filters, customers) -> list[dict]:
	"""{sales_mode, cohort, offset, customers}: distinct buyers per cohort and month after it."""
	invoice = DocType("Sales Invoice")
	cohort = month_number(customers.first_date)
	offset = month_number(invoice.posting_date) - cohort
	query = (
		frappe.qb.from_(customers)
		.join(invoice)
		.on((invoice.customer == customers.customer) & (invoice.sales_mode == customers.sales_mode))
		.select(
			customers.sales_mode,
			cohort.as_("cohort"),
			offset.as_("offset"),
			Count(invoice.customer).distinct().as_("customers"),
		)
		.where(invoice.docstatus == 1)
		.where(invoice.is_return == 0)
		.where(offset <= HORIZON)
		.groupby(customers.sales_mode, cohort, offset)
	)
	rows = apply_filters(query, invoice, "Sales Invoice", filters, period=False).run(as_dict=True)
	for row in rows:
		row.cohort = date(int(row.cohort) // 12, int(row.cohort) % 12 + 1, 1)
	return rows


def repeat_summary(customers) -> dict:
	"""{mode: (customers, repeat customers, days between their purchases, intervals)}."""
	rows = (
		frappe.qb.from_(customers)
		.select(
			customers.sales_mode,
			Count("*"),
			Sum(Case().when(customers.invoices >= 2, 1).else_(0)),
			Sum(DateDiff(customers.last_date, customers.first_date)),
			Sum(customers.invoices - 1),
		)
		.groupby(customers.sales_mode)
		.run()
	)
	return {row[0]: row[1:] for row in rows}


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


def get_summary(summary_rows: dict, modes: list) -> list[dict] | None:
	summary = []
	for mode in [m for m in modes if m in summary_rows] + [m for m in summary_rows if m not in modes]:
		customers, repeaters, days, intervals = summary_rows[mode]
		summary += [
			{
				"value": percent(repeaters, customers),
				"label": _("{0} Repeat Rate").format(mode_label(mode)),
				"datatype": "Percent",
				"indicator": "Green",
			},
			{
				"value": ratio(days, intervals),
				"label": _("{0} Mean Days Between Purchases").format(mode_label(mode)),
				"datatype": "Float",
				"indicator": "Blue",
			},
		]
	return summary or None
