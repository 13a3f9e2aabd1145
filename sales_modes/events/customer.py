from sales_modes.core import modes
from sales_modes.mode_resolution import fill_mode, validate_sales_mode
from sales_modes.settings import get_mode_map


def validate(doc, method=None):
	fill_mode(doc, modes.customer_mode(doc.customer_type, get_mode_map()))
	validate_sales_mode(doc)
