import frappe

from sales_modes.tests import SalesModesTestCase


class TestSalesModesSettings(SalesModesTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def test_mapping_to_unknown_mode_is_refused(self):
		settings = frappe.get_single("Sales Modes Settings")
		settings.company_mode = "No Such Mode"
		with self.assertRaises(frappe.LinkValidationError) as raised:
			settings.save()
		self.assertIn("No Such Mode", str(raised.exception))

	def test_mapping_to_disabled_mode_is_refused(self):
		frappe.get_doc(
			{"doctype": "Sales Mode", "mode_name": "_SM Dormant", "family": "Business", "enabled": 0}
		).insert()
		settings = frappe.get_single("Sales Modes Settings")
		settings.fallback_mode = "_SM Dormant"
		self.assertRaises(frappe.ValidationError, settings.save)

	def test_defaults_are_installed(self):
		settings = frappe.get_single("Sales Modes Settings")
		self.assertEqual(
			(
				settings.company_mode,
				settings.partnership_mode,
				settings.individual_mode,
				settings.override_role,
			),
			("B2B", "B2B", "B2C", "Sales Manager"),
		)
		self.assertEqual(frappe.db.get_value("Sales Mode", "B2B", "family"), "Business")
		self.assertEqual(frappe.db.get_value("Sales Mode", "B2C", "family"), "Consumer")
		self.assertEqual(frappe.db.count("Disqualification Reason", {"enabled": 1}) >= 7, True)
