"""The sale ledger: one Sale Ledger Entry per sale or return the sales figures count
(docs/metrics.md, "Sales"), kept by the app, so the sales reports read the period's rows of one
narrow index instead of the company's whole invoice history.

A sale's row carries, besides the invoice's own figures, four dates of its customer's history:
- `previous_sale_date`, `next_sale_date`: the customer's neighbouring sales in the same company and
  mode, in the order (posting_date, name); blank on returns;
- `customer_first_sale_date`: the customer's first sale in the company, in any mode (on every row);
- `first_sale_in_mode_date`: the customer's first sale in the company and mode (the month of their
  cohort in Repeat Purchase by Mode); blank on returns.
With them each per-customer figure of a period, and each cohort, is a filtered count over the
period's rows, with no group per customer (`core.sale_ledger` says which, and pure tests prove it
equals grouping per customer). That is what makes Sales Mode Comparison and Repeat Purchase by
Mode cost about one pass over the period each.

Kept exact by:
- submit of a counted invoice (`on_submit`): the row goes in between its neighbours, which are
  relinked; a sale before the customer's first moves the first on all their rows;
- cancel (`on_cancel`): the row goes, its neighbours are relinked, the first is recomputed when it
  was the first. An amendment is a cancel and a submit;
- a customer merged into another (`customer_renamed`): the merged customer's rows are rebuilt;
- `rebuild()`: from the invoices, a batch of customers per transaction (install, migrate, the bulk
  demo, `bench sales-modes rebuild-sale-ledger`, and `daily_check` when it finds a difference).
Every change locks the customer's row first, so two invoices of one customer, or an invoice and a
rebuild batch, never relink the same rows at once; and every read of the ledger it makes is a
locking read, which sees the latest committed rows (a plain read would see the transaction's
snapshot, taken before another invoice of the customer was committed). A rebuild batch reads the
invoices without locking them, so it never waits on (or deadlocks with) an invoice being
submitted; its transaction takes the customers' locks before that read.

The reports read the ledger only when it is complete (`is_ready`: set by a full rebuild, cleared
when the daily check finds the ledger and the invoices differ, as when something wrote invoices
with SQL past the hooks) and when nothing hides part of a customer's history
(`figures.sales.ledger_applies`); otherwise they read the invoices, as before.
"""

from collections.abc import Callable, Iterable, Iterator

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import cint, now

LEDGER = "Sale Ledger Entry"
VOUCHER_TYPES = ("Sales Invoice", "POS Invoice")
READY_KEY = "sales_modes_sale_ledger_ready"
# Invoices per rebuild transaction (a customer with more gets a transaction of their own): about
# 0.5 s each at 213k invoices, 1.1 s at 1M; an invoice of a customer in the batch waits that long
BATCH_ROWS = 2_000
# From this many invoices on, install and migrate rebuild in a background job
BACKGROUND_THRESHOLD = 50_000
# The invoice columns a row copies
COPIED = ("company", "customer", "sales_mode", "posting_date", "is_return", "base_net_total")
HISTORY = ("previous_sale_date", "next_sale_date", "customer_first_sale_date", "first_sale_in_mode_date")

Progress = Callable[[int, int], None]


def entry_name(voucher_type: str, voucher_no: str) -> str:
	"""The row's name: the voucher's, so every way of writing the ledger gives the same rows."""
	return f"{voucher_type}:{voucher_no}"


def is_counted(doc) -> bool:
	"""Submitted, and for a Sales Invoice not consolidated (its POS Invoices are counted instead)."""
	return doc.docstatus == 1 and not (doc.doctype == "Sales Invoice" and cint(doc.get("is_consolidated")))


def counted_condition(voucher_type: str) -> str:
	"""`is_counted` as SQL on the voucher's table."""
	return "docstatus = 1" + (" AND is_consolidated = 0" if voucher_type == "Sales Invoice" else "")


def is_ready() -> bool:
	"""Read from the table, not the defaults cache: a rolled back rebuild must not leave it set."""
	table = DocType("DefaultValue")
	found = (
		frappe.qb.from_(table)
		.select(table.defvalue)
		.where((table.parent == "__default") & (table.defkey == READY_KEY))
		.run()
	)
	return bool(found and cint(found[0][0]))


