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
from frappe.query_builder.functions import Count, CustomFunction, Extract, Max, Min, Sum
from frappe.utils import add_months, get_first_day, getdate
from pypika import analytics as an
from pypika.enums import DatePart
from pypika.terms import AggregateFunction, ExistsCriterion, Field, Term

from sales_modes import sale_ledger
from sales_modes.core.sale_ledger import FIGURES, customer_figures
from sales_modes.mode_resolution import walk_in_customers
from sales_modes.reports import DateDiff, apply_filters, permission_condition

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


def counted_doctypes(company: str) -> tuple[str, ...]:
	"""The doctypes of READS with at least one counted document in the company (one index probe
	each). A doctype with none adds nothing to any sales figure, so its branch can be left out,
	and with one doctype left the per-customer figures need no UNION regrouped in a temporary table."""
	found = []
	for doctype in READS:
		t = DocType(doctype)
		probe = frappe.qb.from_(t).select(t.name).where(counted(doctype, t)).where(t.company == company)
		if probe.limit(1).run():
			found.append(doctype)
	return tuple(found) or READS[:1]


def single_pass_applies(filters: frappe._dict) -> bool:
	"""Whether New Customers may be read from the same pass as the period's figures: only when the
	filters keep the company's whole sales history in the pass. A Sales Mode, Territory or Customer
	Group filter, or a user whose read permissions restrict the invoices, would hide earlier sales
	the figure must see (a customer's first sale in the company, in any mode); then `per_customer`
	probes the history of each customer instead."""
	if filters.sales_mode or filters.territory or filters.customer_group:
		return False
	return all(permission_condition(doctype, DocType(doctype)) is None for doctype in READS)


def per_customer(filters: frappe._dict):
	"""Per mode and customer, in the period: orders, net revenue, first and last sale, is_new, walk_in."""
	if single_pass_applies(filters):
		return per_customer_single_pass(filters)
	return per_customer_probing(filters)


def per_customer_single_pass(filters: frappe._dict):
	"""`per_customer` in one index-ordered pass over the company's sales up to the period's end: the
	period's figures summed under CASE, the customer's first sale in any mode as the window minimum
	of the modes' first sales. Only when `single_pass_applies`."""
	branches, tables = [], []
	for doctype in counted_doctypes(filters.company):
		t = DocType(doctype)
		in_period = t.posting_date >= filters.from_date
		sale_in_period = is_sale(t) & in_period
		tables.append(t)
		branches.append(
			frappe.qb.from_(t)
			.where(counted(doctype, t))
			.where(t.company == filters.company)
			.where(t.posting_date <= filters.to_date)
			.select(
				t.sales_mode,
				t.customer,
				Sum(Case().when(in_period, 1).else_(0)).as_("period_rows"),
				Sum(Case().when(sale_in_period, 1).else_(0)).as_("orders"),
				Sum(Case().when(in_period, t.base_net_total).else_(0)).as_("net_revenue"),
				Min(Case().when(sale_in_period, t.posting_date)).as_("first_sale"),
				Max(Case().when(sale_in_period, t.posting_date)).as_("last_sale"),
				Min(Case().when(is_sale(t), t.posting_date)).as_("first_ever"),
			)
			.groupby(t.sales_mode, t.customer)
		)
	if len(branches) == 1:
		# One doctype: the window runs over the grouped rows of the same pass
		b = tables[0]
		grouped = branches[0].select(
			an.Min(Min(Case().when(is_sale(b), b.posting_date))).over(b.customer).as_("customer_first")
		)
	else:
		union = union_all(branches).as_("sale_branch")
		grouped = (
			frappe.qb.from_(union)
			.select(
				union.sales_mode,
				union.customer,
				Sum(union.period_rows).as_("period_rows"),
				Sum(union.orders).as_("orders"),
				Sum(union.net_revenue).as_("net_revenue"),
				Min(union.first_sale).as_("first_sale"),
				Max(union.last_sale).as_("last_sale"),
				an.Min(Min(union.first_ever)).over(union.customer).as_("customer_first"),
			)
			.groupby(union.sales_mode, union.customer)
		)
	g = grouped.as_("sale_history")
	return (
		frappe.qb.from_(g)
		.select(
			g.sales_mode,
			g.customer,
			g.orders,
			g.net_revenue,
			g.first_sale,
			g.last_sale,
			Case().when(g.customer.isin(walk_in_customers()), 1).else_(0).as_("walk_in"),
			Case().when(g.customer_first < filters.from_date, 0).else_(1).as_("is_new"),
		)
		.where(g.period_rows > 0)
		.as_("sale_customer")
	)


