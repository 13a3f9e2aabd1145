"""A Sales Mode record as the engine sees it: its pipeline, its rules, and a document's values and facts."""

import frappe
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count

from sales_modes.core import gates

# The doctypes a Submitted Documents rule may count for a deal, and how each links to it
COUNTABLE_DOCTYPES = ("Quotation", "Sales Order")


def requirement_from_row(row) -> gates.Requirement:
	return gates.Requirement(
		check_type=row.check_type,
		message=row.message,
		stage=row.get("sales_stage") or None,
		fieldname=row.fieldname or None,
		value=row.value or None,
		filter_field=row.filter_field or None,
		filter_value=row.filter_value or None,
		expression=row.expression or None,
		applies_to=row.get("applies_to") or gates.APPLIES_TO_STAGE,
		document_types=parse_document_types(row.get("document_types")),
	)


def parse_document_types(value: str | None) -> tuple[str, ...]:
	return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def get_pipeline(mode: str) -> gates.Pipeline:
	mode_doc = frappe.get_cached_doc("Sales Mode", mode)
	return gates.Pipeline(
		stages=tuple(
			gates.Stage(row.sales_stage, row.buying_phase, row.probability, row.stall_after_days)
			for row in mode_doc.stages
		),
		requirements=tuple(requirement_from_row(row) for row in mode_doc.requirements),
		allow_skipping=bool(mode_doc.allow_stage_skipping),
	)


def get_lead_requirements(mode: str) -> list[gates.Requirement]:
	return [requirement_from_row(row) for row in frappe.get_cached_doc("Sales Mode", mode).lead_requirements]


def doc_values(doc) -> dict:
	return doc.as_dict(convert_dates_to_str=True)


def document_counter(opportunity: str | None) -> gates.DocumentCounter:
	"""The engine's DocumentCounter for one opportunity: each doctype counted once, and only when
	a rule asks (closing a deal), so ordinary saves never pay for it."""
	counts: dict[str, int] = {}

	def count(doctype: str) -> int:
		if doctype not in counts:
			counts[doctype] = count_submitted(doctype, opportunity) if opportunity else 0
		return counts[doctype]

	return count


def count_submitted(doctype: str, opportunity: str) -> int:
	"""Submitted quotations made from the opportunity, or submitted sales orders made from them
	(ERPNext links a sales order to its quotation, not to the opportunity)."""
	if doctype not in COUNTABLE_DOCTYPES:
		return 0
	if doctype == "Quotation":
		return len(quotations_of(opportunity).run())
	order, order_item = DocType("Sales Order"), DocType("Sales Order Item")
	return (
		frappe.qb.from_(order)
		.join(order_item)
		.on(order_item.parent == order.name)
		.select(Count(order.name).distinct())
		.where(order.docstatus == 1)
		.where(order_item.prevdoc_docname.isin(quotations_of(opportunity)))
		.run()[0][0]
	)


def quotations_of(opportunity: str):
	"""The submitted quotations of an opportunity: linked in the header or through their items."""
	quotation, quotation_item = DocType("Quotation"), DocType("Quotation Item")
	from_items = (
		frappe.qb.from_(quotation_item)
		.select(quotation_item.parent)
		.where(quotation_item.prevdoc_doctype == "Opportunity")
		.where(quotation_item.prevdoc_docname == opportunity)
	)
	return (
		frappe.qb.from_(quotation)
		.select(quotation.name)
		.where(quotation.docstatus == 1)
		.where((quotation.opportunity == opportunity) | quotation.name.isin(from_items))
	)
