"""Give every existing party and sales document a mode, set-based and idempotent.

One UPDATE (or UPDATE ... JOIN) per doctype and party type, never a loop over rows, and only
where sales_mode is blank: explicit modes are never overwritten, and a second run changes
nothing. Parties go first so that documents can copy their party's fresh mode.
"""

from collections.abc import Callable

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import IfNull

from sales_modes.core.mode_sql import customer_mode_sql, lead_mode_sql, prospect_mode_sql
from sales_modes.core.modes import INFERRED, PARTY_DOCTYPES
from sales_modes.mode_resolution import walk_in_condition
from sales_modes.settings import get_mode_map

# Above this many blank rows, installing hands the backfill to a background worker
BACKGROUND_THRESHOLD = 50_000
CUSTOMER_DOCUMENTS = ("Sales Order", "Sales Invoice", "POS Invoice", "Delivery Note")

Progress = Callable[[int, int, str], None]


def is_blank(column):
	return IfNull(column, "") == ""


def infer_blank_modes(doctype: str, mode) -> None:
	"""SET sales_mode = <the inference rule as SQL>, marked Inferred, WHERE sales_mode is blank."""
	table = DocType(doctype)
	inferred = mode(table)
	(
		frappe.qb.update(table)
		.set(table.sales_mode, inferred)
		.set(table.sales_mode_source, Case().when(inferred.isnotnull(), INFERRED))
		.where(is_blank(table.sales_mode))
	).run()


def backfill_customers() -> None:
	mode_map = get_mode_map()
	infer_blank_modes(
		"Customer",
		lambda customer: customer_mode_sql(customer.customer_type, mode_map, walk_in_condition(customer)),
	)


def backfill_leads() -> None:
	mode_map = get_mode_map()
	infer_blank_modes("Lead", lambda lead: lead_mode_sql(lead.company_name, mode_map))


def backfill_prospects() -> None:
	mode_map = get_mode_map()
	infer_blank_modes("Prospect", lambda _prospect: prospect_mode_sql(mode_map))


def copy_from_party(doctype: str, party_type_field: str | None, party_field: str) -> None:
	"""UPDATE doc JOIN party: blank modes take their party's; one statement per party type.

	Written as SQL because PyPika leaves the SET column of a multi-table UPDATE unqualified,
	which MariaDB rejects as ambiguous. Table and column names come from constants above.
	"""
	party_types = PARTY_DOCTYPES if party_type_field else ("Customer",)
	for party_type in party_types:
		condition = f"AND doc.`{party_type_field}` = %(party_type)s" if party_type_field else ""
		frappe.db.sql(
			f"""
			UPDATE `tab{doctype}` doc
			JOIN `tab{party_type}` party ON party.name = doc.`{party_field}`
			SET doc.sales_mode = party.sales_mode, doc.sales_mode_source = %(inferred)s
			WHERE IFNULL(doc.sales_mode, '') = '' AND IFNULL(party.sales_mode, '') != '' {condition}
			""",
			{"party_type": party_type, "inferred": INFERRED},
		)


def fill_base_opportunity_amounts() -> None:
	"""Company-currency amounts ERPNext left at 0 on deals saved outside the desk form."""
	opportunity = DocType("Opportunity")
	rate = Case().when(IfNull(opportunity.conversion_rate, 0) == 0, 1).else_(opportunity.conversion_rate)
	(
		frappe.qb.update(opportunity)
		.set(opportunity.base_opportunity_amount, opportunity.opportunity_amount * rate)
		.where(IfNull(opportunity.base_opportunity_amount, 0) == 0)
		.where(opportunity.opportunity_amount > 0)
	).run()


STEPS: tuple[tuple[str, Callable[[], None]], ...] = (
	("Customer", backfill_customers),
	("Lead", backfill_leads),
	("Prospect", backfill_prospects),
	("Opportunity", lambda: copy_from_party("Opportunity", "opportunity_from", "party_name")),
	("Opportunity", fill_base_opportunity_amounts),
	("Quotation", lambda: copy_from_party("Quotation", "quotation_to", "party_name")),
	*((doctype, lambda d=doctype: copy_from_party(d, None, "customer")) for doctype in CUSTOMER_DOCUMENTS),
)


def run_backfill(progress: Progress | None = None) -> None:
	mode_map = get_mode_map()
	if not (mode_map.company or mode_map.partnership or mode_map.individual or mode_map.fallback):
		# Inference would fill nothing and the run would look like a success
		frappe.throw(
			_(
				"Sales Modes Settings map no customer type to a mode, so there is nothing to infer. Set them first."
			),
			title=_("Sales Modes Not Set Up"),
		)
	for i, (doctype, step) in enumerate(STEPS):
		if progress:
			progress(i, len(STEPS), doctype)
		step()
	if progress:
		progress(len(STEPS), len(STEPS), "")


def publish(done: int, total: int, doctype: str) -> None:
	frappe.publish_progress(
		done * 100 / total,
		title=_("Backfilling Sales Modes"),
		description=_("Setting the sales mode on {0}").format(_(doctype)) if doctype else _("Done"),
	)


def run_backfill_job() -> None:
	run_backfill(publish)


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


def backfill_on_install() -> None:
	"""Small sites are done inline; large ones in a background job that publishes progress."""
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
	else:
		run_backfill()