def per_customer_probing(filters: frappe._dict):
	"""`per_customer` for any filters and permissions: the period's sales grouped per mode and
	customer, and an index probe per customer for an earlier sale."""
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


def mode_figures(filters: frappe._dict, plan=None) -> dict[str | None, frappe._dict]:
	"""{mode: figures} of the period, as docs/metrics.md defines them.

	orders, net_revenue; customers (with a sale), new_customers (first sale in the company in the
	period), repeat_customers (two or more sales in the period), walk-in parties left out of the
	three; days_between and intervals (the repeat customers' days from first to last sale and
	their sales - 1) for the mean days between purchases. `plan` (tests, benchmark) forces one
	of per_customer's two queries.
	"""
	if plan is None and ledger_applies(filters):
		return mode_figures_from_ledger(filters)
	c = (plan or per_customer)(filters)
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


def ledger_applies(filters: frappe._dict) -> bool:
	"""Whether `mode_figures` may read the sale ledger: it is whole, and no Territory or Customer
	Group filter or restricted read permission hides part of a customer's history (a Sales Mode
	filter does not: each row carries its customer's history in its own mode and in the company)."""
	if filters.territory or filters.customer_group or not sale_ledger.is_ready():
		return False
	return all(permission_condition(doctype, DocType(doctype)) is None for doctype in READS)


def ledger_sums(filters: frappe._dict, walk_ins: list[str] | None = None) -> list[frappe._dict]:
	"""Per mode and kind (sale or return) over the ledger's rows of the period (of the walk-in
	parties only, when given): rows, net revenue and the sums of core.sale_ledger `sums`, one
	comparison each. Read in the order of `sales_modes_ledger_period` (or, for the walk-in
	parties, `sales_modes_ledger_customer`): one range per mode and kind, no temporary table."""
	t = DocType(sale_ledger.LEDGER)
	start, end = filters.from_date, filters.to_date
	later = t.previous_sale_date >= start
	next_in = t.next_sale_date <= end
	query = (
		frappe.qb.from_(t)
		.select(
			t.sales_mode,
			t.is_return,
			Count("*").as_("sales"),
			Sum(t.base_net_total).as_("net_revenue"),
			Sum(later).as_("later"),
			Sum(t.previous_sale_date.isnull() & (t.customer_first_sale_date >= start)).as_("new"),
			Sum(next_in).as_("next_in"),
			Sum(later & next_in).as_("later_next_in"),
			Sum(Case().when(later, DateDiff(t.posting_date, t.previous_sale_date)).else_(0)).as_("gaps"),
		)
		.where(t.company == filters.company)
		.where(t.is_return.isin((0, 1)))
		.where(t.posting_date >= start)
		.where(t.posting_date <= end)
		.groupby(t.sales_mode, t.is_return)
	)
	return run_by_mode(query, t, filters, walk_ins)


def run_by_mode(query, t, filters: frappe._dict, walk_ins: list[str] | None) -> list[frappe._dict]:
	"""Run a ledger query with its modes as ranges of the index (the mode filtered on, or every
	mode the company's rows hold, blank included), of the walk-in parties only when given."""
	modes = [filters.sales_mode] if filters.sales_mode else ledger_modes(filters.company)
	named = [mode for mode in modes if mode]
	condition = t.sales_mode.isin(named) if named else None
	if None in modes:
		condition = t.sales_mode.isnull() if condition is None else condition | t.sales_mode.isnull()
	if condition is None:
		return []
	if walk_ins is not None:
		query = query.where(t.customer.isin(walk_ins))
	return query.where(condition).run(as_dict=True)


def ledger_modes(company: str) -> list[str | None]:
	"""The modes the company's ledger rows hold, blank included: an index probe per mode (a
	DISTINCT would read every row's index entry)."""
	t = DocType(sale_ledger.LEDGER)
	of_company = frappe.qb.from_(t).where(t.company == company)
	modes = [None] if of_company.select(t.name).where(t.sales_mode.isnull()).limit(1).run() else []
	after = None
	while True:
		next_mode = (
			of_company.select(t.sales_mode)
			.where(t.sales_mode.isnotnull() if after is None else t.sales_mode > after)
			.orderby(t.sales_mode)
			.limit(1)
			.run()
		)
		if not next_mode:
			return modes
		after = next_mode[0][0]
		modes.append(after)


