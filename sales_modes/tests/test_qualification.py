"""Lead qualification gated by the mode's rules; disqualification with a reason."""

import frappe
from frappe.tests.utils import change_settings

from sales_modes.gate import StageGateError
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import gate_refusal, make_lead, make_user

SALES_USER = "sm-lead-rep@example.com"
SALES_MANAGER = "sm-lead-manager@example.com"
QUALIFIED_B2B = {
	"need_description": "Replace spreadsheets",
	"budget_status": "Confirmed",
	"decision_maker_known": 1,
	"purchase_timeline": "1-3 Months",
}


def info_comments(lead: str) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": "Lead", "reference_name": lead, "comment_type": "Info"},
		pluck="content",
	)


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


class TestQualificationOverrideAndImport(SalesModesTestCase):
	def setUp(self):
		make_user(SALES_USER, ["Sales User"])
		make_user(SALES_MANAGER, ["Sales User", "Sales Manager"])

	def tearDown(self):
		frappe.flags.in_import = False
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_a_rep_cannot_qualify_by_override(self):
		frappe.set_user(SALES_USER)
		lead = make_lead("Oli", company_name="_SM Override Corp")
		lead.qualification_status = "Qualified"
		lead.qualification_override_reason = "Gut feeling"
		self.assertRaises(frappe.PermissionError, lead.save)

	def test_a_manager_qualifies_by_override_with_a_reason_on_the_record(self):
		frappe.set_user(SALES_MANAGER)
		lead = make_lead("Pat", company_name="_SM Override Corp")
		lead.qualification_status = "Qualified"
		message = gate_refusal(lead)
		self.assertIn("Qualification Override Reason", message)
		lead.reload()
		lead.qualification_status = "Qualified"
		lead.qualification_override_reason = "Referred by the CEO"
		lead.save()
		self.assertEqual(
			(lead.qualified_by, lead.qualification_override_reason), (SALES_MANAGER, "Referred by the CEO")
		)
		comments = info_comments(lead.name)
		self.assertEqual(len(comments), 1)
		self.assertIn("Referred by the CEO", comments[0])
		self.assertIn("Describe the lead", comments[0])
		# the reason is a record now: a later edit cannot rewrite it
		frappe.set_user(SALES_USER)
		lead.reload()
		lead.qualification_override_reason = "Something else"
		lead.save()
		self.assertEqual(lead.qualification_override_reason, "Referred by the CEO")

	def test_data_import_is_gated_by_default(self):
		frappe.set_user(SALES_USER)
		frappe.flags.in_import = True
		self.assertRaises(
			StageGateError,
			make_lead,
			"Quin",
			company_name="_SM Import Corp",
			qualification_status="Qualified",
		)

	@change_settings("Sales Modes Settings", {"gate_data_import": 0})
	def test_historical_import_qualifies_and_is_noted(self):
		frappe.set_user(SALES_USER)
		frappe.flags.in_import = True
		lead = make_lead(
			"Rae", company_name="_SM Import Corp", qualification_status="Qualified", status="Lead"
		)
		self.assertEqual((lead.qualification_status, lead.qualified_by), ("Qualified", SALES_USER))
		self.assertIn("Data Import", info_comments(lead.name)[0])

	def test_who_qualified_is_the_server_s_to_say(self):
		frappe.set_user(SALES_USER)
		lead = make_lead(
			"Sam",
			company_name="_SM Forged Corp",
			qualification_status="Qualified",
			qualified_by="Administrator",
			qualified_on="2020-01-01",
			**QUALIFIED_B2B,
		)
		self.assertEqual((lead.qualified_by, str(lead.qualified_on)), (SALES_USER, frappe.utils.nowdate()))
		lead.qualified_by = "Administrator"
		lead.disqualified_by = "Administrator"
		lead.save()
		self.assertEqual((lead.qualified_by, lead.disqualified_by), (SALES_USER, None))
