"""Stage moves made through the REST API pass through the same gate."""

import frappe
from frappe.tests.test_api import FrappeAPITestCase

from sales_modes.tests.factories import make_customer, make_opportunity


class TestGateThroughREST(FrappeAPITestCase):
	def setUp(self):
		# The API runs in its own request and connection: the data must be committed
		self.customer = make_customer("_SM REST Corp", "Company").name
		self.opportunity = make_opportunity(self.customer, contact_email="buyer@example.com").name
		frappe.db.commit()  # nosemgrep

	def tearDown(self):
		frappe.delete_doc("Opportunity", self.opportunity, force=True)
		frappe.delete_doc("Customer", self.customer, force=True)
		frappe.db.commit()  # nosemgrep

	def test_rest_move_is_gated_and_logged(self):
		path = self.resource("Opportunity", self.opportunity)
		blocked = self.put(path, {"sid": self.sid, "sales_stage": "Negotiation/Review"})
		self.assertEqual(blocked.status_code, 417)
		self.assertIn("Name the Economic Buyer", blocked.get_data(as_text=True))
		frappe.db.rollback()  # a fresh snapshot, to see what the API request committed
		self.assertEqual(frappe.db.get_value("Opportunity", self.opportunity, "sales_stage"), "Prospecting")

		allowed = self.put(path, {"sid": self.sid, "sales_stage": "Qualification"})
		self.assertEqual(allowed.status_code, 200)
		self.assertEqual(allowed.json["data"]["buying_phase"], "Awareness")
		frappe.db.rollback()
		moves = frappe.get_all(
			"Stage Transition",
			filters={"opportunity": self.opportunity, "event": "Stage Change"},
			pluck="to_stage",
		)
		self.assertEqual(sorted(moves), ["Prospecting", "Qualification"])
