from frappe.utils import flt

from sales_modes import close_date, gate, stage_log
from sales_modes.input_checks import check_field_values
from sales_modes.mode_resolution import apply_mode_from_party, validate_sales_mode


def validate(doc, method=None):
	check_field_values(doc)
	apply_mode_from_party(doc, doc.opportunity_from, doc.party_name)
	validate_sales_mode(doc)
	gate.apply_stage_gate(doc)
	set_base_amount(doc)
	close_date.set_close_date(doc)


def set_base_amount(doc):
	"""ERPNext computes the company-currency amount only in the desk form's script; deals saved
	through REST, Data Import or code would carry 0, and every amount in the reports reads it."""
	doc.base_opportunity_amount = flt(
		flt(doc.opportunity_amount) * flt(doc.conversion_rate or 1),
		doc.precision("base_opportunity_amount"),
	)


def before_change(doc, method=None):
	# Runs only in db_set, which bypasses validate: ERPNext sets the status that way (a quotation
	# or sales order submitted, a quotation lost)
	gate.check_system_change(doc)


def on_change(doc, method=None):
	# on_change also runs after db_set; stage_log logs what the gate decided, once
	stage_log.record_transitions(doc)
	close_date.follow_status_change(doc)


def on_trash(doc, method=None):
	stage_log.keep_transitions_of_deleted(doc)
