"""An Inferred mode follows its party; a Chosen one never changes by itself.

When a party's mode changes (a customer's type corrected, a lead's organisation set or cleared, a
mode picked or cleared on the party) its drafts with an Inferred mode take the new one, and so do
its open deals with an Inferred mode, as far as the stage gate allows. When the Sales Modes
Settings mapping changes, every party with an Inferred mode is inferred again, then the same
cascade runs for all of them. What never moves: Chosen modes, submitted (and cancelled) sales
documents, won, lost and closed deals.

Parties and drafts are updated set-based (one UPDATE per doctype and party type, the conditions
rendered from core.mode_sql, which the pure suite checks against core.modes). Open deals are
selected set-based too; the gate decides on each one the cascade may move (core.modes
.deal_may_move: no stage, or the first stage of its pipeline), through Opportunity.save, so the
move is checked against the new mode's rules and logged as a Mode Change. A deal the gate would
refuse keeps its old mode and stays Inferred ("held"): the cascade never overrides a gate. Held
deals are reported to whoever made the change.
"""

from dataclasses import dataclass, field

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import IfNull
from frappe.utils import get_link_to_form, now
from pypika import Table

from sales_modes.backfill import Batching, Update, document, update_in_batches
from sales_modes.core import modes
from sales_modes.core.mode_sql import (
	customer_mode_sql,
	deal_follows_sql,
	document_follows_sql,
	lead_mode_sql,
	mode_source_sql,
	prospect_mode_sql,
)
from sales_modes.core.modes import INFERRED, ModeMap
from sales_modes.mode_resolution import customer_inference, walk_in_condition
from sales_modes.settings import get_mode_map, mode_map_from

# Sales documents and the field naming their party: (doctype, party-type field or None, party field)
QUOTATION = ("Quotation", "quotation_to", "party_name")
CUSTOMER_DOCUMENTS = tuple(
	(doctype, None, "customer")
	for doctype in ("Sales Order", "Sales Invoice", "POS Invoice", "Delivery Note")
)
PARTY_DOCUMENTS = {
	"Customer": (QUOTATION, *CUSTOMER_DOCUMENTS),
	"Lead": (QUOTATION,),
	"Prospect": (QUOTATION,),
}

# Above this many parties with an Inferred mode, a settings change re-infers in a background job
BACKGROUND_THRESHOLD = 20_000
# Held deals named in the message; the rest are counted
NAMED_HELD_DEALS = 20


@dataclass
class FollowResult:
	documents: int = 0  # drafts that took their party's new mode
	moved: list[str] = field(default_factory=list)  # open deals moved into the new mode's pipeline
	held: list[str] = field(default_factory=list)  # open deals the gate keeps in their mode


# Triggers
def party_mode_changed(doc) -> None:
	"""on_update of Customer, Lead and Prospect: the party's mode changed, its followers follow."""
	if doc.flags.in_insert or not doc.sales_mode or not doc.has_value_changed("sales_mode"):
		return  # a new party has no documents yet
	report(follow_parties(doc.doctype, doc.name))


def settings_changed(settings) -> None:
	"""on_update of Sales Modes Settings: a mapping changed, every Inferred mode is inferred again."""
	if count_inferred_parties() > BACKGROUND_THRESHOLD:
		frappe.enqueue(
			"sales_modes.follow.follow_settings_job",
			queue="long",
			timeout=3600,
			job_id="sales_modes_follow_settings",
			deduplicate=True,
			enqueue_after_commit=True,
			user=frappe.session.user,
		)
		frappe.msgprint(
			_("Inferred sales modes will follow the new settings in a background job."),
			title=_("Sales Modes"),
		)
		return
	report(follow_settings(mode_map_from(settings)))


def walk_in_changed(profile, method=None) -> None:
	"""on_update / after_delete of POS Profile: a customer became (or stopped being) a walk-in party."""
	if method == "on_update" and not (
		profile.has_value_changed("customer") or profile.has_value_changed("disabled")
	):
		return
	before = profile.get_doc_before_save() if method == "on_update" else None
	customers = {profile.customer, before.customer if before else None}
	for customer in sorted(filter(None, customers)):
		follow_customer(customer)


def follow_customer(customer: str) -> None:
	"""Save a customer with an Inferred mode again, so that it (and its followers) take what
	inference gives now."""
	stored = frappe.db.get_value(
		"Customer", customer, ["sales_mode", "sales_mode_source", "customer_type"], as_dict=True
	)
	if not stored or stored.sales_mode_source != INFERRED:
		return
	inferred = customer_inference(stored.customer_type, customer)
	if not inferred or inferred == stored.sales_mode:
		return
	doc = frappe.get_doc("Customer", customer)
	doc.flags.ignore_permissions = True
	doc.save()


