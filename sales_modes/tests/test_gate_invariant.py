"""The gate as an invariant: every save, every path, every role (issue 9, items 1-5).

Each test is a scenario of the issue's "Why" list, run as the role it concerns.
"""

import frappe
from frappe.utils import add_days, nowdate

from sales_modes.api import get_stage_readiness
from sales_modes.gate import StageGateError, refresh_requirement_flags
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import (
	committee_member,
	convert_to_sales_order,
	gate_refusal,
	lost_reason,
	make_customer,
	make_opportunity,
	make_user,
	qualified_b2b_values,
	transitions,
)

SALES_USER = "sm-gate-rep@example.com"
SALES_MANAGER = "sm-gate-manager@example.com"
SYSTEM_MANAGER = "sm-gate-sysadmin@example.com"  # no sales role


class InvariantTestCase(SalesModesTestCase):
	def setUp(self):
		make_user(SALES_USER, ["Sales User"])
		make_user(SALES_MANAGER, ["Sales User", "Sales Manager"])
		make_user(SYSTEM_MANAGER, ["System Manager"])
		self.b2b_customer = make_customer("_SM Invariant Corp", "Company").name
		self.b2c_customer = make_customer("_SM Invariant Person", "Individual").name

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def b2b_deal_at(self, stage: str, **values):
		"""A B2B deal that passed the gate into `stage`, made by a rep."""
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(self.b2b_customer, **qualified_b2b_values(**values))
		opportunity.sales_stage = stage
		opportunity.save()
		return opportunity

	def legacy_deal(self, stage: str, mode: str | None = "B2B"):
		"""A deal that stood in `stage` before the app: written straight to the table, no log."""
		opportunity = make_opportunity(self.b2b_customer)
		frappe.db.set_value(
			"Opportunity",
			opportunity.name,
			{"sales_stage": stage, "sales_mode": mode, "stage_entered_on": None},
			update_modified=False,
		)
		frappe.db.delete("Stage Transition", {"opportunity": opportunity.name})
		return opportunity.name