def set_ready(ready: bool) -> None:
	frappe.db.set_default(READY_KEY, "1" if ready else "0")


# Hooks
def on_submit(doc, method=None):
	if is_counted(doc):
		add_entry(doc)


def on_cancel(doc, method=None):
	remove_entry(doc)


def customer_renamed(doc, method=None, old=None, new=None, merge=False):
	"""A merge moves one customer's invoices onto another: their histories interleave anew."""
	if merge:
		rebuild_customers([new])


# Keeping the rows
def lock_customer(customer: str | None) -> None:
	"""Serialize every ledger change of one customer (all companies) until the transaction ends."""
	if customer:
		frappe.db.sql("SELECT name FROM `tabCustomer` WHERE name = %s FOR UPDATE", customer)


def same_history(t, company: str, customer: str, sales_mode: str | None):
	"""The condition on the ledger `t` of the sales whose order a sale of this customer joins."""
	condition = (t.company == company) & (t.customer == customer) & (t.is_return == 0)
	return condition & (t.sales_mode.isnull() if sales_mode is None else t.sales_mode == sales_mode)


def neighbour(row: frappe._dict, before: bool) -> frappe._dict | None:
	"""The sale of the row's history just before (or after) it in the order (posting_date, name)."""
	t = DocType(LEDGER)
	query = (
		frappe.qb.from_(t)
		.select(t.name, t.posting_date, t.first_sale_in_mode_date)
		.where(same_history(t, row.company, row.customer, row.sales_mode))
		.where(t.name != row.name)
		.limit(1)
	)
	if before:
		query = query.where(t.posting_date <= row.posting_date).where(
			(t.posting_date < row.posting_date) | (t.name < row.name)
		)
		query = query.orderby(t.posting_date, order=frappe.qb.desc).orderby(t.name, order=frappe.qb.desc)
	else:
		query = query.where(t.posting_date >= row.posting_date).where(
			(t.posting_date > row.posting_date) | (t.name > row.name)
		)
		query = query.orderby(t.posting_date).orderby(t.name)
	found = query.for_update().run(as_dict=True)
	return found[0] if found else None


def customer_first_sale(company: str, customer: str) -> object | None:
	"""The customer's first sale date in the company as the ledger holds it: every row of theirs
	carries it, so one row tells (an index probe, even for a walk-in party's million sales)."""
	t = DocType(LEDGER)
	found = (
		frappe.qb.from_(t)
		.select(t.customer_first_sale_date)
		.where((t.company == company) & (t.customer == customer))
		.limit(1)
		.for_update()
		.run()
	)
	return found[0][0] if found else None


def earliest_sale(company: str, customer: str) -> object | None:
	"""The customer's first sale in the company, read from the sales themselves: the first of each
	mode's order (an index probe per mode), then the earliest of those."""
	t = DocType(LEDGER)
	firsts = []
	for mode in [*frappe.get_all("Sales Mode", pluck="name"), None]:
		found = (
			frappe.qb.from_(t)
			.select(t.posting_date)
			.where(same_history(t, company, customer, mode))
			.orderby(t.posting_date)
			.limit(1)
			.for_update()
			.run()
		)
		if found:
			firsts.append(found[0][0])
	return min(firsts) if firsts else None


def set_customer_first_sale(company: str, customer: str, first) -> None:
	t = DocType(LEDGER)
	(
		frappe.qb.update(t)
		.set(t.customer_first_sale_date, first)
		.where((t.company == company) & (t.customer == customer))
		.run()
	)


def set_first_sale_in_mode(row: frappe._dict, first) -> None:
	"""On every sale of the row's history (company, customer, mode)."""
	t = DocType(LEDGER)
	(
		frappe.qb.update(t)
		.set(t.first_sale_in_mode_date, first)
		.where(same_history(t, row.company, row.customer, row.sales_mode))
		.run()
	)


def set_dates(name: str, **dates) -> None:
	t = DocType(LEDGER)
	query = frappe.qb.update(t).where(t.name == name)
	for fieldname, value in dates.items():
		query = query.set(t[fieldname], value)
	query.run()


