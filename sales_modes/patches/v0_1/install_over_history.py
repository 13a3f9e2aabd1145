"""Sites installed before close dates existed: fill them, stage entry times and the closed deals' events."""

from sales_modes.history import install_over_history


def execute():
	install_over_history()
