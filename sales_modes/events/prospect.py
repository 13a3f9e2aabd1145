from sales_modes import follow
from sales_modes.mode_resolution import apply_party_own_mode, validate_sales_mode


def validate(doc, method=None):
	apply_party_own_mode(doc)
	validate_sales_mode(doc)


def on_update(doc, method=None):
	follow.party_mode_changed(doc)