# The cascade
def follow_parties(party_doctype: str, party: str | None = None) -> FollowResult:
	"""Drafts and open deals with an Inferred mode take their party's mode: one party, or (party
	None) every party of the doctype."""
	result = FollowResult()
	for doctype, party_type_field, party_field in PARTY_DOCUMENTS[party_doctype]:
		result.documents += copy_party_mode(doctype, party_type_field, party_field, party_doctype, party)
	move_deals(party_doctype, party, result)
	return result


def follow_settings(mode_map: ModeMap) -> FollowResult:
	reinfer_parties(mode_map)
	result = FollowResult()
	for party_doctype in PARTY_DOCUMENTS:
		step = follow_parties(party_doctype)
		result.documents += step.documents
		result.moved += step.moved
		result.held += step.held
	return result


def follow_settings_job(user: str | None = None) -> None:
	result = follow_settings(get_mode_map())
	if user and (message := result_message(result)):
		frappe.publish_realtime("msgprint", {"message": message, "title": _("Sales Modes")}, user=user)


def reinfer_parties(mode_map: ModeMap) -> None:
	"""Every party with an Inferred mode takes what inference gives under `mode_map`, set-based.
	Where inference gives nothing (an unmapped type and no fallback) the party keeps its mode."""
	customer = DocType("Customer")
	set_inferred(customer, customer_mode_sql(customer.customer_type, mode_map, walk_in_condition(customer)))
	lead = DocType("Lead")
	set_inferred(lead, lead_mode_sql(lead.company_name, mode_map))
	prospect = DocType("Prospect")
	set_inferred(prospect, prospect_mode_sql(mode_map))


def set_inferred(table, inferred) -> None:
	(
		frappe.qb.update(table)
		.set(table.sales_mode, inferred)
		.set(table.modified, now())
		.where(table.sales_mode_source == INFERRED)
		.where(inferred.isnotnull())
		.where(table.sales_mode != inferred)
	).run()


def rendered(term) -> str:
	"""A core.mode_sql condition over the alias `doc`, as MariaDB reads it (constants only)."""
	return term.get_sql(with_namespace=True, quote_char="`")


def copy_party_mode(
	doctype: str, party_type_field: str | None, party_field: str, party_doctype: str, party: str | None
) -> int:
	"""UPDATE doc JOIN party: Inferred drafts take their party's mode. Written as SQL because PyPika
	leaves the SET column of a multi-table UPDATE unqualified, which MariaDB rejects as ambiguous.
	Table and column names come from the constants above; values are parameters."""
	doc = Table(f"tab{doctype}", alias="doc")
	follows = rendered(document_follows_sql(doc.sales_mode_source, doc.docstatus))
	conditions = [follows, "IFNULL(party.sales_mode, '') != ''", "doc.sales_mode != party.sales_mode"]
	if party_type_field:
		conditions.append(f"doc.`{party_type_field}` = %(party_type)s")
	if party:
		conditions.append("party.name = %(party)s")
	frappe.db.sql(
		f"""
		UPDATE `tab{doctype}` doc
		JOIN `tab{party_doctype}` party ON party.name = doc.`{party_field}`
		SET doc.sales_mode = party.sales_mode, doc.modified = %(now)s
		WHERE {" AND ".join(conditions)}
		""",
		{"party_type": party_doctype, "party": party, "now": now()},
	)
	return rowcount()


def deals_to_follow(party_doctype: str, party: str | None) -> list[dict]:
	"""Open deals with an Inferred mode unlike their party's, selected set-based."""
	doc = Table("tabOpportunity", alias="doc")
	follows = rendered(deal_follows_sql(doc.sales_mode_source, doc.status))
	party_condition = "AND party.name = %(party)s" if party else ""
	return frappe.db.sql(
		f"""
		SELECT doc.name, doc.sales_mode, doc.sales_stage, party.sales_mode AS new_mode
		FROM `tabOpportunity` doc
		JOIN `tab{party_doctype}` party ON party.name = doc.party_name
		WHERE doc.opportunity_from = %(party_type)s AND {follows}
			AND IFNULL(party.sales_mode, '') != '' AND doc.sales_mode != party.sales_mode
			{party_condition}
		ORDER BY doc.name
		""",
		{"party_type": party_doctype, "party": party},
		as_dict=True,
	)


def stages_of(mode: str | None) -> tuple[str, ...]:
	from sales_modes.pipelines import get_pipeline

	if not mode or not frappe.db.exists("Sales Mode", mode):
		return ()
	return tuple(stage.name for stage in get_pipeline(mode).stages)


def move_deals(party_doctype: str, party: str | None, result: FollowResult) -> None:
	for deal in deals_to_follow(party_doctype, party):
		if modes.deal_may_move(deal.sales_stage, stages_of(deal.sales_mode), stages_of(deal.new_mode)):
			if move_deal(deal.name, deal.new_mode):
				result.moved.append(deal.name)
				continue
		result.held.append(deal.name)