def add_entry(doc) -> None:
	"""Insert the invoice's row and relink its neighbours (the invoice's own transaction)."""
	lock_customer(doc.customer)
	row = frappe._dict({field: doc.get(field) for field in COPIED})
	row.name = entry_name(doc.doctype, doc.name)
	row.posting_date = frappe.utils.getdate(row.posting_date)
	row.is_return = cint(row.is_return)
	row.sales_mode = row.sales_mode or None
	if frappe.db.get_value(LEDGER, row.name, "name", for_update=True):
		return
	first = customer_first_sale(row.company, row.customer)
	previous = following = mode_first = None
	if not row.is_return:
		previous, following = neighbour(row, before=True), neighbour(row, before=False)
		if first is None or row.posting_date < first:
			first = row.posting_date
			set_customer_first_sale(row.company, row.customer, first)
		if previous:
			mode_first = previous.first_sale_in_mode_date
		else:  # the first sale in the mode: the later ones' first moves to it
			mode_first = row.posting_date
			if following:
				set_first_sale_in_mode(row, mode_first)
	row.update(
		previous_sale_date=previous.posting_date if previous else None,
		next_sale_date=following.posting_date if following else None,
		customer_first_sale_date=first,
		first_sale_in_mode_date=mode_first,
	)
	insert_rows([(doc.doctype, doc.name, row)])
	if previous:
		set_dates(previous.name, next_sale_date=row.posting_date)
	if following:
		set_dates(following.name, previous_sale_date=row.posting_date)


def remove_entry(doc) -> None:
	"""Delete the invoice's row and relink its neighbours; recompute the customer's first sale when
	it was this one."""
	lock_customer(doc.customer)
	name = entry_name(doc.doctype, doc.name)
	row = frappe.db.get_value(LEDGER, name, ["name", *COPIED, *HISTORY], as_dict=True, for_update=True)
	if not row:
		return
	frappe.db.delete(LEDGER, {"name": name})
	if row.is_return:
		return
	previous, following = neighbour(row, before=True), neighbour(row, before=False)
	if previous:
		set_dates(previous.name, next_sale_date=following.posting_date if following else None)
	if following:
		set_dates(following.name, previous_sale_date=previous.posting_date if previous else None)
		if not previous:  # it was the first sale in the mode: the next one is now
			set_first_sale_in_mode(row, following.posting_date)
	if row.posting_date == row.customer_first_sale_date:
		first = earliest_sale(row.company, row.customer)
		if first != row.customer_first_sale_date:
			set_customer_first_sale(row.company, row.customer, first)


INSERT_COLUMNS = ("voucher_type", "voucher_no", *COPIED, *HISTORY)


def insert_rows(rows: list[tuple[str, str, dict]]) -> None:
	"""(voucher_type, voucher_no, values) rows, in one multi-row INSERT per 10,000."""
	stamp, user = now(), frappe.session.user
	frappe.db.bulk_insert(
		LEDGER,
		["name", "creation", "modified", "owner", "modified_by", *INSERT_COLUMNS],
		[
			(
				entry_name(voucher_type, voucher_no),
				stamp,
				stamp,
				user,
				user,
				voucher_type,
				voucher_no,
				*(values[column] for column in INSERT_COLUMNS[2:]),
			)
			for voucher_type, voucher_no, values in rows
		],
	)


# Rebuilding from the invoices
def counted_invoices(customers: list[str]) -> str:
	"""The counted sales and returns of `customers` (SQL, with %(customers)s), as ledger rows."""
	branches = []
	for voucher_type in VOUCHER_TYPES:
		branches.append(
			f"""SELECT '{voucher_type}' AS voucher_type, name AS voucher_no,
				CONCAT('{voucher_type}:', name) AS name, company, customer, sales_mode, posting_date,
				is_return, base_net_total
			FROM `tab{voucher_type}`
			WHERE customer IN %(customers)s AND {counted_condition(voucher_type)}"""
		)
	return " UNION ALL ".join(branches)


