"""Sites installed before close dates existed: fill them, stage entry times and the closed deals' events."""

from sales_modes.history import install_over_history
from sales_modes.setup.custom_fields import make_custom_fields


def execute():
	# closed_on must exist before it is filled; after_migrate would add it only after the patches
	make_custom_fields()
	install_over_history()
