"""Rules for winning and losing, the Submitted Documents check, and since when each rule is in force."""

import frappe
from frappe.utils import add_days, now_datetime

from sales_modes.sales_modes.doctype.sales_mode.test_sales_mode import make_mode
from sales_modes.setup.defaults import restore_mode_defaults
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import make_user

SALES_MANAGER = "sm-rules-manager@example.com"


def won_rule(**kwargs):
	return {"applies_to": "Won", "message": "Quote first", **kwargs}


class RulesTestCase(SalesModesTestCase):
	"""As a Sales Manager, who maintains the modes."""

	def setUp(self):
		make_user(SALES_MANAGER, ["Sales User", "Sales Manager"])
		frappe.set_user(SALES_MANAGER)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def assert_refused(self, doc, fragment):
		self.assertRaisesRegex(frappe.ValidationError, fragment, doc.insert)


class TestOutcomeRules(RulesTestCase):
	def test_won_and_lost_rules_need_no_stage(self):
		mode = make_mode(
			requirements=[
				won_rule(
					sales_stage="Prospecting",  # dropped: a Won rule gates no stage
					check_type="Submitted Documents",
					document_types="Sales Order ,Quotation",
				),
				{
					"applies_to": "Lost",
					"check_type": "Minimum Rows",
					"fieldname": "lost_reasons",
					"message": "Why?",
				},
			]
		).insert()
		won, lost = mode.requirements
		self.assertEqual(
			(won.applies_to, won.sales_stage, won.document_types), ("Won", None, "Sales Order, Quotation")
		)
		self.assertEqual((lost.applies_to, lost.sales_stage), ("Lost", None))

	def test_submitted_documents_counts_quotations_and_sales_orders_only(self):
		self.assert_refused(
			make_mode(
				requirements=[won_rule(check_type="Submitted Documents", document_types="Sales Invoice")]
			),
			"Document Types",
		)
		self.assert_refused(
			make_mode(requirements=[won_rule(check_type="Submitted Documents")]), "Document Types"
		)
		self.assert_refused(
			make_mode(
				requirements=[
					won_rule(check_type="Submitted Documents", document_types="Quotation", value="0")
				]
			),
			"at least 1",
		)

	def test_submitted_documents_is_not_a_lead_rule(self):
		self.assert_refused(
			make_mode(
				lead_requirements=[
					{"check_type": "Submitted Documents", "document_types": "Quotation", "message": "Q"}
				]
			),
			"opportunities only",
		)

	def test_a_rule_applies_to_a_stage_won_or_lost_only(self):
		self.assert_refused(
			make_mode(
				requirements=[won_rule(applies_to="Closed", check_type="Field Is Set", fieldname="title")]
			),
			"applies to a Stage",
		)

	def test_a_stage_rule_still_needs_a_stage_of_the_pipeline(self):
		self.assert_refused(
			make_mode(
				requirements=[{"check_type": "Field Is Set", "fieldname": "title", "message": "Title"}]
			),
			"not part of this mode",
		)


class TestRulesInForceSince(RulesTestCase):
	def test_a_rule_keeps_its_date_until_it_changes(self):
		mode = make_mode(
			requirements=[
				{
					"sales_stage": "Proposal/Price Quote",
					"check_type": "Field Is Set",
					"fieldname": "title",
					"message": "T",
				},
				{
					"sales_stage": "Proposal/Price Quote",
					"check_type": "Field Is Set",
					"fieldname": "contact_email",
					"message": "E",
				},
			]
		).insert()
		past = add_days(now_datetime(), -30)
		for row in mode.requirements:
			frappe.db.set_value("Stage Requirement", row.name, "effective_from", past)
		mode.reload()
		mode.requirements[1].fieldname = "contact_mobile"
		mode.requirements[0].effective_from = now_datetime()  # a client's value is not taken
		mode.save()
		self.assertEqual(str(mode.requirements[0].effective_from), str(past))
		self.assertGreater(mode.requirements[1].effective_from, past)

	def test_restore_defaults_keeps_the_dates_of_unchanged_rules(self):
		# As a System Manager: Restore Defaults as a Sales Manager is issue 9 item 7 (another change)
		frappe.set_user("Administrator")
		mode = frappe.get_doc("Sales Mode", "B2B")
		past = add_days(now_datetime(), -30)
		for row in mode.requirements:
			frappe.db.set_value("Stage Requirement", row.name, "effective_from", past)
		restore_mode_defaults("B2B")
		dates = {str(row.effective_from) for row in frappe.get_doc("Sales Mode", "B2B").requirements}
		self.assertEqual(dates, {str(past)})
