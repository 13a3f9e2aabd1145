"""The sales figures of docs/metrics.md ("Sales" and "Customers"): the one place their SQL lives.

A sale is a submitted Sales Invoice that is neither a return nor consolidated, or a submitted POS
Invoice that is not a return (consolidated or not). Net Revenue sums the company-currency net
total (`base_net_total`) of the sales and of their returns (negative totals). ERPNext's POS
Closing Entry merges the POS Invoices into consolidated Sales Invoices and credit notes
(`is_consolidated = 1`): those are left out, their POS Invoices are counted, so each POS sale and
return counts once whether the closing has run or not.

Each doctype is read by its own branch, with the report's filters and the user's permissions on
that doctype (`reports.apply_filters`), grouped in SQL; the branches are joined by UNION ALL and
grouped again. The walk-in party of a POS Profile (its default customer, shared by every
anonymous shopper) counts in Orders and Net Revenue but is no customer: Customers, New and
Repeat Customers and the cohorts leave it out.
"""

from functools import reduce

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Count, Extract, Max, Min, Sum
from pypika.enums import DatePart
from pypika.terms import ExistsCriterion, Field

from sales_modes.mode_resolution import walk_in_customers
from sales_modes.reports import DateDiff, apply_filters

# The doctypes the sales figures read, for `reports.report_notes`
READS = ("Sales Invoice", "POS Invoice")


def month_number(field):
	"""Months since year 0: the difference of two is the number of calendar months between them."""
	return Extract(DatePart.year, field) * 12 + Extract(DatePart.month, field) - 1


def counted(doctype: str, table):
	"""The condition on `table` of the documents sales figures count: submitted, and for Sales
	Invoice not consolidated (the consolidated invoices and credit notes: their POS Invoices count)."""
	condition = table.docstatus == 1
	if doctype == "Sales Invoice":
		condition &= table.is_consolidated == 0
	return condition


def sale_documents(doctype: str, filters: frappe._dict, period: bool = True):
	"""(query, table) over the sales and returns of `doctype` that count, with the report's filters
	and the user's permissions."""
	table = DocType(doctype)
	query = frappe.qb.from_(table).where(counted(doctype, table))
	return apply_filters(query, table, doctype, filters, period=period), table


def is_sale(table):
	return table.is_return == 0


def sale_count(table):
	"""Number of sales among the rows (returns are 0)."""
	return Sum(Case().when(is_sale(table), 1).else_(0))


def union_all(queries):
	return reduce(lambda a, b: a.union_all(b), queries)


def customer_notes() -> list[str]:
	"""What the customer figures leave out: the walk-in party, when a POS Profile has one."""
	if not frappe.db.exists("POS Profile", {"customer": ("is", "set"), "disabled": 0}):
		return []
	return [
		_(
			"The walk-in customer of a POS Profile counts in Orders and Net Revenue, not in the customer figures."
		)
	]


def sold_before(filters: frappe._dict, customer):
	"""A condition: `customer` had a sale in the company before the period (any mode, any doctype).

	A consolidated Sales Invoice is not excluded: it is never dated before its POS Invoices, so it
	changes nothing, and the check stays within the customer history index.
	"""
	conditions = []
	for doctype in READS:
		earlier = DocType(doctype).as_("earlier")
		conditions.append(
			ExistsCriterion(
				frappe.qb.from_(earlier)
				.select(earlier.name)
				.where(earlier.customer == customer)
				.where(earlier.company == filters.company)
				.where(earlier.docstatus == 1)
				.where(earlier.is_return == 0)
				.where(earlier.posting_date < filters.from_date)
			)
		)
	return conditions[0] | conditions[1]


def per_customer(filters: frappe._dict):
	"""Per mode and customer, in the period: orders, net revenue, first and last sale, is_new, walk_in."""
	branches = []
	for doctype in READS:
		query, t = sale_documents(doctype, filters)
		branches.append(
			query.select(
				t.sales_mode,
				t.customer,
				sale_count(t).as_("orders"),
				Sum(t.base_net_total).as_("net_revenue"),
				Min(Case().when(is_sale(t), t.posting_date)).as_("first_sale"),
				Max(Case().when(is_sale(t), t.posting_date)).as_("last_sale"),
			).groupby(t.sales_mode, t.customer)
		)
	branch = union_all(branches).as_("sale_branch")
	return (
		frappe.qb.from_(branch)
		.select(
			branch.sales_mode,
			branch.customer,
			Sum(branch.orders).as_("orders"),
			Sum(branch.net_revenue).as_("net_revenue"),
			Min(branch.first_sale).as_("first_sale"),
			Max(branch.last_sale).as_("last_sale"),
			Case().when(branch.customer.isin(walk_in_customers()), 1).else_(0).as_("walk_in"),
			Case().when(sold_before(filters, branch.customer), 0).else_(1).as_("is_new"),
		)
		.groupby(branch.sales_mode, branch.customer)
		.as_("sale_customer")
	)


