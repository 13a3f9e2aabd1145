"""The stage gate on Opportunity, overrides and the stage history."""

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import add_to_date, now_datetime

from sales_modes.api import get_stage_readiness
from sales_modes.gate import StageGateError
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import (
	committee_member,
	convert_to_sales_order,
	lost_reason,
	make_customer,
	make_opportunity,
	make_user,
	qualified_b2b_values,
	transitions,
)

SALES_USER = "sm-rep@example.com"
SALES_MANAGER = "sm-manager@example.com"
B2B_PIPELINE = [
	"Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Identifying Decision Makers",
	"Perception Analysis", "Proposal/Price Quote", "Negotiation/Review",
]  # fmt: skip


class GateTestCase(SalesModesTestCase):
	def setUp(self):
		make_user(SALES_USER, ["Sales User"])
		make_user(SALES_MANAGER, ["Sales User", "Sales Manager"])
		self.b2b_customer = make_customer("_SM Gate Corp", "Company").name
		self.b2c_customer = make_customer("_SM Gate Person", "Individual").name

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()


class TestB2BGate(GateTestCase):
	def test_cannot_reach_negotiation_without_committee_and_roi(self):
		opportunity = make_opportunity(self.b2b_customer, contact_email="buyer@example.com")
		opportunity.sales_stage = "Negotiation/Review"
		with self.assertRaises(StageGateError) as raised:
			opportunity.save()
		message = str(raised.exception)
		for missing in (
			"Describe the customer",
			"Choose the value driver of the deal.",
			"Add at least one member of the buying committee.",
			"The buying committee needs at least two members.",
			"Name the Economic Buyer in the buying committee.",
			"Confirm the budget.",
			"Summarise the ROI for the buyer.",
			"Set the expected closing date.",
			"Enter the amount of the deal.",
			"At least one committee member must be engaged.",
		):
			self.assertIn(missing, message)
		self.assertNotIn("Record the buyer", message)  # the email is there
		self.assertEqual(message.count("<li>"), 10)

	def test_committee_without_economic_buyer_is_named_exactly(self):
		values = qualified_b2b_values(
			buying_committee=[committee_member("Decision Maker"), committee_member("Champion")]
		)
		opportunity = make_opportunity(self.b2b_customer, **values)
		opportunity.sales_stage = "Negotiation/Review"
		with self.assertRaises(StageGateError) as raised:
			opportunity.save()
		self.assertEqual(str(raised.exception).count("<li>"), 1)
		self.assertIn("Name the Economic Buyer", str(raised.exception))

	def test_full_deal_walks_the_pipeline_and_is_logged(self):
		opportunity = make_opportunity(self.b2b_customer, **qualified_b2b_values())
		self.assertEqual((opportunity.buying_phase, opportunity.probability), ("Awareness", 10))
		for stage in B2B_PIPELINE[1:]:
			opportunity.sales_stage = stage
			opportunity.save()
		self.assertEqual((opportunity.buying_phase, opportunity.probability), ("Decision", 90))
		log = transitions(opportunity.name)
		self.assertEqual(
			[(t.from_stage, t.to_stage) for t in log],
			list(zip([None, *B2B_PIPELINE], B2B_PIPELINE, strict=False)),
		)
		self.assertEqual(log[-1].from_phase, "Decision")
		self.assertEqual({t.sales_mode for t in log}, {"B2B"})
		self.assertTrue(all(t.days_in_previous_stage is not None for t in log[1:]))
		self.assertFalse(any(t.gate_overridden for t in log))

	def test_days_in_previous_stage_measures_the_stage_left(self):
		opportunity = make_opportunity(self.b2b_customer, **qualified_b2b_values())
		entered = add_to_date(now_datetime(), days=-12)
		frappe.db.set_value(
			"Opportunity", opportunity.name, "stage_entered_on", entered, update_modified=False
		)
		opportunity.reload()
		opportunity.sales_stage = "Qualification"
		opportunity.save()
		self.assertAlmostEqual(
			transitions(opportunity.name, to_stage="Qualification")[0].days_in_previous_stage, 12, 1
		)

	def test_skipping_checks_every_stage_passed_over(self):
		opportunity = make_opportunity(self.b2b_customer, contact_email="a@example.com")
		opportunity.sales_stage = "Value Proposition"
		with self.assertRaises(StageGateError) as raised:
			opportunity.save()
		self.assertIn("Describe the customer", str(raised.exception))  # Needs Analysis, passed over

	def test_moving_back_is_allowed_and_logged(self):
		opportunity = make_opportunity(
			self.b2b_customer, **qualified_b2b_values(), sales_stage="Proposal/Price Quote"
		)
		opportunity.sales_stage = "Needs Analysis"
		opportunity.save()
		self.assertEqual(transitions(opportunity.name)[-1].to_stage, "Needs Analysis")
		self.assertEqual(opportunity.buying_phase, "Consideration")

	def test_stage_outside_the_pipeline_is_refused(self):
		opportunity = make_opportunity(self.b2c_customer)
		opportunity.sales_stage = "Needs Analysis"
		with self.assertRaises(StageGateError) as raised:
			opportunity.save()
		self.assertIn("not part of the B2C pipeline", str(raised.exception))

	def test_deal_left_outside_the_pipeline_can_still_be_edited(self):
		opportunity = make_opportunity(self.b2c_customer)
		frappe.db.set_value(
			"Opportunity", opportunity.name, "sales_stage", "Needs Analysis", update_modified=False
		)
		opportunity.reload()
		opportunity.title = "Edited without moving"
		opportunity.save()
		self.assertIsNone(opportunity.buying_phase)

	def test_probability_follows_stage_unless_user_set_it(self):
		opportunity = make_opportunity(self.b2b_customer, **qualified_b2b_values())
		opportunity.sales_stage = "Qualification"
		opportunity.save()
		self.assertEqual(opportunity.probability, 20)
		opportunity.sales_stage = "Needs Analysis"
		opportunity.probability = 55
		opportunity.save()
		self.assertEqual(opportunity.probability, 55)
		self.assertEqual(make_opportunity(self.b2b_customer, probability=35).probability, 35)

	def test_changing_mode_reevaluates_current_stage(self):
		opportunity = make_opportunity(
			self.b2c_customer,
			contact_email="me@example.com",
			opportunity_amount=80,
			sales_stage="Negotiation/Review",
		)
		frappe.set_user(SALES_MANAGER)
		opportunity.sales_mode = "B2B"
		opportunity.gate_override_reason = "The buyer is a company after all"
		opportunity.save()
		entry = transitions(opportunity.name, event="Mode Change")[0]
		self.assertEqual((entry.from_mode, entry.to_mode, entry.gate_overridden), ("B2C", "B2B", 1))
		self.assertIn("Name the Economic Buyer", entry.unmet_requirements)
		self.assertEqual(entry.override_reason, "The buyer is a company after all")


