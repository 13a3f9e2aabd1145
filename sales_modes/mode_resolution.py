"""Frappe side of mode inference: reads the party, asks the core, validates the result."""

import frappe
from frappe import _

from sales_modes.core import modes
from sales_modes.settings import get_mode_map, get_settings

# What each party doctype needs read to infer its mode when it has none stored yet
PARTY_INFERENCE_FIELDS = {
	"Customer": ["sales_mode", "customer_type"],
	"Lead": ["sales_mode", "company_name"],
	"Prospect": ["sales_mode"],
}


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
		return modes.customer_mode(party.customer_type, mode_map)
	if party_doctype == "Lead":
		return modes.lead_mode(party.company_name, mode_map)
	return modes.prospect_mode(mode_map)


def fill_mode(doc, inferred: str | None) -> None:
	doc.sales_mode = modes.resolve(doc.sales_mode, inferred)


def fill_mode_from_party(doc, party_doctype: str | None, party_name: str | None) -> None:
	if not doc.sales_mode:
		fill_mode(doc, infer_party_mode(party_doctype, party_name))


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
