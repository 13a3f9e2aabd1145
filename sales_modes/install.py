"""Install, uninstall and test-setup hooks."""

import frappe

from sales_modes.backfill import backfill_on_install
from sales_modes.history import install_over_history
from sales_modes.setup.custom_fields import delete_custom_fields, make_custom_fields
from sales_modes.setup.defaults import install_defaults
from sales_modes.setup.indexes import add_indexes, drop_indexes


def after_install():
	# On a fresh install, patches are marked done without running: set everything up here
	make_custom_fields()
	add_indexes()
	install_defaults()
	backfill_on_install()
	install_over_history()


def before_uninstall():
	drop_indexes()
	delete_custom_fields()


def before_tests():
	from erpnext.setup.utils import before_tests as erpnext_before_tests

	erpnext_before_tests()
	install_defaults()
	frappe.db.commit()  # nosemgrep: the test runner expects before_tests to persist its setup
