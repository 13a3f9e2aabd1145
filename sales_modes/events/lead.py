from sales_modes.core import modes
from sales_modes.input_checks import check_field_values
from sales_modes.mode_resolution import fill_mode, validate_sales_mode
from sales_modes.qualification import (
	keep_server_owned,
	note_qualification,
	validate_disqualification,
	validate_qualification,
)
from sales_modes.settings import get_mode_map


def validate(doc, method=None):
	check_field_values(doc)
	fill_mode(doc, modes.lead_mode(doc.company_name, get_mode_map()))
	validate_sales_mode(doc)
	keep_server_owned(doc)
	validate_qualification(doc)
	validate_disqualification(doc)


def on_update(doc, method=None):
	note_qualification(doc)
