import frappe

from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import make_user_with_roles

SYSTEM_MANAGER = "sm-settings-admin@example.com"
SALES_MANAGER = "sm-settings-manager@example.com"
SALES_USER = "sm-settings-rep@example.com"


class TestSalesModesSettings(SalesModesTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def assert_refused(self, exception, fragment: str, **values):
		settings = frappe.get_single("Sales Modes Settings")
		settings.update(values)
		with self.assertRaises(exception) as raised:
			settings.save()
		self.assertIn(fragment, str(raised.exception), values)

	def test_mapping_to_unknown_mode_is_refused(self):
		self.assert_refused(frappe.LinkValidationError, "No Such Mode", company_mode="No Such Mode")

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

	def test_override_role_can_never_be_one_every_user_has(self):
		make_user_with_roles(SYSTEM_MANAGER, ["System Manager"])
		frappe.set_user(SYSTEM_MANAGER)
		for role in ("All", "Guest", "Desk User", "Administrator"):
			self.assert_refused(frappe.ValidationError, "Frappe gives it automatically", override_role=role)

	def test_override_role_needs_desk_access(self):
		make_user_with_roles(SYSTEM_MANAGER, ["System Manager"])
		frappe.set_user(SYSTEM_MANAGER)
		self.assertEqual(frappe.db.get_value("Role", "Customer", "desk_access"), 0)
		self.assert_refused(frappe.ValidationError, "no desk access", override_role="Customer")

	def test_system_manager_without_a_sales_role_writes_settings(self):
		make_user_with_roles(SYSTEM_MANAGER, ["System Manager"])
		frappe.set_user(SYSTEM_MANAGER)
		settings = frappe.get_single("Sales Modes Settings")
		settings.override_role = "Sales User"
		settings.save()
		self.assertEqual(frappe.db.get_single_value("Sales Modes Settings", "override_role"), "Sales User")

	def test_sales_manager_reads_but_cannot_set_the_override_role(self):
		"""A Sales Manager could set the override role to All."""
		make_user_with_roles(SALES_MANAGER, ["Sales Manager"])
		frappe.set_user(SALES_MANAGER)
		settings = frappe.get_single("Sales Modes Settings")
		settings.check_permission("read")
		settings.override_role = "All"
		self.assertRaises(frappe.PermissionError, settings.save)
		settings.override_role = "Sales User"
		self.assertRaises(frappe.PermissionError, settings.save)
		self.assertEqual(frappe.db.get_single_value("Sales Modes Settings", "override_role"), "Sales Manager")

	def test_sales_user_reads_settings_only(self):
		make_user_with_roles(SALES_USER, ["Sales User"])
		frappe.set_user(SALES_USER)
		self.assertTrue(frappe.has_permission("Sales Modes Settings", "read"))
		self.assertFalse(frappe.has_permission("Sales Modes Settings", "write"))
