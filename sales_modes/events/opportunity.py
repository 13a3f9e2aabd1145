from sales_modes import gating
from sales_modes.mode_resolution import fill_mode_from_party, validate_sales_mode


def validate(doc, method=None):
	fill_mode_from_party(doc, doc.opportunity_from, doc.party_name)
	validate_sales_mode(doc)
	gating.apply_stage_gate(doc)


def on_change(doc, method=None):
	# on_change also runs after ERPNext's db_set of the status (quotation or order made, lost),
	# which bypasses validate; that is where won, lost and reopen are caught.
	gating.record_transitions(doc)


def on_trash(doc, method=None):
	gating.delete_transitions(doc.name)