class TestB2CGate(GateTestCase):
	def test_b2c_goes_straight_to_proposal(self):
		opportunity = make_opportunity(self.b2c_customer, contact_mobile="+1 555 0100")
		opportunity.sales_stage = "Proposal/Price Quote"
		opportunity.save()
		self.assertEqual((opportunity.buying_phase, opportunity.probability), ("Consideration", 60))
		self.assertEqual(transitions(opportunity.name)[-1].from_stage, "Prospecting")

	def test_b2c_needs_a_way_to_reach_the_buyer(self):
		opportunity = make_opportunity(self.b2c_customer)
		opportunity.sales_stage = "Proposal/Price Quote"
		with self.assertRaises(StageGateError) as raised:
			opportunity.save()
		self.assertIn("email address or a phone number", str(raised.exception))


class TestOverride(GateTestCase):
	def test_sales_user_cannot_override(self):
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(self.b2b_customer)
		opportunity.sales_stage = "Qualification"
		opportunity.gate_override_reason = "Trust me"
		self.assertRaises(frappe.PermissionError, opportunity.save)

	def test_manager_without_reason_is_told_how(self):
		frappe.set_user(SALES_MANAGER)
		opportunity = make_opportunity(self.b2b_customer)
		opportunity.sales_stage = "Qualification"
		with self.assertRaises(StageGateError) as raised:
			opportunity.save()
		self.assertIn("Gate Override Reason", str(raised.exception))

	def test_manager_overrides_with_reason_and_it_is_logged(self):
		frappe.set_user(SALES_MANAGER)
		opportunity = make_opportunity(self.b2b_customer)
		opportunity.sales_stage = "Needs Analysis"
		opportunity.gate_override_reason = "Met the buyer at the trade fair"
		opportunity.save()
		self.assertFalse(opportunity.gate_override_reason)  # consumed by the move
		entry = transitions(opportunity.name)[-1]
		self.assertEqual(
			(entry.to_stage, entry.gate_overridden, entry.user), ("Needs Analysis", 1, SALES_MANAGER)
		)
		self.assertEqual(entry.override_reason, "Met the buyer at the trade fair")
		self.assertIn("Record the buyer", entry.unmet_requirements)
		self.assertIn("Describe the customer", entry.unmet_requirements)

	@change_settings("Sales Modes Settings", {"override_role": "Sales User"})
	def test_override_role_comes_from_settings(self):
		frappe.set_user(SALES_USER)
		opportunity = make_opportunity(self.b2b_customer)
		opportunity.sales_stage = "Qualification"
		opportunity.gate_override_reason = "Settings allow reps"
		opportunity.save()
		self.assertEqual(transitions(opportunity.name)[-1].gate_overridden, 1)


