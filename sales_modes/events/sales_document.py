"""Quotation, Sales Order, Sales Invoice, POS Invoice and Delivery Note.

A new document takes its party's mode once, at creation; ERPNext's mappers (Opportunity ->
Quotation -> Sales Order -> Sales Invoice ...) copy `sales_mode` like any same-named field,
so a converted document keeps the mode of its source. Every save derives the source (Inferred
when the mode is its party's, else Chosen); a draft with an Inferred mode follows its party
(sales_modes.follow). After submit the field is read-only, so history keeps the mode it was sold
under.
"""

from sales_modes.mode_resolution import (
	apply_mode,
	apply_mode_from_party,
	copies_mode_to_transactions,
	validate_sales_mode,
)


def get_party(doc) -> tuple[str | None, str | None]:
	if doc.doctype == "Quotation":
		return doc.quotation_to, doc.party_name
	return "Customer", doc.customer


def validate(doc, method=None):
	if copies_mode_to_transactions():
		apply_mode_from_party(doc, *get_party(doc))
	else:
		apply_mode(doc, None)  # nothing is inferred for documents: a mode set on one is Chosen
	validate_sales_mode(doc)