class TestDataCannotBeRemovedAfterPassing(InvariantTestCase):
	def test_removing_the_economic_buyer_and_the_budget_is_refused_in_one_list(self):
		opportunity = self.b2b_deal_at("Perception Analysis")
		opportunity.reload()
		opportunity.buying_committee = [
			r for r in opportunity.buying_committee if r.decision_role != "Economic Buyer"
		]
		opportunity.append("buying_committee", committee_member("Champion"))
		opportunity.budget_confirmed = 0
		message = gate_refusal(opportunity)
		self.assertEqual(message.count("<li>"), 2)
		self.assertIn("Name the Economic Buyer", message)
		self.assertIn("Confirm the budget.", message)
		stored = frappe.get_doc("Opportunity", opportunity.name)
		self.assertEqual((stored.budget_confirmed, len(stored.buying_committee)), (1, 2))

	def test_removing_data_and_moving_on_is_refused_too(self):
		opportunity = self.b2b_deal_at("Perception Analysis")
		opportunity.reload()
		opportunity.budget_confirmed = 0
		opportunity.sales_stage = "Proposal/Price Quote"
		message = gate_refusal(opportunity)
		self.assertIn("Confirm the budget.", message)

	def test_removing_data_while_moving_back_is_allowed(self):
		opportunity = self.b2b_deal_at("Perception Analysis")
		opportunity.reload()
		opportunity.buying_committee = opportunity.buying_committee[1:]  # the Economic Buyer goes
		opportunity.budget_confirmed = 0
		opportunity.sales_stage = "Identifying Decision Makers"  # needs one member: still met
		opportunity.save()
		self.assertEqual(transitions(opportunity.name)[-1].to_stage, "Identifying Decision Makers")
		self.assertEqual(opportunity.requirements_not_met, 0)

	def test_an_edit_no_rule_reads_goes_through_without_evaluating(self):
		opportunity = self.b2b_deal_at("Perception Analysis")
		opportunity.reload()
		opportunity.title = "Renamed"
		opportunity.save()
		self.assertEqual(len(transitions(opportunity.name, event="Override")), 0)

	def test_client_strings_for_unchanged_values_are_not_a_change(self):
		"""REST sends "1" and "50000": the same values as stored, so nothing a rule reads changed."""
		legacy = self.legacy_deal("Perception Analysis")
		frappe.set_user(SALES_USER)
		doc = frappe.get_doc("Opportunity", legacy)
		doc.budget_confirmed = str(doc.budget_confirmed)
		doc.opportunity_amount = str(doc.opportunity_amount)
		doc.save()  # grandfathered and untouched: no error

	def test_a_manager_override_stands_while_the_deal_stays(self):
		frappe.set_user(SALES_MANAGER)
		opportunity = make_opportunity(self.b2b_customer, **qualified_b2b_values(budget_confirmed=0))
		opportunity.sales_stage = "Perception Analysis"
		opportunity.gate_override_reason = "Budget signed off verbally"
		opportunity.save()
		self.assertEqual(opportunity.gate_override_stage, "Perception Analysis")
		self.assertEqual(opportunity.requirements_not_met, 1)
		frappe.set_user(SALES_USER)
		opportunity.reload()
		opportunity.roi_summary = "Payback in 7 months"
		opportunity.save()  # the override logged for this stage stands
		opportunity.sales_stage = "Proposal/Price Quote"
		message = gate_refusal(opportunity)  # leaving the stage ends it
		self.assertIn("Confirm the budget.", message)

	def test_an_override_without_a_move_is_logged(self):
		opportunity = self.b2b_deal_at("Perception Analysis")
		frappe.set_user(SALES_MANAGER)
		opportunity.reload()
		opportunity.budget_confirmed = 0
		opportunity.gate_override_reason = "Budget moved to next year, deal stays"
		opportunity.save()
		entry = transitions(opportunity.name, event="Override")
		self.assertEqual(len(entry), 1)
		self.assertEqual((entry[0].gate_overridden, entry[0].to_stage), (1, "Perception Analysis"))
		self.assertEqual(entry[0].unmet_requirements, "Confirm the budget.")


class TestSkippingSkipsTheStageNotItsRules(InvariantTestCase):
	def test_b2c_deal_cannot_reach_negotiation_without_a_way_to_reach_the_buyer(self):
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(self.b2c_customer, opportunity_amount=120)
		opportunity.sales_stage = "Negotiation/Review"
		message = gate_refusal(opportunity)
		self.assertIn("email address or a phone number", message)
		self.assertEqual(message.count("<li>"), 1)

	def test_b2c_deal_with_a_phone_skips_to_negotiation(self):
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(
			self.b2c_customer, opportunity_amount=120, contact_mobile="+1 555 0109"
		)
		opportunity.sales_stage = "Negotiation/Review"
		opportunity.save()
		self.assertEqual(
			[(t.from_stage, t.to_stage) for t in transitions(opportunity.name)],
			[(None, "Prospecting"), ("Prospecting", "Negotiation/Review")],
		)