def mode_figures(filters: frappe._dict) -> dict[str | None, frappe._dict]:
	"""{mode: figures} of the period, as docs/metrics.md defines them.

	orders, net_revenue; customers (with a sale), new_customers (first sale in the company in the
	period), repeat_customers (two or more sales in the period), walk-in parties left out of the
	three; days_between and intervals (the repeat customers' days from first to last sale and
	their sales - 1) for the mean days between purchases.
	"""
	c = per_customer(filters)
	customer = (c.orders >= 1) & (c.walk_in == 0)
	repeat = (c.orders >= 2) & (c.walk_in == 0)
	rows = (
		frappe.qb.from_(c)
		.select(
			c.sales_mode,
			Sum(c.orders).as_("orders"),
			Sum(c.net_revenue).as_("net_revenue"),
			Sum(Case().when(customer, 1).else_(0)).as_("customers"),
			Sum(Case().when(customer & (c.is_new == 1), 1).else_(0)).as_("new_customers"),
			Sum(Case().when(repeat, 1).else_(0)).as_("repeat_customers"),
			Sum(Case().when(repeat, DateDiff(c.last_sale, c.first_sale)).else_(0)).as_("days_between"),
			Sum(Case().when(repeat, c.orders - 1).else_(0)).as_("intervals"),
		)
		.groupby(c.sales_mode)
		.run(as_dict=True)
	)
	return {row.pop("sales_mode"): row for row in rows}


def net_revenue_by_month(filters: frappe._dict) -> dict[tuple[str | None, tuple[int, int]], float]:
	"""{(mode, (year, month)): net revenue} of the period, by posting date."""
	branches = []
	for doctype in READS:
		query, t = sale_documents(doctype, filters)
		year, month = Extract(DatePart.year, t.posting_date), Extract(DatePart.month, t.posting_date)
		branches.append(
			query.select(
				t.sales_mode, year.as_("year"), month.as_("month"), Sum(t.base_net_total).as_("amount")
			).groupby(t.sales_mode, year, month)
		)
	branch = union_all(branches).as_("sale_branch")
	rows = (
		frappe.qb.from_(branch)
		.select(branch.sales_mode, branch.year, branch.month, Sum(branch.amount))
		.groupby(branch.sales_mode, branch.year, branch.month)
		.run()
	)
	return {(mode, (int(year), int(month))): amount or 0 for mode, year, month, amount in rows}


def first_sales(filters: frappe._dict):
	"""Per (mode, customer) whose first sale in the mode falls in the period: first_sale.

	Walk-in parties are left out; every sale counts, a later return does not undo it.
	"""
	branches = []
	for doctype in READS:
		query, t = sale_documents(doctype, filters, period=False)
		branches.append(
			query.select(t.sales_mode, t.customer, Min(t.posting_date).as_("first_sale"))
			.where(is_sale(t))
			.where(t.customer.notin(walk_in_customers()))
			.groupby(t.sales_mode, t.customer)
		)
	branch = union_all(branches).as_("first_branch")
	return (
		frappe.qb.from_(branch)
		.select(branch.sales_mode, branch.customer, Min(branch.first_sale).as_("first_sale"))
		.groupby(branch.sales_mode, branch.customer)
		.having(Min(branch.first_sale) >= filters.from_date)
		.having(Min(branch.first_sale) <= filters.to_date)
		.as_("first_sale")
	)


def cohort_activity(filters: frappe._dict, horizon: int) -> list[frappe._dict]:
	"""{sales_mode, cohort (month number), offset, customers}: distinct customers of each cohort with
	a sale in the mode `offset` months after their first (offset 0: the cohort's size)."""
	branches = []
	for doctype in READS:
		first = first_sales(filters)
		t = DocType(doctype)
		cohort = month_number(first.first_sale)
		offset = month_number(t.posting_date) - cohort
		query = (
			frappe.qb.from_(first)
			.join(t)
			.on((t.customer == first.customer) & (t.sales_mode == first.sales_mode))
			.where(counted(doctype, t))
			.where(is_sale(t))
			.where(offset <= horizon)
			.select(first.sales_mode, first.customer, cohort.as_("cohort"), offset.as_("offset"))
			.groupby(first.sales_mode, first.customer, cohort, offset)
		)
		branches.append(apply_filters(query, t, doctype, filters, period=False))
	branch = union_all(branches).as_("activity")
	return (
		frappe.qb.from_(branch)
		.select(
			branch.sales_mode,
			branch.cohort,
			Field("offset", table=branch),
			Count(branch.customer).distinct().as_("customers"),
		)
		.groupby(branch.sales_mode, branch.cohort, Field("offset", table=branch))
		.run(as_dict=True)
	)