class TestDataImport(GateTestCase):
	def tearDown(self):
		frappe.flags.in_import = False
		super().tearDown()

	def test_imports_are_gated_by_default(self):
		frappe.flags.in_import = True
		self.assertRaises(
			StageGateError,
			make_opportunity,
			self.b2b_customer,
			sales_stage="Negotiation/Review",
			status="Open",
		)

	@change_settings("Sales Modes Settings", {"gate_data_import": 0})
	def test_historical_imports_pass_and_are_logged_as_imported(self):
		frappe.flags.in_import = True
		opportunity = make_opportunity(self.b2b_customer, sales_stage="Negotiation/Review", status="Open")
		entry = transitions(opportunity.name)[-1]
		self.assertEqual((entry.imported, entry.gate_overridden), (1, 0))
		self.assertIn("Name the Economic Buyer", entry.unmet_requirements)


class TestStatusEvents(GateTestCase):
	def test_won_lost_reopened(self):
		opportunity = make_opportunity(
			self.b2c_customer, contact_email="me@example.com", opportunity_amount=40
		)
		# ERPNext sets Converted and Quotation with db_set (no validate): on_change must catch it
		opportunity.db_set("status", "Converted")
		self.assertEqual(transitions(opportunity.name)[-1].event, "Won")
		opportunity.reload()
		opportunity.status = "Open"
		opportunity.save()
		self.assertEqual(transitions(opportunity.name)[-1].event, "Reopened")
		opportunity.reload()
		opportunity.declare_enquiry_lost([{"lost_reason": lost_reason()}], [])
		events = [t.event for t in transitions(opportunity.name)]
		self.assertEqual(events, ["Stage Change", "Won", "Reopened", "Lost"])
		self.assertEqual(transitions(opportunity.name)[-1].status, "Lost")

	def test_erpnext_conversion_logs_each_status_once(self):
		"""Quotation and Sales Order submission set the status through ERPNext's set_status."""
		opportunity = make_opportunity(
			self.b2c_customer, contact_email="me@example.com", opportunity_amount=40
		)
		convert_to_sales_order(opportunity.name)
		self.assertEqual(frappe.db.get_value("Opportunity", opportunity.name, "status"), "Converted")
		events = [t.event for t in transitions(opportunity.name)]
		self.assertEqual(events, ["Stage Change", "Status Change", "Won"])

	def test_a_plain_save_logs_nothing(self):
		opportunity = make_opportunity(self.b2c_customer)
		count = len(transitions(opportunity.name))
		opportunity.title = "Changed title"
		opportunity.save()
		self.assertEqual(len(transitions(opportunity.name)), count)

	def test_racing_saves_log_one_transition(self):
		opportunity = make_opportunity(self.b2c_customer, contact_email="me@example.com")
		first, second = (frappe.get_doc("Opportunity", opportunity.name) for _ in range(2))
		first.sales_stage = "Proposal/Price Quote"
		first.save()
		second.sales_stage = "Proposal/Price Quote"
		self.assertRaises(frappe.TimestampMismatchError, second.save)
		self.assertEqual(len(transitions(opportunity.name, to_stage="Proposal/Price Quote")), 1)