class TestWinningAndLosingAreGated(InvariantTestCase):
	def test_a_rep_cannot_set_converted_on_a_deal_in_prospecting(self):
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(self.b2b_customer)
		opportunity.status = "Converted"
		message = gate_refusal(opportunity)
		self.assertEqual(message.count("<li>"), 2)
		self.assertIn("submitted quotation or sales order", message)
		self.assertIn("Name the Economic Buyer", message)
		self.assertEqual(frappe.db.get_value("Opportunity", opportunity.name, "status"), "Open")

	def test_bulk_status_edit_is_gated(self):
		"""The list view's bulk "Set status" (ERPNext's set_multiple_status) saves each deal."""
		from erpnext.crm.doctype.opportunity.opportunity import set_multiple_status

		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(self.b2b_customer)
		self.assertRaises(
			StageGateError, set_multiple_status, frappe.as_json([opportunity.name]), "Converted"
		)

	def test_a_manager_may_override_a_win_with_a_reason(self):
		frappe.set_user(SALES_MANAGER)
		opportunity = make_opportunity(self.b2b_customer)
		opportunity.status = "Converted"
		opportunity.gate_override_reason = "Signed on paper, order to follow"
		opportunity.save()
		won = transitions(opportunity.name, event="Won")[0]
		self.assertEqual((won.gate_overridden, won.override_reason), (1, "Signed on paper, order to follow"))
		self.assertIn("submitted quotation or sales order", won.unmet_requirements)
		self.assertEqual((opportunity.gate_override_outcome, opportunity.requirements_not_met), ("Won", 1))

	def test_erpnext_conversion_with_its_requirements_is_logged_clean(self):
		opportunity = make_opportunity(self.b2b_customer, **qualified_b2b_values())
		convert_to_sales_order(opportunity.name)
		won = transitions(opportunity.name, event="Won")
		self.assertEqual(len(won), 1)
		self.assertEqual((won[0].system_change, won[0].unmet_requirements), (0, None))
		self.assertEqual(frappe.db.get_value("Opportunity", opportunity.name, "requirements_not_met"), 0)

	def test_erpnext_conversion_is_never_blocked_and_logs_what_it_lacked(self):
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(self.b2b_customer, contact_email="buyer@example.com")
		_quotation, order = convert_to_sales_order(opportunity.name)
		self.assertEqual(order.docstatus, 1)
		self.assertEqual(frappe.db.get_value("Opportunity", opportunity.name, "status"), "Converted")
		won = transitions(opportunity.name, event="Won")
		self.assertEqual(len(won), 1)
		self.assertEqual((won[0].system_change, won[0].gate_overridden), (1, 0))
		self.assertEqual(won[0].unmet_requirements, "Name the Economic Buyer in the buying committee.")
		self.assertEqual(frappe.db.get_value("Opportunity", opportunity.name, "requirements_not_met"), 1)

	def test_a_submitted_quotation_lets_the_rep_mark_the_deal_won(self):
		from erpnext.crm.doctype.opportunity.opportunity import make_quotation

		from sales_modes.tests.factories import item_row

		opportunity = make_opportunity(self.b2b_customer, **qualified_b2b_values())
		quotation = make_quotation(opportunity.name)
		quotation.valid_till = add_days(nowdate(), 30)
		quotation.append("items", item_row())
		quotation.insert()
		frappe.set_user(SALES_USER)
		opportunity.reload()
		opportunity.status = "Converted"
		self.assertRaises(StageGateError, opportunity.save)  # a draft quotation does not count
		frappe.set_user("Administrator")
		quotation.submit()
		frappe.set_user(SALES_USER)
		opportunity.reload()
		opportunity.status = "Converted"
		opportunity.save()
		self.assertEqual(transitions(opportunity.name, event="Won")[0].unmet_requirements, None)

	def test_b2b_lost_needs_a_reason_b2c_does_not(self):
		frappe.set_user(SALES_USER)
		b2b = make_opportunity(self.b2b_customer)
		b2b.status = "Lost"
		message = gate_refusal(b2b)
		self.assertIn("Record why the deal was lost.", message)
		b2b.reload()
		b2b.declare_enquiry_lost([{"lost_reason": lost_reason()}], [])
		self.assertEqual(transitions(b2b.name)[-1].event, "Lost")
		b2c = make_opportunity(self.b2c_customer)
		b2c.status = "Lost"
		b2c.save()
		self.assertEqual(transitions(b2c.name)[-1].event, "Lost")

	def test_a_won_deal_keeps_its_economic_buyer(self):
		opportunity = make_opportunity(self.b2b_customer, **qualified_b2b_values())
		convert_to_sales_order(opportunity.name)
		frappe.set_user(SALES_USER)
		opportunity = frappe.get_doc("Opportunity", opportunity.name)
		opportunity.buying_committee = opportunity.buying_committee[1:]
		message = gate_refusal(opportunity)
		self.assertIn("Name the Economic Buyer", message)


