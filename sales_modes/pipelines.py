"""A Sales Mode record as the engine sees it: its pipeline, its rules, and a document's values."""

import frappe

from sales_modes.core import gates


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
	)


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
