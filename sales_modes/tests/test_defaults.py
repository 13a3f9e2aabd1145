"""The app's defaults come from one place (core/defaults.py, default_records) to install and desk."""

import frappe

from sales_modes.boot import extend_bootinfo
from sales_modes.core import defaults
from sales_modes.sales_modes.doctype.sales_mode.sales_mode import restore_default_pipeline
from sales_modes.settings import get_mode_map, get_override_role
from sales_modes.setup.defaults import set_settings_defaults
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import make_user

SETTINGS = "Sales Modes Settings"


class TestDefaults(SalesModesTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.clear_document_cache(SETTINGS, SETTINGS)

	def test_desk_receives_shipped_modes_and_restore_roles(self):
		bootinfo = frappe._dict()
		extend_bootinfo(bootinfo)
		self.assertEqual(
			bootinfo.sales_modes,
			{"shipped_modes": ["B2B", "B2C"], "restore_defaults_roles": ["System Manager", "Sales Manager"]},
		)

	def test_only_the_restore_roles_may_restore(self):
		sales_user = make_user("sm-defaults-sales-user@example.com", ["Sales User"])
		# A Sales Manager passes this check, then meets the shipped expression rules only a System
		# Manager may write (sales_mode.validate_expression_author)
		system_manager = make_user("sm-defaults-system-manager@example.com", ["System Manager"])
		frappe.set_user(sales_user)
		self.assertRaises(frappe.PermissionError, restore_default_pipeline, "B2C")
		frappe.set_user(system_manager)
		restore_default_pipeline("B2C")
		self.assertEqual(len(frappe.get_doc("Sales Mode", "B2C").stages), 3)

	def test_a_fresh_site_gets_every_default(self):
		# What Frappe stores for a new Single before after_install runs: a 0 for every Check
		frappe.db.delete("Singles", {"doctype": SETTINGS})
		for fieldname, value in defaults.SETTINGS.items():
			if isinstance(value, int):
				frappe.db.set_single_value(SETTINGS, fieldname, 0)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		set_settings_defaults(fresh_install=True)
		stored = frappe.db.get_singles_dict(SETTINGS, cast=True)
		self.assertEqual({key: stored.get(key) for key in defaults.SETTINGS}, defaults.SETTINGS)
		self.assertEqual(get_override_role(), "Sales Manager")
		self.assertEqual(
			(get_mode_map().company, get_mode_map().partnership, get_mode_map().individual),
			("B2B", "B2B", "B2C"),
		)

	def test_an_admins_choices_survive(self):
		settings = frappe.get_single(SETTINGS)
		settings.gate_data_import = 0
		settings.individual_mode = "B2B"
		settings.save()
		set_settings_defaults()
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		settings = frappe.get_single(SETTINGS)
		self.assertEqual((settings.gate_data_import, settings.individual_mode), (0, "B2B"))