class TestModeChange(InvariantTestCase):
	def test_a_rep_cannot_switch_mode_past_the_first_stage(self):
		opportunity = self.b2b_deal_at("Qualification")
		opportunity.reload()
		opportunity.sales_mode = "B2C"
		opportunity.sales_stage = "Negotiation/Review"
		self.assertRaises(frappe.PermissionError, opportunity.save)

	def test_a_manager_needs_a_reason_and_the_switch_is_logged(self):
		opportunity = self.b2b_deal_at("Qualification")
		frappe.set_user(SALES_MANAGER)
		opportunity.reload()
		opportunity.sales_mode = "B2C"
		opportunity.sales_stage = "Negotiation/Review"
		message = gate_refusal(opportunity)
		self.assertIn("Gate Override Reason", message)
		opportunity.reload()
		opportunity.sales_mode = "B2C"
		opportunity.sales_stage = "Negotiation/Review"
		opportunity.gate_override_reason = "A sole trader, sold like a consumer"
		opportunity.save()
		log = transitions(opportunity.name)[-2:]
		self.assertEqual(
			[(t.event, t.from_mode, t.to_mode, t.from_stage, t.to_stage) for t in log],
			[
				("Mode Change", "B2B", "B2C", "Qualification", "Qualification"),
				("Stage Change", None, None, "Qualification", "Negotiation/Review"),
			],
		)
		self.assertEqual(log[0].override_reason, "A sole trader, sold like a consumer")
		self.assertEqual(log[1].gate_overridden, 0)  # the B2C rules up to Negotiation/Review are met

	def test_switching_in_the_first_stage_needs_no_role_and_is_logged(self):
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(self.b2b_customer)
		opportunity.sales_mode = "B2C"
		opportunity.save()
		change = transitions(opportunity.name, event="Mode Change")
		self.assertEqual([(c.from_mode, c.to_mode, c.user) for c in change], [("B2B", "B2C", SALES_USER)])

	def test_filling_the_blank_mode_of_a_legacy_deal_is_not_a_mode_change(self):
		name = self.legacy_deal("Negotiation/Review", mode=None)
		frappe.set_user(SALES_USER)
		doc = frappe.get_doc("Opportunity", name)
		doc.title = "Touched after the install"
		doc.save()
		self.assertEqual(doc.sales_mode, "B2B")
		self.assertEqual(transitions(name), [])


class TestGrandfathering(InvariantTestCase):
	def test_a_legacy_deal_can_be_edited_where_no_unmet_rule_reads(self):
		name = self.legacy_deal("Negotiation/Review")
		frappe.set_user(SALES_USER)
		doc = frappe.get_doc("Opportunity", name)
		doc.title = "Still negotiating"
		doc.contact_email = "new@example.com"  # a rule reads it, and it is met
		doc.save()
		self.assertFalse(doc.stage_entered_on)  # still no logged entry: still grandfathered
		doc.append("buying_committee", committee_member("Champion"))
		message = gate_refusal(doc)  # touches what unmet rules read: they must hold now
		self.assertIn("Name the Economic Buyer", message)
		self.assertIn("must keep meeting the requirements", message)

	def test_a_legacy_deal_shows_requirements_not_met(self):
		name = self.legacy_deal("Negotiation/Review")
		self.assertGreaterEqual(refresh_requirement_flags("B2B"), 1)
		self.assertEqual(frappe.db.get_value("Opportunity", name, "requirements_not_met"), 1)
		frappe.set_user(SALES_USER)
		readiness = get_stage_readiness(name)
		self.assertTrue(readiness["requirements_not_met"])
		self.assertIn("Name the Economic Buyer in the buying committee.", readiness["unmet_current"])
		self.assertEqual(len(readiness["unmet_current"]), 11)  # every B2B rule up to Negotiation/Review

	def test_moving_a_legacy_deal_back_enters_the_stage_under_the_rules(self):
		name = self.legacy_deal("Negotiation/Review")
		frappe.set_user(SALES_USER)
		doc = frappe.get_doc("Opportunity", name)
		doc.sales_stage = "Qualification"
		doc.contact_email = "buyer@example.com"
		doc.save()
		self.assertEqual((doc.requirements_not_met, bool(doc.stage_entered_on)), (0, True))