def mode_figures_from_ledger(filters: frappe._dict) -> dict[str | None, frappe._dict]:
	"""`mode_figures` from the sale ledger's rows of the period alone (core/sale_ledger.py says
	how each customer figure is a sum over them; `period_figures` there is this in Python)."""
	figures: dict[str | None, frappe._dict] = {}
	walk_ins = walk_in_customers().run(pluck=True)
	for sign, rows in ((1, ledger_sums(filters)), (-1, ledger_sums(filters, walk_ins) if walk_ins else [])):
		for row in rows:
			f = figures.setdefault(row.sales_mode, frappe._dict.fromkeys(FIGURES, 0))
			if sign == 1:
				f.net_revenue += row.net_revenue or 0
			if row.is_return:
				continue
			if sign == 1:
				f.orders += row.sales
			# SUM over comparisons with blank dates only is NULL
			for key, value in customer_figures({k: v or 0 for k, v in row.items()}).items():
				f[key] += sign * int(value)
	return figures


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


# The months a cohort pass can follow in one BIGINT bit mask: the period's months and the horizon
MASK_BITS = 64


class ShiftLeft(Term):
	"""1 << bits: the mask of one month."""

	def __init__(self, bits):
		super().__init__()
		self.bits = bits

	def get_sql(self, **kwargs):
		return f"(1 << ({self.bits.get_sql(**kwargs)}))"


class MaskBit(Term):
	"""(mask >> position) & 1: whether the month at `position` is in `mask`."""

	def __init__(self, mask, position):
		super().__init__()
		self.mask, self.position = mask, position

	def get_sql(self, **kwargs):
		return f"(({self.mask.get_sql(**kwargs)} >> ({self.position.get_sql(**kwargs)})) & 1)"


def BitOr(term):
	return AggregateFunction("BIT_OR", term)


def month_of(day) -> int:
	"""month_number of a Python date."""
	day = getdate(day)
	return day.year * 12 + day.month - 1


REPEAT_FIGURES = ("customers", "repeat_customers", "days_between", "intervals")


def cohort_activity(filters: frappe._dict, horizon: int) -> list[frappe._dict]:
	"""{sales_mode, cohort (month number), offset, customers}: distinct customers of each cohort with
	a sale in the mode `offset` months after their first (offset 0: the cohort's size)."""
	return cohorts_and_repeat_figures(filters, horizon)[0]


def cohorts_and_repeat_figures(filters: frappe._dict, horizon: int) -> tuple[list[frappe._dict], dict]:
	"""(cohort_activity, {mode: figures}) where the figures are those of `mode_figures` that count
	sales only (customers, repeat_customers, days_between, intervals: no returns, no history).

	From the sale ledger when it applies (two passes over the period's rows, and the horizon's);
	else periods whose months and horizon fit a bit mask (MASK_BITS, about five years) take one
	pass over the invoices for both; longer ones the join back to each first sale, and
	mode_figures."""
	if ledger_applies(filters):
		figures = mode_figures_from_ledger(filters)
		return cohort_activity_from_ledger(filters, horizon), {
			mode: frappe._dict({key: f[key] for key in REPEAT_FIGURES})
			for mode, f in figures.items()
			if f.customers
		}
	if month_of(filters.to_date) - month_of(filters.from_date) + horizon < MASK_BITS:
		return cohort_activity_single_pass(filters, horizon)
	figures = mode_figures(filters)
	return cohort_activity_joined(filters, horizon), {
		mode: frappe._dict({key: f[key] for key in REPEAT_FIGURES}) for mode, f in figures.items()
	}


LastDay = CustomFunction("LAST_DAY", ["date"])


def cohort_activity_from_ledger(filters: frappe._dict, horizon: int) -> list[frappe._dict]:
	"""`cohort_activity` from the sale ledger: a customer is active in a month on their first sale
	of that month (no previous sale in the mode, or one in an earlier month), in the cohort of the
	month of their first sale in the mode; counted per mode, cohort and offset, no group per
	customer (core/sale_ledger.py `period_cohorts` is this in Python). The walk-in parties' counts
	are taken apart and subtracted."""
	t = DocType(sale_ledger.LEDGER)
	end = add_months(get_first_day(filters.to_date), horizon + 1)  # the day after the last month read
	cohort = month_number(t.first_sale_in_mode_date)
	offset = month_number(t.posting_date) - cohort
	query = (
		frappe.qb.from_(t)
		.select(t.sales_mode, cohort.as_("cohort"), offset.as_("offset"), Count("*").as_("customers"))
		.where(t.company == filters.company)
		.where(t.is_return == 0)
		.where(t.posting_date >= filters.from_date)
		.where(t.posting_date < end)
		.where(t.first_sale_in_mode_date >= filters.from_date)
		.where(t.first_sale_in_mode_date <= filters.to_date)
		.where(t.previous_sale_date.isnull() | (LastDay(t.previous_sale_date) < t.posting_date))
		.where(offset <= horizon)
		.groupby(t.sales_mode, cohort, offset)
	)
	counts: dict[tuple, int] = {}
	walk_ins = walk_in_customers().run(pluck=True)
	for sign, rows in (
		(1, run_by_mode(query, t, filters, None)),
		(-1, run_by_mode(query, t, filters, walk_ins) if walk_ins else []),
	):
		for row in rows:
			key = (row.sales_mode, int(row.cohort), int(row.offset))
			counts[key] = counts.get(key, 0) + sign * int(row.customers)
	return [
		frappe._dict(sales_mode=mode, cohort=cohort, offset=offset, customers=customers)
		for (mode, cohort, offset), customers in counts.items()
		if customers
	]


