"""Frappe side of mode inference: reads the party, asks the core, validates the result.

Every save of a record that carries `sales_mode` stores it with its source (core.modes.decide):
Inferred when it is what inference gives, Chosen when someone picked another mode. The source is
derived here from what the server reads, never taken from the client.
"""

import frappe
from frappe import _

from sales_modes.core import modes
from sales_modes.settings import get_mode_map, get_settings

# What each party doctype needs read to infer its mode when it has none stored yet
PARTY_INFERENCE_FIELDS = {
	"Customer": ["name", "sales_mode", "customer_type"],
	"Lead": ["sales_mode", "company_name"],
	"Prospect": ["sales_mode"],
}


def is_walk_in(customer: str | None) -> bool:
	"""The default customer of an enabled POS Profile stands for the shoppers who give no name."""
	return bool(customer) and bool(frappe.db.exists("POS Profile", {"customer": customer, "disabled": 0}))


def walk_in_customers():
	"""SQL: the default customers of the enabled POS Profiles, the walk-in parties.

	One definition for inference (their mode is the walk-in mode) and for the figures (they are
	no customer in the customer counts, docs/metrics.md)."""
	from frappe.query_builder import DocType

	profile = DocType("POS Profile")
	return (
		frappe.qb.from_(profile)
		.select(profile.customer)
		.where(profile.disabled == 0)
		.where(profile.customer.isnotnull())
	)


def walk_in_condition(customer):
	"""SQL: the customer (a Customer table) is the default customer of an enabled POS Profile."""
	return customer.name.isin(walk_in_customers())


def customer_inference(customer_type: str | None, customer: str | None) -> str | None:
	return modes.customer_mode(customer_type, get_mode_map(), walk_in=is_walk_in(customer))


def party_inference(doc) -> str | None:
	"""What inference gives a Customer, Lead or Prospect from its own attributes."""
	if doc.doctype == "Customer":
		return customer_inference(doc.customer_type, None if doc.is_new() else doc.name)
	if doc.doctype == "Lead":
		return modes.lead_mode(doc.company_name, get_mode_map())
	return modes.prospect_mode(get_mode_map())


def infer_party_mode(party_doctype: str | None, party_name: str | None) -> str | None:
	"""The party's stored mode, or what its attributes imply when it has none yet."""
	fields = PARTY_INFERENCE_FIELDS.get(party_doctype or "")
	if not fields or not party_name:
		return get_mode_map().fallback
	party = frappe.db.get_value(party_doctype, party_name, fields, as_dict=True)
	if not party:
		return get_mode_map().fallback
	if party.sales_mode:
		return party.sales_mode
	mode_map = get_mode_map()
	if party_doctype == "Customer":
		return customer_inference(party.customer_type, party.name)
	if party_doctype == "Lead":
		return modes.lead_mode(party.company_name, mode_map)
	return modes.prospect_mode(mode_map)


def stored_mode(doc) -> tuple[str | None, str | None]:
	before = None if doc.is_new() else doc.get_doc_before_save()
	if before is None:
		return None, None
	return before.get("sales_mode") or None, before.get("sales_mode_source") or None


def needs_inference(doc) -> bool:
	"""A save that keeps a mode with a known source needs no inference (and no query)."""
	mode, source = stored_mode(doc)
	return doc.is_new() or not doc.sales_mode or doc.sales_mode != mode or source not in modes.SOURCES


def apply_mode(doc, inferred: str | None, follows: bool = False) -> None:
	"""Store the mode this save gives with its source (core.modes.decide)."""
	mode, source = stored_mode(doc)
	doc.sales_mode, doc.sales_mode_source = modes.decide(
		doc.sales_mode or None, inferred, mode, source, doc.is_new(), follows
	)


def apply_party_own_mode(doc) -> None:
	"""Customer, Lead, Prospect: an Inferred mode follows the party's own attributes on every save."""
	apply_mode(doc, party_inference(doc), follows=True)


def apply_mode_from_party(doc, party_doctype: str | None, party_name: str | None) -> None:
	"""A deal or sales document infers its party's mode; it follows the party by cascade only
	(sales_modes.follow), never on its own save: a deal the gate held keeps its mode."""
	if needs_inference(doc):
		apply_mode(doc, infer_party_mode(party_doctype, party_name))
	else:
		apply_mode(doc, None)


def copies_mode_to_transactions() -> bool:
	return bool(get_settings().copy_mode_to_transactions)


def validate_sales_mode(doc) -> None:
	"""A mode newly set on a document must exist and be enabled; old documents keep theirs."""
	if not doc.sales_mode or not (doc.is_new() or doc.has_value_changed("sales_mode")):
		return
	enabled = frappe.db.get_value("Sales Mode", doc.sales_mode, "enabled", cache=True)
	if enabled is None:
		frappe.throw(
			_("Sales Mode {0} does not exist.").format(frappe.bold(doc.sales_mode)),
			frappe.LinkValidationError,
			title=_("Unknown Sales Mode"),
		)
	if not enabled:
		frappe.throw(
			_("Sales Mode {0} is disabled. Choose an enabled mode or enable it first.").format(
				frappe.bold(doc.sales_mode)
			),
			title=_("Disabled Sales Mode"),
		)