class TestServerOwnedFields(InvariantTestCase):
	def test_a_client_cannot_set_them_on_insert_or_update(self):
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(
			self.b2b_customer,
			stage_entered_on="2020-01-01 00:00:00",
			buying_phase="Decision",
			gate_override_stage="Prospecting",
			requirements_not_met=1,
		)
		self.assertNotEqual(str(opportunity.stage_entered_on)[:4], "2020")
		self.assertEqual(
			(opportunity.buying_phase, opportunity.gate_override_stage, opportunity.requirements_not_met),
			("Awareness", None, 0),
		)
		entered = opportunity.stage_entered_on
		opportunity.stage_entered_on = "2020-01-01 00:00:00"
		opportunity.gate_override_outcome = "Won"
		opportunity.save()
		self.assertEqual((opportunity.stage_entered_on, opportunity.gate_override_outcome), (entered, None))

	def test_server_code_moving_the_stage_with_db_set_is_held_to_the_gate(self):
		opportunity = make_opportunity(self.b2b_customer)
		self.assertRaises(StageGateError, opportunity.db_set, "sales_stage", "Negotiation/Review")
		self.assertEqual(frappe.db.get_value("Opportunity", opportunity.name, "sales_stage"), "Prospecting")

	def test_a_save_that_skips_validate_is_logged_and_held_to_the_gate(self):
		opportunity = make_opportunity(self.b2b_customer, contact_email="buyer@example.com")
		opportunity.flags.ignore_validate = True
		opportunity.sales_stage = "Qualification"
		opportunity.save()
		moved = transitions(opportunity.name, to_stage="Qualification")
		self.assertEqual([(m.from_stage, m.system_change) for m in moved], [("Prospecting", 0)])
		stored = frappe.db.get_value("Opportunity", opportunity.name, ["buying_phase", "stage_entered_on"])
		self.assertEqual(stored, ("Awareness", opportunity.stage_entered_on))
		opportunity.sales_stage = "Negotiation/Review"
		self.assertRaises(StageGateError, opportunity.save)


class TestTheLogOutlivesTheDeal(InvariantTestCase):
	def test_a_rep_cannot_delete_a_deal_with_history(self):
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(self.b2c_customer)
		self.assertRaises(frappe.PermissionError, frappe.delete_doc, "Opportunity", opportunity.name)
		self.assertTrue(frappe.db.exists("Opportunity", opportunity.name))

	def test_a_manager_deletes_it_and_the_rows_stay_for_managers_only(self):
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(self.b2c_customer, contact_email="me@example.com")
		opportunity.sales_stage = "Proposal/Price Quote"
		opportunity.save()
		frappe.set_user(SALES_MANAGER)
		frappe.delete_doc("Opportunity", opportunity.name)
		rows = transitions(opportunity.name)
		self.assertEqual(
			[(r.to_stage, r.opportunity_deleted) for r in rows],
			[("Prospecting", 1), ("Proposal/Price Quote", 1)],
		)
		readable = {"opportunity": opportunity.name}
		for user, expected in ((SALES_MANAGER, 2), (SYSTEM_MANAGER, 2), (SALES_USER, 0)):
			frappe.set_user(user)
			self.assertEqual(len(frappe.get_list("Stage Transition", filters=readable)), expected, user)
			self.assertEqual(
				frappe.has_permission("Stage Transition", "read", rows[0].name), bool(expected), user
			)

	def test_a_system_manager_without_a_sales_role_reads_the_log_without_error(self):
		make_opportunity(self.b2c_customer)
		frappe.set_user(SYSTEM_MANAGER)
		names = frappe.get_list("Stage Transition", filters={"opportunity_deleted": 0}, pluck="name")
		self.assertEqual(names, [])  # no deal of theirs is readable: none of its log either
