"""Saving a Sales Mode validates its pipeline and rules."""

import frappe

from sales_modes.sales_modes.doctype.sales_mode.sales_mode import (
	describe_requirement,
	get_rule_fields,
	restore_default_pipeline,
)
from sales_modes.setup.defaults import load_default_records, restore_mode_defaults
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import make_user, make_user_with_roles

SALES_MANAGER = "sm-mode-only-manager@example.com"


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
				rule(
					check_type="Minimum Rows",
					fieldname="buying_committee",
					filter_field="engaged",
					filter_value="1",
				),
			],
			lead_requirements=[{"check_type": "Field Is Set", "fieldname": "email_id", "message": "Email"}],
		).insert()
		self.assertEqual(
			[row.rule_summary for row in mode.requirements + mode.lead_requirements],
			[
				"Contact Email is set",
				"Opportunity Amount is at least 1,000",
				"Buying Committee has at least 2 rows where Role in Decision = Economic Buyer",
				"Expression: doc.opportunity_amount > 0",
				"Buying Committee has at least 1 row where Engaged = Yes",
				"Email is set",
			],
		)

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
						filter_field="decison_role",
						filter_value="Champion",
					)
				]
			),
			"Row 1 (Proposal/Price Quote): Buying Committee Member has no field <strong>decison_role</strong>."
			" Did you mean <strong>decision_role</strong> (Role in Decision)?",
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

	def test_expression_that_fails_on_a_blank_deal_is_refused_with_the_error(self):
		for expression, fragment in (
			("doc.opportunity_amont > 0", "has no field opportunity_amont"),
			("doc.items[0].qty > 0", "IndexError"),
			("doc.expected_closing > '2026-01-01'", "TypeError"),
			("len(doc.buying_committee) > 1 / 0", "ZeroDivisionError"),
		):
			self.assert_refused(
				make_mode(requirements=[rule(check_type="Expression", expression=expression)]), fragment
			)

	def test_lead_expression_is_tried_on_a_blank_lead(self):
		self.assert_refused(
			make_mode(
				lead_requirements=[
					{"check_type": "Expression", "message": "m", "expression": "doc.sales_stage"}
				]
			),
			"Lead has no field sales_stage",
		)

	def test_expression_that_is_not_allowed_is_refused_before_it_runs(self):
		for expression, fragment in (
			("__import__('os')", "Only the helpers"),
			("().__class__", "not allowed"),
			("'a' * 10**9", "not allowed"),
			("frappe.session.user", "Unknown name frappe"),
		):
			self.assert_refused(
				make_mode(requirements=[rule(check_type="Expression", expression=expression)]), fragment
			)

	def test_guarded_expressions_over_blank_fields_save(self):
		mode = make_mode(
			requirements=[
				rule(
					check_type="Expression",
					expression="bool(doc.expected_closing) and doc.expected_closing > '2026-01-01'",
				),
				rule(check_type="Expression", expression="len(doc.items) > 0 and doc.items[0].qty > 0"),
				rule(check_type="Expression", expression="sum(r.amount for r in doc.items) >= 100"),
			]
		).insert()
		self.assertEqual(len(mode.requirements), 3)

	def test_sales_manager_keeps_but_cannot_change_expressions(self):
		mode = make_mode(
			requirements=[rule(check_type="Expression", expression="doc.opportunity_amount > 0")]
		)
		mode.insert()
		make_user_with_roles(SALES_MANAGER, ["Sales Manager"])
		frappe.set_user(SALES_MANAGER)
		mode = frappe.get_doc("Sales Mode", mode.name)
		mode.append("requirements", rule(check_type="Field Is Set", fieldname="contact_email"))
		mode.save()  # the expression row is kept as it was
		mode.requirements[0].expression = "doc.opportunity_amount > 1"
		self.assertRaises(frappe.PermissionError, mode.save)

	def test_restore_defaults_as_a_sales_manager(self):
		"""The shipped rows include expression rules: restoring them is not writing them."""
		self.restore_defaults_as(make_user_with_roles(SALES_MANAGER, ["Sales Manager"]))

	def test_restore_defaults_as_a_system_manager_without_a_sales_role(self):
		self.restore_defaults_as(make_user_with_roles("sm-mode-admin@example.com", ["System Manager"]))

	def restore_defaults_as(self, user: str):
		shipped = {m["mode_name"]: m for m in load_default_records("sales_modes.json")}
		frappe.set_user(user)
		for name in ("B2B", "B2C"):
			mode = frappe.get_doc("Sales Mode", name)
			mode.stages = mode.stages[:1]
			mode.requirements = []
			mode.lead_requirements = []
			mode.save()
			restore_default_pipeline(name)
			mode.reload()
			for table in ("stages", "requirements", "lead_requirements"):
				self.assertEqual(len(mode.get(table)), len(shipped[name].get(table, [])), (name, table))
			self.assertEqual(
				sorted(r.expression for r in mode.requirements + mode.lead_requirements if r.expression),
				sorted(
					r["expression"]
					for r in shipped[name].get("requirements", [])
					+ shipped[name].get("lead_requirements", [])
					if r.get("expression")
				),
			)
		# Among them, expressions: B2C's contact rule and B2B's budget rule on leads
		self.assertTrue(any(r.get("expression") for r in shipped["B2C"]["requirements"]))
		self.assertTrue(any(r.get("expression") for r in shipped["B2B"]["lead_requirements"]))

	def test_restore_defaults_is_refused_to_a_sales_user(self):
		make_user_with_roles("sm-mode-rep@example.com", ["Sales User"])
		frappe.set_user("sm-mode-rep@example.com")
		self.assertRaises(frappe.PermissionError, restore_default_pipeline, "B2B")

	def test_a_mistyped_field_names_its_row_and_stage_and_suggests_fields(self):
		mode = make_mode(
			requirements=[
				rule(check_type="Field Is Set", fieldname="contact_email"),
				rule(check_type="Field Is Set", fieldname="contact_emial"),
			]
		)
		with self.assertRaises(frappe.ValidationError) as raised:
			mode.insert()
		self.assertEqual(
			str(raised.exception),
			"Row 2 (Proposal/Price Quote): Opportunity has no field <strong>contact_emial</strong>."
			" Did you mean <strong>contact_email</strong> (Contact Email)?",
		)
		self.assert_refused(
			make_mode(lead_requirements=[{"check_type": "Field Is Set", "fieldname": "zzz", "message": "x"}]),
			"Lead Qualification row 1: Lead has no field <strong>zzz</strong>. Pick the field by its label",
		)

	def test_a_row_condition_must_match_a_value_the_column_can_hold(self):
		def committee_rule(column, value):
			return make_mode(
				requirements=[
					rule(
						check_type="Minimum Rows",
						fieldname="buying_committee",
						filter_field=column,
						filter_value=value,
					)
				]
			)

		self.assert_refused(
			committee_rule("decision_role", "Economic Buyr"),
			"Row 1 (Proposal/Price Quote): Role in Decision has no value <strong>Economic Buyr</strong>."
			" Did you mean <strong>Economic Buyer</strong>?",
		)
		self.assert_refused(
			committee_rule("engaged", "true"), "has no value <strong>true</strong>. Choose one of: Yes, No"
		)
		committee_rule("engaged", "0").insert()

	def test_field_choices_and_preview_for_a_sales_manager(self):
		make_user_with_roles(SALES_MANAGER, ["Sales Manager"])
		frappe.set_user(SALES_MANAGER)
		tables = get_rule_fields("requirements", "Minimum Rows")
		self.assertIn(
			{
				"label": "Buying Committee",
				"value": "buying_committee",
				"description": "buying_committee",
				"options": [],
			},
			tables,
		)
		self.assertLessEqual(
			{frappe.get_meta("Opportunity").get_field(o["value"]).fieldtype for o in tables},
			{"Table", "Table MultiSelect"},
		)
		numbers = {o["value"] for o in get_rule_fields("requirements", "Minimum Value")}
		self.assertIn("opportunity_amount", numbers)
		self.assertNotIn("contact_email", numbers)
		columns = {o["value"]: o for o in get_rule_fields("requirements", "Minimum Rows", "buying_committee")}
		self.assertEqual(columns["decision_role"]["label"], "Role in Decision")
		self.assertIn({"label": "Champion", "value": "Champion"}, columns["decision_role"]["options"])
		self.assertEqual(
			columns["engaged"]["options"], [{"label": "Yes", "value": "1"}, {"label": "No", "value": "0"}]
		)
		self.assertEqual(columns["full_name"]["options"], [])
		labels = [o["label"] for o in get_rule_fields("requirements", "Field Is Set")]
		self.assertEqual(len(labels), len(set(labels)))
		self.assertIn("email_id", {o["value"] for o in get_rule_fields("lead_requirements", "Field Is Set")})
		self.assertEqual(
			describe_requirement(
				{
					"check_type": "Minimum Rows",
					"fieldname": "buying_committee",
					"value": "2",
					"filter_field": "decision_role",
					"filter_value": "Champion",
				}
			),
			"Buying Committee has at least 2 rows where Role in Decision = Champion",
		)
		self.assertRaises(frappe.ValidationError, get_rule_fields, "stages", "Field Is Set")

	def test_field_choices_are_refused_without_access_to_sales_modes(self):
		make_user_with_roles("sm-no-sales-role@example.com", ["Accounts User"])
		frappe.set_user("sm-no-sales-role@example.com")
		self.assertRaises(frappe.PermissionError, get_rule_fields, "requirements", "Field Is Set")
		self.assertRaises(
			frappe.PermissionError, describe_requirement, {"check_type": "Field Is Set", "fieldname": "title"}
		)

	def test_the_preview_speaks_the_readers_language(self):
		"""With the app's zh.po (Frappe's own `_`), the preview is Chinese, labels and value included."""
		from unittest.mock import patch

		from babel.messages.pofile import read_po

		with open(frappe.get_app_path("sales_modes", "locale", "zh.po"), "rb") as po:
			zh = {m.id: m.string for m in read_po(po) if m.id and m.string}
		frappe.local.lang = "zh"
		try:
			with patch("frappe.translate.get_all_translations", return_value=zh):
				preview = describe_requirement(
					{
						"check_type": "Minimum Rows",
						"fieldname": "buying_committee",
						"value": "2",
						"filter_field": "decision_role",
						"filter_value": "Champion",
					}
				)
		finally:
			frappe.local.lang = "en"
		self.assertEqual(
			preview,
			f"{zh['Buying Committee']} 至少有 2 行满足 {zh['Role in Decision']} = {zh['Champion']}",
		)
