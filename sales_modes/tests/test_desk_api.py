"""The endpoints behind the Opportunity form: the path, a move's check, the party's mode."""

import frappe

from sales_modes import api
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import make_customer, make_opportunity, make_user

REP = "_sm_desk_rep@example.com"
MANAGER = "_sm_desk_manager@example.com"


class TestDeskAPI(SalesModesTestCase):
	def setUp(self):
		make_user(REP, ["Sales User"])
		make_user(MANAGER, ["Sales User", "Sales Manager"])
		self.b2b = make_customer("_SM Desk Corp", "Company").name
		self.b2c = make_customer("_SM Desk Person", "Individual").name

	def tearDown(self):
		frappe.set_user("Administrator")

	def states(self, name: str) -> dict[str, str]:
		return {s["stage"]: s["state"] for s in api.get_stage_readiness(name)["stages"]}

	def test_b2c_stage_passed_over_reads_skipped_and_b2b_done(self):
		b2c = make_opportunity(self.b2c, contact_mobile="+1 555 0100", opportunity_amount=50)
		b2c.sales_stage = "Negotiation/Review"
		b2c.save()
		frappe.set_user(REP)
		self.assertEqual(
			self.states(b2c.name),
			{"Prospecting": "done", "Proposal/Price Quote": "skipped", "Negotiation/Review": "current"},
		)
		readiness = api.get_stage_readiness(b2c.name)
		self.assertEqual(
			readiness["current_guidance"], "Remove the last obstacle: delivery, payment, a small incentive."
		)

		frappe.set_user("Administrator")
		from sales_modes.tests.factories import qualified_b2b_values

		b2b = make_opportunity(self.b2b, **qualified_b2b_values())
		b2b.sales_stage = "Proposal/Price Quote"
		b2b.save()
		frappe.set_user(REP)
		states = self.states(b2b.name)
		self.assertEqual(list(states.values()).count("done"), 6)
		self.assertEqual(states["Proposal/Price Quote"], "current")
		self.assertEqual(states["Negotiation/Review"], "todo")

	def test_check_stage_move_lists_exactly_what_the_move_lacks(self):
		deal = make_opportunity(self.b2b, contact_email="buyer@example.com")
		form = deal.as_dict()
		form["sales_stage"] = "Identifying Decision Makers"
		frappe.set_user(REP)
		check = api.check_stage_move(frappe.as_json(form))
		self.assertEqual(
			check["missing"],
			[
				"Describe the customer's need.",
				"Choose the value driver of the deal.",
				"Add at least one member of the buying committee.",
			],
		)
		self.assertFalse(check["can_override"])
		frappe.set_user(MANAGER)
		self.assertTrue(api.check_stage_move(frappe.as_json(form))["can_override"])
		# Filled in the form but not saved: counted, as the save would count it
		form.update(need_description="Faster picking", value_driver="Efficiency")
		self.assertEqual(
			api.check_stage_move(frappe.as_json(form))["missing"],
			["Add at least one member of the buying committee."],
		)
		# Back or staying put is never blocked
		form["sales_stage"] = "Prospecting"
		self.assertEqual(api.check_stage_move(frappe.as_json(form))["missing"], [])

	def test_party_mode_as_a_rep(self):
		frappe.set_user(REP)
		self.assertEqual(
			api.get_party_mode("Customer", self.b2b), {"sales_mode": "B2B", "family": "Business"}
		)
		self.assertEqual(
			api.get_party_mode("Customer", self.b2c), {"sales_mode": "B2C", "family": "Consumer"}
		)
		frappe.set_user("Guest")
		self.assertRaises(frappe.PermissionError, api.get_party_mode, "Customer", self.b2b)