class TestStageTransitionLog(GateTestCase):
	def test_log_cannot_be_edited_or_deleted(self):
		opportunity = make_opportunity(self.b2c_customer)
		entry = frappe.get_doc("Stage Transition", transitions(opportunity.name)[0].name)
		entry.to_stage = "Negotiation/Review"
		self.assertRaises(frappe.ValidationError, entry.save)
		self.assertRaises(frappe.ValidationError, frappe.delete_doc, "Stage Transition", entry.name)

	def test_log_outlives_its_opportunity(self):
		opportunity = make_opportunity(self.b2c_customer)
		frappe.delete_doc("Opportunity", opportunity.name)
		self.assertEqual(
			[(t.event, t.opportunity_deleted) for t in transitions(opportunity.name)], [("Stage Change", 1)]
		)

	def test_readable_only_where_the_opportunity_is(self):
		mine = make_opportunity(self.b2c_customer, territory="All Territories")
		frappe.set_user(SALES_USER)
		self.assertTrue(frappe.has_permission("Stage Transition", "read", transitions(mine.name)[0].name))
		self.assertFalse(frappe.has_permission("Stage Transition", "write", transitions(mine.name)[0].name))
		visible = frappe.get_list("Stage Transition", filters={"opportunity": mine.name}, pluck="name")
		self.assertEqual(len(visible), 1)
		frappe.set_user("Administrator")
		if not frappe.db.exists("Territory", "_SM Elsewhere"):
			frappe.get_doc(
				{
					"doctype": "Territory",
					"territory_name": "_SM Elsewhere",
					"parent_territory": "All Territories",
				}
			).insert()
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": SALES_USER,
				"allow": "Territory",
				"for_value": "_SM Elsewhere",
			}
		).insert()
		frappe.set_user(SALES_USER)
		self.assertFalse(frappe.has_permission("Stage Transition", "read", transitions(mine.name)[0].name))
		self.assertEqual(frappe.get_list("Stage Transition", filters={"opportunity": mine.name}), [])


class TestReadinessAPI(GateTestCase):
	def test_readiness_lists_path_and_missing(self):
		opportunity = make_opportunity(
			self.b2b_customer, contact_email="a@example.com", sales_stage="Qualification"
		)
		readiness = get_stage_readiness(opportunity.name)
		self.assertEqual([s["stage"] for s in readiness["stages"]], B2B_PIPELINE)
		self.assertEqual([s["state"] for s in readiness["stages"][:3]], ["done", "current", "todo"])
		self.assertEqual(readiness["next_stage"], "Needs Analysis")
		self.assertEqual(readiness["missing"], ["Describe the customer's need."])
		self.assertTrue(readiness["can_override"])

	def test_readiness_checks_permission(self):
		opportunity = make_opportunity(self.b2b_customer)
		make_user("sm-outsider@example.com", ["Website Manager"])
		frappe.set_user("sm-outsider@example.com")
		self.assertRaises(frappe.PermissionError, get_stage_readiness, opportunity.name)