def move_deal(name: str, mode: str) -> bool:
	"""Save the deal in its party's mode through the gate; False (and nothing changed) when the gate
	or any other validation refuses it."""
	savepoint = "sales_modes_follow"
	frappe.db.savepoint(savepoint)
	messages = len(frappe.local.message_log)
	try:
		deal = frappe.get_doc("Opportunity", name)
		deal.sales_mode = mode
		deal.flags.ignore_permissions = True
		deal.save()
	except (frappe.ValidationError, frappe.PermissionError):
		# PermissionError: a move past the first stage without the override role (deal_may_move
		# leaves those out; kept here so a gate rule added later cannot fail the party's save)
		frappe.db.rollback(save_point=savepoint)
		# The refusal is reported as a held deal, not as an error of the party's save
		del frappe.local.message_log[messages:]
		return False
	return True


# Reporting
def result_message(result: FollowResult) -> str | None:
	if not result.held:
		return None
	named = ", ".join(get_link_to_form("Opportunity", name) for name in result.held[:NAMED_HELD_DEALS])
	more = len(result.held) - NAMED_HELD_DEALS
	if more > 0:
		named += " " + _("and {0} more").format(more)
	return _(
		"{0} open opportunities keep their inferred sales mode because the stage gate does not let them move: {1}. A deal past its first stage, or one that does not meet the rules of the new mode's stage, changes mode only when someone with the override role sets it with a reason."
	).format(len(result.held), named)


def report(result: FollowResult) -> None:
	if message := result_message(result):
		frappe.msgprint(message, title=_("Sales Modes"), indicator="orange")


def count_inferred_parties() -> int:
	return sum(frappe.db.count(doctype, {"sales_mode_source": INFERRED}) for doctype in PARTY_DOCUMENTS)


# Upgrade: rows that hold a mode from before sources were recorded
def mark_sources(batching: Batching | None = None) -> int:
	"""Give a source to every row that has a mode but none: Inferred when the mode is what
	inference gives today (for a walk-in customer: by its type, as before the walk-in setting
	existed, or the walk-in mode), Chosen otherwise. Documents compare with their party's mode;
	one without a party found (deleted, or of another type) has nothing to follow: Chosen.
	Set-based in the backfill's batches (a first migrate over a million invoices never locks
	them for long), idempotent: rows with a source are never touched. Returns the rows marked."""
	mode_map = get_mode_map()
	customer = document("Customer")
	by_type = customer_mode_sql(customer.customer_type, mode_map)
	walk_in = customer_mode_sql(customer.customer_type, mode_map, walk_in_condition(customer))
	inferred = Case().when(customer.sales_mode == walk_in, walk_in).else_(by_type)
	marked = mark_party("Customer", inferred, batching)
	marked += mark_party("Lead", lead_mode_sql(document("Lead").company_name, mode_map), batching)
	marked += mark_party("Prospect", prospect_mode_sql(mode_map), batching)
	documents = [("Opportunity", "opportunity_from", "party_name"), QUOTATION, *CUSTOMER_DOCUMENTS]
	for doctype, party_type_field, party_field in documents:
		doc = document(doctype)
		updates = []
		for party_doctype in PARTY_DOCUMENTS if party_type_field else ("Customer",):
			party = DocType(party_doctype).as_("party")
			updates.append(
				Update(
					{"sales_mode_source": mode_source_sql(doc.sales_mode, party.sales_mode)},
					where=(doc[party_type_field] == party_doctype) if party_type_field else None,
					join=(party, party.name == doc[party_field]),
				)
			)
		updates.append(Update({"sales_mode_source": modes.CHOSEN}))  # rows no party update marked
		marked += update_in_batches(doctype, unmarked(doc), updates, batching)
	return marked


def rowcount() -> int:
	"""Rows the last statement changed."""
	return frappe.db._cursor.rowcount if frappe.db._cursor else 0


def unmarked(doc):
	"""A row with a mode and no source yet."""
	return (IfNull(doc.sales_mode, "") != "") & (IfNull(doc.sales_mode_source, "") == "")


def mark_party(doctype: str, inferred, batching: Batching | None) -> int:
	doc = document(doctype)
	source = Update({"sales_mode_source": mode_source_sql(doc.sales_mode, inferred)})
	return update_in_batches(doctype, unmarked(doc), [source], batching)


def mark_sources_on_upgrade(batching: Batching | None = None) -> None:
	"""after_migrate: mark what an older version left without a source; the first time, the Inferred
	modes then follow today's inference (the walk-in setting arrives with this version)."""
	if mark_sources(batching):
		settings_changed(frappe.get_cached_doc("Sales Modes Settings"))
