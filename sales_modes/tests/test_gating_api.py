"""Stage moves, wins and server-owned fields through the REST API, as the roles that send them."""

import frappe
from frappe.tests.test_api import FrappeAPITestCase

from sales_modes.tests.factories import login_sid, make_customer, make_opportunity, make_user

SALES_USER = "sm-rest-rep@example.com"


class TestGateThroughREST(FrappeAPITestCase):
	def setUp(self):
		# The API runs in its own request and connection: the data must be committed
		make_user(SALES_USER, ["Sales User"])
		self.customer = make_customer("_SM REST Corp", "Company").name
		self.opportunity = make_opportunity(self.customer, contact_email="buyer@example.com").name
		self.created = [self.opportunity]
		self.leads = []
		frappe.db.commit()  # nosemgrep

	def tearDown(self):
		frappe.set_user("Administrator")
		for name in self.created:
			frappe.delete_doc("Opportunity", name, force=True)
			frappe.db.delete("Stage Transition", {"opportunity": name})
		for name in self.leads:
			frappe.delete_doc("Lead", name, force=True)
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

	def test_a_rep_cannot_win_a_deal_over_rest(self):
		sid = login_sid(SALES_USER)
		response = self.put(
			self.resource("Opportunity", self.opportunity), {"sid": sid, "status": "Converted"}
		)
		self.assertEqual(response.status_code, 417)
		self.assertIn("submitted quotation or sales order", response.get_data(as_text=True))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Opportunity", self.opportunity, "status"), "Open")
		self.assertFalse(
			frappe.db.exists("Stage Transition", {"opportunity": self.opportunity, "event": "Won"})
		)

	def test_server_owned_opportunity_fields_sent_by_a_client_are_ignored(self):
		sid = login_sid(SALES_USER)
		stored = frappe.db.get_value(
			"Opportunity", self.opportunity, ["stage_entered_on", "buying_phase"], as_dict=True
		)
		forged = {
			"stage_entered_on": "2020-01-01 00:00:00",
			"buying_phase": "Decision",
			"requirements_not_met": 1,
			"gate_override_stage": "Negotiation/Review",
			"gate_override_outcome": "Won",
		}
		response = self.put(self.resource("Opportunity", self.opportunity), {"sid": sid, **forged})
		self.assertEqual(response.status_code, 200)
		frappe.db.rollback()
		after = frappe.db.get_value("Opportunity", self.opportunity, [*forged], as_dict=True)
		self.assertEqual(after.stage_entered_on, stored.stage_entered_on)
		self.assertEqual(
			(
				after.buying_phase,
				after.requirements_not_met,
				after.gate_override_stage,
				after.gate_override_outcome,
			),
			("Awareness", 0, None, None),
		)

		created = self.post(
			self.resource("Opportunity"),
			{
				"sid": sid,
				"opportunity_from": "Customer",
				"party_name": self.customer,
				**forged,
			},
		)
		self.assertEqual(created.status_code, 200)
		name = created.json["data"]["name"]
		self.created.append(name)
		frappe.db.rollback()
		new = frappe.db.get_value("Opportunity", name, [*forged], as_dict=True)
		self.assertNotEqual(new.stage_entered_on.year, 2020)
		self.assertEqual(
			(new.buying_phase, new.gate_override_stage, new.gate_override_outcome), ("Awareness", None, None)
		)

	def test_server_owned_lead_fields_sent_by_a_client_are_ignored(self):
		sid = login_sid(SALES_USER)
		created = self.post(
			self.resource("Lead"),
			{
				"sid": sid,
				"first_name": "_SM Forger",
				"qualification_status": "Unqualified",
				"qualified_by": "Administrator",
				"qualified_on": "2020-01-01",
				"qualification_override_reason": "I said so",
			},
		)
		self.assertEqual(created.status_code, 200)
		name = created.json["data"]["name"]
		self.leads.append(name)
		updated = self.put(
			self.resource("Lead", name),
			{"sid": sid, "disqualified_by": "Administrator", "disqualified_on": "2020-01-01 00:00:00"},
		)
		self.assertEqual(updated.status_code, 200)
		frappe.db.rollback()
		lead = frappe.db.get_value(
			"Lead",
			name,
			[
				"qualified_by",
				"qualified_on",
				"qualification_override_reason",
				"disqualified_by",
				"disqualified_on",
			],
		)
		self.assertEqual(lead, (None, None, None, None, None))

	def test_bad_input_is_a_4xx_with_a_message_never_a_5xx(self):
		path = self.resource("Opportunity", self.opportunity)
		for payload, expected in (
			({"buying_committee": "not a table"}, "must be a list of rows"),
			({"buying_committee": ["one", "two"]}, "must be a list of rows"),
			({"sales_stage": ["Negotiation/Review"]}, "takes one value, not a list"),
			({"need_description": "x" * 100_000}, "is too long"),
			({"expected_closing": "some day"}, "must be a date"),
		):
			answer = self.put(path, {"sid": self.sid, **payload})
			self.assertEqual(answer.status_code, 417, payload)
			self.assertIn(expected, answer.get_data(as_text=True), payload)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Opportunity", self.opportunity, "need_description"), None)
