"""What a Sales User may read beyond ERPNext's defaults, and that uninstall takes it back."""

import frappe
from frappe.desk.search import search_link

from sales_modes.setup.permissions import grant_permissions, revoke_permissions, rules_of
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import make_user

REP = "sm-stage-picker@example.com"


class TestSalesStageForReps(SalesModesTestCase):
	def setUp(self):
		make_user(REP, ["Sales User"])

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.clear_cache(doctype="Sales Stage")

	def test_a_sales_user_can_pick_a_stage(self):
		frappe.set_user(REP)
		self.assertTrue(frappe.has_permission("Sales Stage", "select"))
		self.assertTrue(frappe.has_permission("Sales Stage", "read"))
		self.assertFalse(frappe.has_permission("Sales Stage", "write"))
		results = search_link("Sales Stage", "Negotiation")
		self.assertIn("Negotiation/Review", [r["value"] for r in results])

	def test_uninstall_puts_back_erpnext_rules_and_install_is_idempotent(self):
		revoke_permissions()
		self.assertFalse(frappe.db.exists("Custom DocPerm", {"parent": "Sales Stage"}))
		frappe.set_user(REP)
		self.assertFalse(frappe.has_permission("Sales Stage", "select"))
		frappe.set_user("Administrator")

		grant_permissions()
		grant_permissions()
		rules = frappe.get_all(
			"Custom DocPerm", filters={"parent": "Sales Stage"}, fields=["role", "read", "select"]
		)
		self.assertEqual(
			sorted((r.role, r.read, r.select) for r in rules), [("Sales Manager", 1, 0), ("Sales User", 1, 1)]
		)

	def test_an_admins_own_rules_survive_uninstall(self):
		frappe.get_doc(
			{
				"doctype": "Custom DocPerm",
				"parent": "Sales Stage",
				"parenttype": "DocType",
				"parentfield": "permissions",
				"role": "Accounts User",
				"read": 1,
			}
		).insert(ignore_permissions=True)
		revoke_permissions()
		remaining = rules_of("Custom DocPerm", "Sales Stage")
		self.assertEqual(len(remaining), 2)  # ERPNext's Sales Manager rule and the admin's own
		self.assertFalse(frappe.db.exists("Custom DocPerm", {"parent": "Sales Stage", "role": "Sales User"}))
