"""Lead qualification gated by the mode's rules; disqualification with a reason."""

import frappe

from sales_modes.gate import StageGateError
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import make_lead


class TestLeadQualification(SalesModesTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_b2b_lead_cannot_be_qualified_without_its_requirements(self):
		lead = make_lead("Ida", company_name="_SM Qualify Corp")
		lead.qualification_status = "Qualified"
		with self.assertRaises(StageGateError) as raised:
			lead.save()
		message = str(raised.exception)
		self.assertEqual(message.count("<li>"), 4)
		for missing in (
			"Describe the lead",
			"Confirm the lead has a budget",
			"Find out who makes",
			"Record when",
		):
			self.assertIn(missing, message)

	def test_b2b_lead_with_its_requirements_is_qualified_with_who_and_when(self):
		lead = make_lead(
			"Jon",
			company_name="_SM Qualified Corp",
			need_description="Replace spreadsheets",
			budget_status="Confirmed",
			budget_amount=20000,
			decision_maker_known=1,
			purchase_timeline="1-3 Months",
		)
		lead.qualification_status = "Qualified"
		lead.save()
		self.assertEqual(
			(lead.qualified_by, str(lead.qualified_on)), ("Administrator", frappe.utils.nowdate())
		)

	def test_b2c_lead_needs_only_a_way_to_reach(self):
		lead = make_lead("Kim")
		lead.qualification_status = "Qualified"
		self.assertRaises(StageGateError, lead.save)
		lead.reload()
		lead.qualification_status = "Qualified"
		lead.mobile_no = "+1 555 0101"
		lead.save()
		self.assertEqual(lead.reload().qualification_status, "Qualified")

	def test_disqualifying_needs_a_reason_and_records_who_and_when(self):
		lead = make_lead("Lou", company_name="_SM Disqualify Corp")
		lead.disqualified = 1
		self.assertRaises(frappe.MandatoryError, lead.save)
		lead.reload()
		lead.disqualified = 1
		lead.disqualification_reason = "No Budget"
		lead.save()
		self.assertEqual(lead.disqualified_by, "Administrator")
		self.assertTrue(lead.disqualified_on)

	def test_requalifying_clears_the_disqualification(self):
		lead = make_lead("Max", disqualified=1, disqualification_reason="Unreachable")
		lead.disqualified = 0
		lead.save()
		self.assertEqual((lead.disqualification_reason, lead.disqualified_by), (None, None))

	def test_a_disqualified_lead_cannot_be_qualified(self):
		lead = make_lead("Ned", mobile_no="+1 555 0102", disqualified=1, disqualification_reason="No Need")
		lead.qualification_status = "Qualified"
		self.assertRaises(frappe.ValidationError, lead.save)