def cohort_activity_single_pass(filters: frappe._dict, horizon: int) -> tuple[list[frappe._dict], dict]:
	"""`cohorts_and_repeat_figures` in one index-ordered pass per doctype over the sales (never the
	returns), grouped per mode and customer: the first sale, the months with a sale as bits of a
	mask (bit 0: the period's first month), and the period's sales, first and last. The outer
	query groups per mode and first-sale month; the repeat figures of a mode are the sums of its
	few groups."""
	base = month_of(filters.from_date)
	end = add_months(get_first_day(filters.to_date), horizon + 1)  # the day after the last month read
	branches = []
	for doctype in counted_doctypes(filters.company):
		query, t = sale_documents(doctype, filters, period=False)
		month_bit = ShiftLeft(month_number(t.posting_date) - base)
		in_period = (t.posting_date >= filters.from_date) & (t.posting_date <= filters.to_date)
		branches.append(
			query.where(is_sale(t))
			.where(t.posting_date < end)
			.select(
				t.sales_mode,
				t.customer,
				Min(t.posting_date).as_("first_sale"),
				BitOr(Case().when(t.posting_date >= filters.from_date, month_bit).else_(0)).as_("months"),
				Sum(Case().when(in_period, 1).else_(0)).as_("orders"),
				Min(Case().when(in_period, t.posting_date)).as_("first_in_period"),
				Max(Case().when(in_period, t.posting_date)).as_("last_in_period"),
			)
			.groupby(t.sales_mode, t.customer)
		)
	if len(branches) > 1:
		union = union_all(branches).as_("first_branch")
		customers = (
			frappe.qb.from_(union)
			.select(
				union.sales_mode,
				union.customer,
				Min(union.first_sale).as_("first_sale"),
				BitOr(union.months).as_("months"),
				Sum(union.orders).as_("orders"),
				Min(union.first_in_period).as_("first_in_period"),
				Max(union.last_in_period).as_("last_in_period"),
			)
			.groupby(union.sales_mode, union.customer)
		)
	else:
		customers = branches[0]
	c = customers.as_("mode_customer")
	cohort = month_number(c.first_sale)
	in_cohort = (c.first_sale >= filters.from_date) & (c.first_sale <= filters.to_date)
	repeat = c.orders >= 2
	rows = (
		frappe.qb.from_(c)
		.select(
			c.sales_mode,
			cohort.as_("cohort"),
			Sum(Case().when(in_cohort, 1).else_(0)).as_("cohort_customers"),
			*[
				Sum(Case().when(in_cohort, MaskBit(c.months, cohort - base + offset)).else_(0)).as_(
					f"offset_{offset}"
				)
				for offset in range(1, horizon + 1)
			],
			Sum(Case().when(c.orders >= 1, 1).else_(0)).as_("customers"),
			Sum(Case().when(repeat, 1).else_(0)).as_("repeat_customers"),
			Sum(Case().when(repeat, DateDiff(c.last_in_period, c.first_in_period)).else_(0)).as_(
				"days_between"
			),
			Sum(Case().when(repeat, c.orders - 1).else_(0)).as_("intervals"),
		)
		.where(c.customer.notin(walk_in_customers()))
		.groupby(c.sales_mode, cohort)
		.run(as_dict=True)
	)
	activity = []
	figures: dict = {}
	for row in rows:  # a few groups per mode (one per first-sale month), never a document
		row["offset_0"] = row.cohort_customers
		activity += [
			frappe._dict(sales_mode=row.sales_mode, cohort=row.cohort, offset=offset, customers=int(count))
			for offset in range(horizon + 1)
			if (count := row[f"offset_{offset}"])
		]
		if row.customers:
			mode = figures.setdefault(row.sales_mode, frappe._dict.fromkeys(REPEAT_FIGURES, 0))
			for key in REPEAT_FIGURES:
				mode[key] += int(row[key] or 0)
	return activity, figures


def cohort_activity_joined(filters: frappe._dict, horizon: int) -> list[frappe._dict]:
	"""`cohort_activity` for any period: each cohort customer's sales joined back to its first sale."""
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
