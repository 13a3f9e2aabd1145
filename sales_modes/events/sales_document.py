"""Quotation, Sales Order, Sales Invoice, POS Invoice and Delivery Note.

A new document takes its party's mode once, at creation; ERPNext's mappers (Opportunity ->
Quotation -> Sales Order -> Sales Invoice ...) copy `sales_mode` like any same-named field,
so a converted document keeps the mode of its source. After submit the field is read-only,
so history keeps the mode it was sold under.
"""

from sales_modes.mode_resolution import copies_mode_to_transactions, fill_mode_from_party, validate_sales_mode


def get_party(doc) -> tuple[str | None, str | None]:
	if doc.doctype == "Quotation":
		return doc.quotation_to, doc.party_name
	return "Customer", doc.customer


def validate(doc, method=None):
	if doc.is_new() and copies_mode_to_transactions():
		fill_mode_from_party(doc, *get_party(doc))
	validate_sales_mode(doc)
