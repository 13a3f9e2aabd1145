from sales_modes import follow
from sales_modes.input_checks import check_field_values
from sales_modes.mode_resolution import apply_party_own_mode, validate_sales_mode
from sales_modes.qualification import (
	keep_server_owned,
	note_qualification,
	validate_disqualification,
	validate_qualification,
)


def validate(doc, method=None):
	check_field_values(doc)
	apply_party_own_mode(doc)
	validate_sales_mode(doc)
	keep_server_owned(doc)
	validate_qualification(doc)
	validate_disqualification(doc)


def on_update(doc, method=None):
	note_qualification(doc)
	follow.party_mode_changed(doc)
