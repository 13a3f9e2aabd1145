"""Saving a Sales Mode validates its pipeline and rules."""

import frappe

from sales_modes.setup.defaults import restore_mode_defaults
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import make_user


def make_mode(name="_SM Wholesale", **kwargs):
	return frappe.get_doc(
		{
			"doctype": "Sales Mode",
			"mode_name": name,
			"family": "Business",
			"stages": [
				{"sales_stage": "Prospecting", "buying_phase": "Awareness", "probability": 10},
				{"sales_stage": "Proposal/Price Quote", "buying_phase": "Decision", "probability": 70},
			],
			**kwargs,
		}
	)


def rule(**kwargs):
	return {"sales_stage": "Proposal/Price Quote", "message": "Fix it", **kwargs}


class TestSalesMode(SalesModesTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def assert_refused(self, doc, fragment):
		with self.assertRaises(frappe.ValidationError) as raised:
			doc.insert()
		self.assertIn(fragment, str(raised.exception))

	def test_a_valid_mode_saves(self):
		mode = make_mode(
			requirements=[
				rule(check_type="Field Is Set", fieldname="contact_email"),
				rule(check_type="Minimum Value", fieldname="opportunity_amount", value="1000"),
				rule(
					check_type="Minimum Rows",
					fieldname="buying_committee",
					value="2",
					filter_field="decision_role",
					filter_value="Economic Buyer",
				),
				rule(check_type="Expression", expression="doc.opportunity_amount > 0"),
			],
			lead_requirements=[{"check_type": "Field Is Set", "fieldname": "email_id", "message": "Email"}],
		).insert()
		self.assertEqual(len(mode.requirements), 4)

	def test_stage_listed_twice(self):
		mode = make_mode()
		mode.append("stages", {"sales_stage": "Prospecting", "buying_phase": "Awareness"})
		self.assert_refused(mode, "listed twice")

	def test_requirement_for_a_stage_outside_the_pipeline(self):
		self.assert_refused(
			make_mode(
				requirements=[
					rule(sales_stage="Qualification", check_type="Field Is Set", fieldname="contact_email")
				]
			),
			"not part of this mode",
		)

	def test_unknown_field(self):
		self.assert_refused(
			make_mode(requirements=[rule(check_type="Field Is Set", fieldname="no_such_field")]),
			"no_such_field",
		)

	def test_minimum_value_on_text_field(self):
		self.assert_refused(
			make_mode(requirements=[rule(check_type="Minimum Value", fieldname="contact_email", value="1")]),
			"numeric",
		)

	def test_minimum_rows_on_a_non_table(self):
		self.assert_refused(
			make_mode(requirements=[rule(check_type="Minimum Rows", fieldname="contact_email", value="1")]),
			"table",
		)

	def test_minimum_rows_filter_on_unknown_column(self):
		self.assert_refused(
			make_mode(
				requirements=[
					rule(
						check_type="Minimum Rows",
						fieldname="buying_committee",
						value="1",
						filter_field="shoe_size",
						filter_value="9",
					)
				]
			),
			"shoe_size",
		)

	def test_expression_that_does_not_compile(self):
		self.assert_refused(
			make_mode(requirements=[rule(check_type="Expression", expression="doc.amount >")]),
			"does not compile",
		)

	def test_only_system_manager_writes_expressions(self):
		make_user("sm-mode-manager@example.com", ["Sales Manager"])
		frappe.set_user("sm-mode-manager@example.com")
		mode = make_mode(
			requirements=[rule(check_type="Expression", expression="doc.opportunity_amount > 0")]
		)
		self.assertRaises(frappe.PermissionError, mode.insert)
		make_mode(
			"_SM Manager Mode", requirements=[rule(check_type="Field Is Set", fieldname="contact_email")]
		).insert()

	def test_restore_defaults(self):
		mode = frappe.get_doc("Sales Mode", "B2C")
		mode.stages = mode.stages[:1]
		mode.requirements = []
		mode.allow_stage_skipping = 0
		mode.save()
		restore_mode_defaults("B2C")
		mode.reload()
		self.assertEqual(
			[s.sales_stage for s in mode.stages],
			["Prospecting", "Proposal/Price Quote", "Negotiation/Review"],
		)
		self.assertEqual((len(mode.requirements), mode.allow_stage_skipping), (2, 1))
		self.assertRaises(frappe.ValidationError, restore_mode_defaults, "_SM Not Shipped")