def rebuild_customers(customers: list[str]) -> int:
	"""Rewrite the rows of `customers` from their invoices, in the caller's transaction. Returns the
	number of rows written. Exact under concurrent submits only in a transaction that read nothing
	before (as `rebuild` runs it with commit): the invoices are read from the transaction's
	snapshot, which must not predate the customers' locks."""
	customers = sorted({c for c in customers if c})
	if not customers:
		return 0
	# Locked in name order, as every other ledger change locks: no deadlock between batches
	frappe.db.sql(
		"SELECT name FROM `tabCustomer` WHERE name IN %(customers)s ORDER BY name FOR UPDATE",
		{"customers": customers},
	)
	frappe.db.delete(LEDGER, {"customer": ("in", customers)})
	# A plain SELECT: a consistent read that locks no invoice (see the module's docstring)
	rows = frappe.db.sql(
		f"""
		SELECT voucher_type, voucher_no, {", ".join(COPIED)},
			CASE WHEN is_return = 0 THEN LAG(posting_date) OVER sale_order END AS previous_sale_date,
			CASE WHEN is_return = 0 THEN LEAD(posting_date) OVER sale_order END AS next_sale_date,
			MIN(CASE WHEN is_return = 0 THEN posting_date END)
				OVER (PARTITION BY company, customer) AS customer_first_sale_date,
			CASE WHEN is_return = 0 THEN MIN(posting_date) OVER sale_order END AS first_sale_in_mode_date
		FROM ({counted_invoices(customers)}) invoice
		WINDOW sale_order AS (PARTITION BY company, customer, sales_mode, is_return ORDER BY posting_date, name)
		""",
		{"customers": customers},
		as_dict=True,
	)
	insert_rows([(row.voucher_type, row.voucher_no, row) for row in rows])
	return len(rows)


def customer_batches(customers: dict[str, int], batch_rows: int = BATCH_ROWS) -> Iterator[list[str]]:
	"""Customers in name order, grouped so that each group has at most `batch_rows` invoices (a
	customer with more is a group alone)."""
	batch, rows = [], 0
	for customer in sorted(customers):
		if batch and rows + customers[customer] > batch_rows:
			yield batch
			batch, rows = [], 0
		batch.append(customer)
		rows += customers[customer]
	if batch:
		yield batch


def invoice_counts() -> dict[str, int]:
	"""{customer: submitted invoices} over both doctypes, and every customer the ledger holds (0 when
	they have none left), read from the customer indexes."""
	counts: dict[str, int] = {}
	for voucher_type in VOUCHER_TYPES:
		for customer, count in frappe.db.sql(
			f"SELECT customer, COUNT(*) FROM `tab{voucher_type}` WHERE docstatus = 1 GROUP BY customer"
		):
			if customer:
				counts[customer] = counts.get(customer, 0) + count
	for (customer,) in frappe.db.sql(f"SELECT DISTINCT customer FROM `tab{LEDGER}`"):
		counts.setdefault(customer, 0)
	return counts


def rebuild(
	customers: Iterable[str] | None = None,
	commit: bool = True,
	progress: Progress | None = None,
	batch_rows: int = BATCH_ROWS,
) -> int:
	"""Rewrite the ledger from the invoices (every customer, or just `customers`), one transaction
	per batch of customers when `commit`. A full rebuild marks the ledger ready when it ends; the
	reports read the invoices meanwhile. Returns the number of rows written."""
	full = customers is None
	counts = invoice_counts()
	if not full:
		counts = {customer: counts.get(customer, 0) for customer in customers}
	if full:
		set_ready(False)
	if commit:
		# The reports stop reading the ledger now; and each batch's transaction must begin with
		# its customers' locks, so that its read of their invoices (a snapshot taken at the
		# transaction's first plain read) sees every invoice committed before it holds them
		frappe.db.commit()  # nosemgrep
	total, done, written = sum(counts.values()), 0, 0
	for batch in customer_batches(counts, batch_rows):
		written += rebuild_customers(batch)
		done += sum(counts[customer] for customer in batch)
		if commit:
			frappe.db.commit()  # nosemgrep: one batch of customers per transaction
		if progress:
			progress(done, total)
	if full:
		set_ready(True)
		if commit:
			frappe.db.commit()  # nosemgrep: the ledger is whole
	return written


