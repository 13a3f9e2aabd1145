"""Bring custom fields and report indexes in line with the code on sites installed earlier."""

from sales_modes.setup.custom_fields import make_custom_fields
from sales_modes.setup.indexes import add_indexes


def execute():
	make_custom_fields()
	add_indexes()
