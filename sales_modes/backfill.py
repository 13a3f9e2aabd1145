"""Give every existing party and sales document a mode, set-based, in batches, resumable.

Each step walks one table in primary-key order, at most `batch_size` rows at a time (keyset
pagination: the batch's upper bound is the last of the next `batch_size` names, never an
OFFSET), and runs the step's UPDATE (or UPDATE ... JOIN) on that key range only, then commits.
So no transaction holds more than `batch_size` rows' locks, and a live site keeps invoicing.

Only rows where sales_mode is blank are written: explicit modes are never overwritten, a second
run changes nothing, and a run killed midway is resumed by running it again (the state is the
data itself: what is still blank). Parties go first so that documents can copy their party's
fresh mode. `update_in_batches` is the generic part: any set-based UPDATE of one doctype, with
as many SET columns as it needs.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import IfNull
from frappe.query_builder.terms import NamedParameterWrapper
from pypika.terms import Criterion, Term, ValueWrapper

from sales_modes.core.mode_sql import customer_mode_sql, lead_mode_sql, prospect_mode_sql
from sales_modes.core.modes import INFERRED, PARTY_DOCTYPES
from sales_modes.mode_resolution import walk_in_condition
from sales_modes.settings import get_mode_map

# Above this many blank rows, installing hands the backfill to a background worker
BACKGROUND_THRESHOLD = 50_000
# Rows per transaction, at most; fewer when the database is slow: each batch aims at BATCH_SECONDS
# (the time it holds its rows' locks), starting at FIRST_BATCH rows and never below MIN_BATCH
BATCH_SIZE = 10_000
BATCH_SECONDS = 0.3
FIRST_BATCH = 1_000
MIN_BATCH = 100
CUSTOMER_DOCUMENTS = ("Sales Order", "Sales Invoice", "POS Invoice", "Delivery Note")
DOC = "doc"  # the alias of the table a batched update walks

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Batch:
	"""One committed batch: its key range, the rows it walked and changed, how long it held them."""

	doctype: str
	first: str
	last: str
	walked: int
	changed: int
	seconds: float  # from the first UPDATE to the end of the commit: the batch's longest row lock


@dataclass
class Batching:
	"""How a run writes: at most `batch_size` rows per transaction (0: one statement per step),
	sized to take about `batch_seconds` each; commits or not; a hook called after each batch."""

	batch_size: int = BATCH_SIZE
	commit: bool = True
	on_batch: Callable[[Batch], None] | None = None
	batch_seconds: float = BATCH_SECONDS
	min_batch: int = MIN_BATCH

	def first(self) -> int:
		return min(FIRST_BATCH, self.batch_size)

	def next(self, rows: int, seconds: float, size: int) -> int:
		"""The next batch's rows: what fits in batch_seconds at the last batch's pace, growing at
		most twofold a batch, within [min_batch, batch_size]."""
		if seconds <= 0:
			return size
		fits = int(rows * self.batch_seconds / seconds)
		return max(min(self.min_batch, self.batch_size), min(fits, 2 * size, self.batch_size))


@dataclass(frozen=True)
class Update:
	"""SET doc.<column> = <term> for each of `values`, joined to `join` (table, ON) where `where`.

	Terms are PyPika terms on `document(doctype)` (alias `doc`) and on the joined table; plain
	values are bound as parameters. Add a column to `values` to set it in the same statement.
	"""

	values: dict[str, Any]
	where: Criterion | None = None
	join: tuple[Any, Criterion] | None = None


@dataclass
class Rendered:
	params: dict[str, Any] = field(default_factory=dict)

	def sql(self, term: Any) -> str:
		wrapper = NamedParameterWrapper()
		wrapper.parameters = self.params  # one namespace of %(paramN)s for the whole statement
		if not isinstance(term, Term):
			term = ValueWrapper(term)
		return term.get_sql(quote_char="`", with_namespace=True, param_wrapper=wrapper)


def document(doctype: str):
	"""The table a batched update walks, under the alias its terms must use."""
	return DocType(doctype).as_(DOC)


def is_blank(column):
	return IfNull(column, "") == ""


def update_sql(doctype: str, update: Update, pending: Criterion, key_range: str, params: dict) -> str:
	rendered = Rendered(params)
	join = ""
	if update.join:
		table, on = update.join
		join = f"JOIN `{table._table_name}` `{table.alias}` ON {rendered.sql(on)}"
	assignments = ", ".join(
		f"`{DOC}`.`{column}` = {rendered.sql(value)}" for column, value in update.values.items()
	)
	conditions = [rendered.sql(pending)]
	if update.where is not None:
		conditions.append(rendered.sql(update.where))
	if key_range:
		conditions.append(key_range)
	return f"UPDATE `tab{doctype}` `{DOC}` {join} SET {assignments} WHERE " + " AND ".join(
		f"({c})" for c in conditions
	)


def update_in_batches(
	doctype: str, pending: Criterion, updates: Sequence[Update], batching: Batching | None = None
) -> int:
	"""Run `updates` on the rows of `doctype` where `pending` holds, `batch_size` rows at a time.

	`pending` reads `doc` alone and says which rows still need the update (blank modes): every
	UPDATE is limited to them, batches without any are skipped, and a killed run resumes by
	running again. Each batch walks the next `batch_size` names after the last batch's last one
	(ORDER BY name LIMIT n: an index range, never an OFFSET), runs every update on that name
	range in one transaction and commits. Batches start at FIRST_BATCH rows and are resized to
	take about `batch_seconds`, never more than `batch_size` rows. Returns the rows changed.
	"""
	batching = batching or Batching()
	if batching.batch_size <= 0:
		return update_at_once(doctype, pending, updates, batching)
	bound = Rendered()
	pending_flag = bound.sql(pending)
	bound_sql = f"""SELECT MIN(name), MAX(name), COUNT(*), SUM(is_pending) FROM (
		SELECT `{DOC}`.name, ({pending_flag}) AS is_pending FROM `tab{doctype}` `{DOC}`
		WHERE `{DOC}`.name > %(after)s ORDER BY `{DOC}`.name LIMIT %(size)s) batch"""
	after, changed, size = "", 0, batching.first()
	while True:
		first, last, walked, to_do = frappe.db.sql(bound_sql, {**bound.params, "after": after, "size": size})[
			0
		]
		if not walked:
			return changed
		batch_changed, seconds = 0, 0.0
		if to_do:
			start = time.perf_counter()
			for update in updates:
				params = {"after": after, "last": last}
				key_range = f"`{DOC}`.name > %(after)s AND `{DOC}`.name <= %(last)s"
				frappe.db.sql(update_sql(doctype, update, pending, key_range, params), params)
				batch_changed += frappe.db._cursor.rowcount
			if batching.commit:
				frappe.db.commit()  # nosemgrep: one short transaction per batch is the point
			seconds = time.perf_counter() - start
		changed += batch_changed
		if batching.on_batch:
			batching.on_batch(Batch(doctype, first, last, walked, batch_changed, seconds))
		if walked < size:
			return changed
		after = last
		# A batch with nothing to write took no lock: the next may walk more rows
		size = batching.next(walked, seconds, size) if to_do else min(2 * size, batching.batch_size)


def update_at_once(doctype: str, pending: Criterion, updates: Sequence[Update], batching: Batching) -> int:
	"""The same updates as one statement each over the whole table: fastest, but it locks every
	row it writes until the end. For comparison (the benchmark) and for sites with no traffic."""
	start, changed = time.perf_counter(), 0
	for update in updates:
		params: dict = {}
		frappe.db.sql(update_sql(doctype, update, pending, "", params), params)
		changed += frappe.db._cursor.rowcount
	if batching.commit:
		frappe.db.commit()  # nosemgrep
	if batching.on_batch:
		batching.on_batch(Batch(doctype, "", "", 0, changed, time.perf_counter() - start))
	return changed


def infer_blank_modes(doctype: str, mode, batching: Batching | None = None) -> None:
	"""SET sales_mode = <the inference rule as SQL>, marked Inferred, WHERE sales_mode is blank."""
	doc = document(doctype)
	inferred = mode(doc)
	update = Update(
		{"sales_mode": inferred, "sales_mode_source": Case().when(inferred.isnotnull(), INFERRED)}
	)
	update_in_batches(doctype, is_blank(doc.sales_mode), [update], batching)


def backfill_customers(batching: Batching | None = None) -> None:
	mode_map = get_mode_map()
	infer_blank_modes(
		"Customer",
		lambda customer: customer_mode_sql(customer.customer_type, mode_map, walk_in_condition(customer)),
		batching,
	)


def backfill_leads(batching: Batching | None = None) -> None:
	mode_map = get_mode_map()
	infer_blank_modes("Lead", lambda lead: lead_mode_sql(lead.company_name, mode_map), batching)


def backfill_prospects(batching: Batching | None = None) -> None:
	mode_map = get_mode_map()
	infer_blank_modes("Prospect", lambda _prospect: prospect_mode_sql(mode_map), batching)


def copy_from_party(
	doctype: str, party_type_field: str | None, party_field: str, batching: Batching | None = None
) -> None:
	"""UPDATE doc JOIN party: blank modes take their party's; one UPDATE per party type and batch.

	Written as SQL around PyPika terms because PyPika leaves the SET column of a multi-table
	UPDATE unqualified, which MariaDB rejects as ambiguous.
	"""
	doc = document(doctype)
	updates = []
	for party_type in PARTY_DOCTYPES if party_type_field else ("Customer",):
		party = DocType(party_type).as_("party")
		where = IfNull(party.sales_mode, "") != ""
		if party_type_field:
			where = where & (doc[party_type_field] == party_type)
		updates.append(
			Update(
				{"sales_mode": party.sales_mode, "sales_mode_source": INFERRED},
				where=where,
				join=(party, party.name == doc[party_field]),
			)
		)
	update_in_batches(doctype, is_blank(doc.sales_mode), updates, batching)


def fill_base_opportunity_amounts(batching: Batching | None = None) -> None:
	"""Company-currency amounts ERPNext left at 0 on deals saved outside the desk form."""
	opportunity = document("Opportunity")
	rate = Case().when(IfNull(opportunity.conversion_rate, 0) == 0, 1).else_(opportunity.conversion_rate)
	update_in_batches(
		"Opportunity",
		(IfNull(opportunity.base_opportunity_amount, 0) == 0) & (opportunity.opportunity_amount > 0),
		[Update({"base_opportunity_amount": opportunity.opportunity_amount * rate})],
		batching,
	)


Step = Callable[[Batching], None]
STEPS: tuple[tuple[str, Step], ...] = (
	("Customer", backfill_customers),
	("Lead", backfill_leads),
	("Prospect", backfill_prospects),
	("Opportunity", lambda b: copy_from_party("Opportunity", "opportunity_from", "party_name", b)),
	("Opportunity", fill_base_opportunity_amounts),
	("Quotation", lambda b: copy_from_party("Quotation", "quotation_to", "party_name", b)),
	*(
		(doctype, lambda b, d=doctype: copy_from_party(d, None, "customer", b))
		for doctype in CUSTOMER_DOCUMENTS
	),
)


def run_backfill(
	progress: Progress | None = None,
	batch_size: int = BATCH_SIZE,
	on_batch: Callable[[Batch], None] | None = None,
	commit: bool = True,
) -> None:
	"""Every step in order, `batch_size` rows per transaction (0: one statement per step).

	`progress(done, total, doctype)` counts rows walked over every step's table. With
	commit=False nothing is committed: the caller's transaction gets every batch.
	"""
	mode_map = get_mode_map()
	if not (mode_map.company or mode_map.partnership or mode_map.individual or mode_map.fallback):
		# Inference would fill nothing and the run would look like a success
		frappe.throw(
			_(
				"Sales Modes Settings map no customer type to a mode, so there is nothing to infer. Set them first."
			),
			title=_("Sales Modes Not Set Up"),
		)
	if batch_size < 0:
		frappe.throw(
			_("The batch size must be 0 (one statement per step) or more, not {0}.").format(batch_size),
			title=_("Invalid Batch Size"),
		)
	counts = {doctype: frappe.db.count(doctype) for doctype in dict.fromkeys(d for d, _step in STEPS)}
	total = sum(counts[doctype] for doctype, _step in STEPS)
	done = 0

	def batch_done(batch: Batch) -> None:
		nonlocal done
		done = min(done + batch.walked, step_end)
		if progress and batch.walked:
			progress(done, total, batch.doctype)
		if on_batch:
			on_batch(batch)

	batching = Batching(batch_size=batch_size, commit=commit, on_batch=batch_done)
	for doctype, step in STEPS:
		step_end = done + counts[doctype]
		if progress:
			progress(done, total, doctype)
		step(batching)
		done = step_end
	if progress:
		progress(total, total, "")


def publish(done: int, total: int, doctype: str) -> None:
	frappe.publish_progress(
		done * 100 / total if total else 100,
		title=_("Backfilling Sales Modes"),
		description=_("Setting the sales mode on {0}").format(_(doctype)) if doctype else _("Done"),
	)


def run_backfill_job() -> None:
	run_backfill(publish)
	# The modes of past invoices have changed: the sale ledger is built from them now
	from sales_modes import sale_ledger

	sale_ledger.rebuild(progress=sale_ledger.publish)


def count_blank_rows() -> int:
	"""Rows without a mode, each doctype counted once (Opportunity has two steps)."""
	total = 0
	for doctype in dict.fromkeys(doctype for doctype, _step in STEPS):
		table = DocType(doctype)
		total += (
			frappe.qb.from_(table)
			.select(frappe.query_builder.functions.Count("*"))
			.where(is_blank(table.sales_mode))
			.run()[0][0]
		)
	return total


def backfill_on_install(commit: bool = True) -> bool:
	"""Small sites are done inline; large ones in a background job that publishes progress (and
	then builds the sale ledger). Returns whether the job was queued."""
	if count_blank_rows() > BACKGROUND_THRESHOLD:
		frappe.enqueue(
			"sales_modes.backfill.run_backfill_job",
			queue="long",
			timeout=3600,
			job_id="sales_modes_backfill",
			deduplicate=True,
			enqueue_after_commit=True,
		)
		print(_("Sales mode backfill of a large site queued as a background job."))
		return True
	run_backfill(commit=commit)
	return False