def publish(done: int, total: int) -> None:
	frappe.publish_progress(
		done * 100 / total if total else 100,
		title=_("Building the Sale Ledger"),
		description=_("{0} of {1} invoices").format(done, total),
	)


def rebuild_job() -> None:
	rebuild(progress=publish)


def enqueue_rebuild() -> None:
	frappe.enqueue(
		"sales_modes.sale_ledger.rebuild_job",
		queue="long",
		timeout=7200,
		job_id="sales_modes_sale_ledger_rebuild",
		deduplicate=True,
		enqueue_after_commit=True,
	)


def rebuild_on_install(commit: bool = True) -> None:
	"""Small sites inline; big ones in a background job (the reports read the invoices until it ends)."""
	if sum(frappe.db.count(doctype, {"docstatus": 1}) for doctype in VOUCHER_TYPES) > BACKGROUND_THRESHOLD:
		set_ready(False)
		enqueue_rebuild()
		print(_("The sale ledger of a large site is being built in a background job."))
	else:
		rebuild(commit=commit)


def rebuild_if_not_ready() -> None:
	"""Migrate: a site that has never had the ledger whole (an upgrade from before it) gets it."""
	if not is_ready():
		rebuild_on_install()


def customers_with_other_modes() -> list[str]:
	"""Customers with a row whose mode is no longer its invoice's (a backfill filled blank modes)."""
	customers = set()
	for voucher_type in VOUCHER_TYPES:
		customers.update(
			frappe.db.sql_list(
				f"""SELECT DISTINCT entry.customer FROM `tab{LEDGER}` entry
				JOIN `tab{voucher_type}` invoice ON invoice.name = entry.voucher_no
				WHERE entry.voucher_type = %s AND NOT (entry.sales_mode <=> invoice.sales_mode)""",
				voucher_type,
			)
		)
	return sorted(customers)


def follow_invoice_modes(commit: bool = True) -> int:
	"""After a backfill: rebuild the customers whose invoices changed mode. Returns how many."""
	customers = customers_with_other_modes()
	if customers:
		rebuild(customers, commit=commit)
	return len(customers)


# The daily check
def totals(table: str, condition: str) -> dict[tuple, tuple[int, float]]:
	return {
		(company, sales_mode or None, cint(is_return)): (count, round(float(amount or 0), 2))
		for company, sales_mode, is_return, count, amount in frappe.db.sql(
			f"""SELECT company, sales_mode, is_return, COUNT(*), SUM(base_net_total)
			FROM `tab{table}` WHERE {condition} GROUP BY company, sales_mode, is_return"""
		)
	}


def differences() -> list[str]:
	"""How the ledger differs from the invoices: rows and amounts per company, mode and kind."""
	invoices: dict[tuple, tuple[int, float]] = {}
	for voucher_type in VOUCHER_TYPES:
		for key, (count, amount) in totals(voucher_type, counted_condition(voucher_type)).items():
			before = invoices.get(key, (0, 0.0))
			invoices[key] = (before[0] + count, round(before[1] + amount, 2))
	ledger = totals(LEDGER, "1 = 1")
	return [
		f"{key}: invoices {invoices.get(key)}, ledger {ledger.get(key)}"
		for key in sorted(set(invoices) | set(ledger), key=str)
		if invoices.get(key) != ledger.get(key)
	]


def daily_check() -> None:
	"""Invoices written past the hooks (SQL imports, scripts) leave the ledger behind: the reports
	go back to the invoices and the ledger is rebuilt. A rebuild that never ended (its worker was
	stopped) is queued again (a queued or running one is not doubled: the job id is fixed)."""
	if not is_ready():
		enqueue_rebuild()
		return
	found = differences()
	if not found:
		return
	frappe.log_error(
		title=_("Sale ledger differs from the invoices: rebuilding"),
		message="\n".join(found),
	)
	set_ready(False)
	enqueue_rebuild()


def forget_ready() -> None:
	"""Uninstall: a reinstall builds the ledger anew."""
	frappe.defaults.clear_default(READY_KEY, parent="__default")
