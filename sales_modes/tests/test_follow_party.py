"""Inferred or chosen: an Inferred mode follows its party, a Chosen one never changes by itself.

Run as the roles that make the changes: a Sales User corrects a customer's type or a lead's
organisation, a System Manager (the role that writes Sales Modes Settings; a Sales Manager only
reads them) changes the mapping.
"""

from unittest.mock import patch

import frappe
from frappe.tests.test_api import FrappeAPITestCase
from frappe.utils import nowdate

from sales_modes import follow, gate
from sales_modes.backfill import Batching
from sales_modes.core.modes import CHOSEN, INFERRED, lead_mode
from sales_modes.mode_resolution import customer_inference
from sales_modes.pipelines import get_pipeline
from sales_modes.settings import get_mode_map
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import (
	get_company,
	item_row,
	login_sid,
	lost_reason,
	make_customer,
	make_lead,
	make_opportunity,
	make_quotation,
	make_sales_invoice,
	make_user,
	make_user_with_roles,
	transitions,
)

SALES_USER = "sm-follow-rep@example.com"
SYSTEM_MANAGER = "sm-follow-admin@example.com"
SALES_MANAGER = "sm-follow-manager@example.com"
KEY_ACCOUNTS = "_SM Key Accounts"
# The marking in the test's own transaction (it commits per batch otherwise)
IN_TEST_TRANSACTION = Batching(commit=False)


def mode_of(doctype: str, name: str) -> tuple[str | None, str | None]:
	return tuple(frappe.db.get_value(doctype, name, ["sales_mode", "sales_mode_source"]))


def make_mode(name: str, family: str = "Business") -> str:
	if not frappe.db.exists("Sales Mode", name):
		frappe.get_doc({"doctype": "Sales Mode", "mode_name": name, "family": family}).insert()
	return name


def assert_gate_holds(test, party: str) -> None:
	"""No deal of the party rests against the rules of its stage: its stage belongs to its mode's
	pipeline, and it meets every rule in force there (no override was given in these tests)."""
	for name in frappe.get_all("Opportunity", {"party_name": party}, pluck="name"):
		deal = frappe.get_doc("Opportunity", name)
		if deal.sales_stage and get_pipeline(deal.sales_mode).stages:
			test.assertIsNotNone(get_pipeline(deal.sales_mode).index(deal.sales_stage), name)
		test.assertEqual(gate.current_unmet(deal), [], name)
		test.assertEqual(deal.requirements_not_met, 0, name)


def lose(deal_name: str) -> None:
	deal = frappe.get_doc("Opportunity", deal_name)
	deal.declare_enquiry_lost([{"lost_reason": lost_reason()}], [])


class TestFollowParty(SalesModesTestCase):
	def setUp(self):
		make_user_with_roles(SALES_USER, ["Sales User"])

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		# Settings saved in a test are cached; the rollback does not reach the cache
		frappe.clear_document_cache("Sales Modes Settings", "Sales Modes Settings")

	def test_source_is_read_only_and_filterable_everywhere(self):
		from sales_modes.setup.custom_fields import SALES_MODE_DOCTYPES

		for doctype in SALES_MODE_DOCTYPES:
			field = frappe.get_meta(doctype).get_field("sales_mode_source")
			self.assertEqual(
				(field.fieldtype, field.options.split()), ("Select", [INFERRED, CHOSEN]), doctype
			)
			self.assertTrue(field.read_only and field.no_copy and field.in_standard_filter, doctype)

	def test_type_corrected_to_individual_moves_what_was_inferred_only(self):
		make_mode(KEY_ACCOUNTS)
		customer = make_customer("_SM Follow Shop", "Company")
		self.assertEqual(mode_of("Customer", customer.name), ("B2B", INFERRED))
		invoice = make_sales_invoice(customer.name)  # submitted: sold under B2B
		quotation = make_quotation(customer.name)  # a draft
		open_deal = make_opportunity(customer.name)  # Prospecting, the first stage
		chosen_deal = make_opportunity(customer.name, sales_mode=KEY_ACCOUNTS)
		advanced_deal = make_opportunity(customer.name, contact_email="buyer@example.com")
		advanced_deal.sales_stage = "Qualification"
		advanced_deal.save()
		lost_deal = make_opportunity(customer.name)
		lose(lost_deal.name)
		self.assertEqual(mode_of("Quotation", quotation.name), ("B2B", INFERRED))
		self.assertEqual(mode_of("Opportunity", chosen_deal.name), (KEY_ACCOUNTS, CHOSEN))
		self.assertEqual(mode_of("Opportunity", lost_deal.name), ("B2B", INFERRED))

		frappe.set_user(SALES_USER)
		customer = frappe.get_doc("Customer", customer.name)
		customer.customer_type = "Individual"
		frappe.clear_messages()
		customer.save()

		frappe.set_user("Administrator")
		self.assertEqual(mode_of("Customer", customer.name), ("B2C", INFERRED))
		self.assertEqual(mode_of("Quotation", quotation.name), ("B2C", INFERRED))
		self.assertEqual(mode_of("Opportunity", open_deal.name), ("B2C", INFERRED))
		self.assertEqual(mode_of("Sales Invoice", invoice.name), ("B2B", INFERRED))
		self.assertEqual(mode_of("Opportunity", chosen_deal.name), (KEY_ACCOUNTS, CHOSEN))
		self.assertEqual(mode_of("Opportunity", lost_deal.name), ("B2B", INFERRED))
		# Past its first stage the gate lets no cascade move a deal: it keeps its mode, still Inferred,
		# and the Sales User is told which deal stayed and why
		self.assertEqual(mode_of("Opportunity", advanced_deal.name), ("B2B", INFERRED))
		told = " ".join(str(m) for m in frappe.get_message_log())
		self.assertIn(advanced_deal.name, told)
		self.assertNotIn(open_deal.name, told)
		# The moved deal entered the B2C pipeline through the gate, and the move is logged
		moved = frappe.get_doc("Opportunity", open_deal.name)
		self.assertEqual((moved.sales_stage, moved.buying_phase), ("Prospecting", "Awareness"))
		self.assertEqual(
			[(t.from_mode, t.to_mode) for t in transitions(open_deal.name, event="Mode Change")],
			[("B2B", "B2C")],
		)
		self.assertEqual(transitions(advanced_deal.name, event="Mode Change"), [])
		assert_gate_holds(self, customer.name)

	def test_a_deal_the_new_modes_rules_refuse_keeps_its_mode(self):
		"""B2C's first stage gets a rule the deal does not meet: the cascade does not override it."""
		b2c = frappe.get_doc("Sales Mode", "B2C")
		b2c.append(
			"requirements",
			{
				"sales_stage": "Prospecting",
				"check_type": "Field Is Set",
				"fieldname": "contact_mobile",
				"message": "Record the buyer's mobile number.",
			},
		)
		b2c.save()
		customer = make_customer("_SM Follow Refused", "Company")
		refused = make_opportunity(customer.name)
		accepted = make_opportunity(customer.name, contact_mobile="+41 79 000 00 00")

		frappe.set_user(SALES_USER)
		customer = frappe.get_doc("Customer", customer.name)
		customer.customer_type = "Individual"
		customer.save()

		frappe.set_user("Administrator")
		self.assertEqual(mode_of("Opportunity", refused.name), ("B2B", INFERRED))
		self.assertEqual(mode_of("Opportunity", accepted.name), ("B2C", INFERRED))
		assert_gate_holds(self, customer.name)

	def test_picking_a_mode_makes_it_chosen_and_clearing_it_infers_again(self):
		frappe.set_user(SALES_USER)
		customer = make_customer("_SM Follow Picker", "Company")
		customer.sales_mode = "B2C"
		customer.save()
		self.assertEqual(mode_of("Customer", customer.name), ("B2C", CHOSEN))
		# A Chosen mode never changes by itself, whatever the type becomes
		for customer_type in ("Individual", "Company"):
			customer.customer_type = customer_type
			customer.save()
			self.assertEqual(mode_of("Customer", customer.name), ("B2C", CHOSEN))
		# Picking what inference gives is no choice; clearing infers again
		customer.sales_mode = "B2B"
		customer.save()
		self.assertEqual(mode_of("Customer", customer.name), ("B2B", INFERRED))
		customer.sales_mode = "B2C"
		customer.save()
		customer.sales_mode = None
		customer.save()
		self.assertEqual(mode_of("Customer", customer.name), ("B2B", INFERRED))

		deal = make_opportunity(customer.name)
		deal.sales_mode = "B2C"
		deal.save()
		self.assertEqual(mode_of("Opportunity", deal.name), ("B2C", CHOSEN))
		deal.sales_mode = None
		deal.save()
		self.assertEqual(mode_of("Opportunity", deal.name), ("B2B", INFERRED))

	def test_a_chosen_party_mode_carries_to_its_inferred_drafts(self):
		"""Documents follow their party's mode, whether the party's own is inferred or chosen."""
		customer = make_customer("_SM Follow Carrier", "Company")
		quotation = make_quotation(customer.name)
		frappe.set_user(SALES_USER)
		customer = frappe.get_doc("Customer", customer.name)
		customer.sales_mode = "B2C"
		customer.save()
		self.assertEqual(mode_of("Quotation", quotation.name), ("B2C", INFERRED))

	def test_a_leads_organisation_moves_its_inferred_deal(self):
		frappe.set_user(SALES_USER)
		lead = make_lead("Gus")
		deal = make_opportunity(lead.name, "Lead")
		quotation = make_quotation(lead.name, "Lead")
		self.assertEqual(mode_of("Opportunity", deal.name), ("B2C", INFERRED))
		lead.reload()  # ERPNext set its status when the deal was made
		lead.company_name = "_SM Gus Logistics"
		lead.save()
		self.assertEqual(mode_of("Lead", lead.name), ("B2B", INFERRED))
		self.assertEqual(mode_of("Opportunity", deal.name), ("B2B", INFERRED))
		self.assertEqual(mode_of("Quotation", quotation.name), ("B2B", INFERRED))
		lead.company_name = ""
		lead.save()
		self.assertEqual(mode_of("Opportunity", deal.name), ("B2C", INFERRED))

	def test_settings_mapping_change_re_infers_every_inferred_mode(self):
		company = make_customer("_SM Follow Mapped Corp", "Company")
		chosen = make_customer("_SM Follow Mapped Chosen", "Company", sales_mode="B2C")
		person = make_customer("_SM Follow Mapped Person", "Individual")
		lead = make_lead("Hal", company_name="_SM Follow Mapped Lead Co")
		quotation = make_quotation(company.name)
		invoice = make_sales_invoice(company.name)
		deal = make_opportunity(company.name)
		self.assertEqual(mode_of("Customer", chosen.name), ("B2C", CHOSEN))

		make_user_with_roles(SYSTEM_MANAGER, ["System Manager"])
		frappe.set_user(SYSTEM_MANAGER)
		settings = frappe.get_single("Sales Modes Settings")
		settings.company_mode = "B2C"
		settings.individual_mode = "B2B"
		settings.save()

		frappe.set_user("Administrator")
		self.assertEqual(mode_of("Customer", company.name), ("B2C", INFERRED))
		self.assertEqual(mode_of("Customer", person.name), ("B2B", INFERRED))
		self.assertEqual(mode_of("Customer", chosen.name), ("B2C", CHOSEN))
		self.assertEqual(mode_of("Lead", lead.name), ("B2C", INFERRED))
		self.assertEqual(mode_of("Quotation", quotation.name), ("B2C", INFERRED))
		self.assertEqual(mode_of("Opportunity", deal.name), ("B2C", INFERRED))
		self.assertEqual(mode_of("Sales Invoice", invoice.name), ("B2B", INFERRED))
		assert_gate_holds(self, company.name)
		# The set-based SQL gave every Inferred party of the site what the Python rule gives it
		frappe.clear_document_cache("Sales Modes Settings", "Sales Modes Settings")
		inferred = {"sales_mode_source": INFERRED}
		for row in frappe.get_all("Customer", inferred, ["name", "customer_type", "sales_mode"]):
			self.assertEqual(row.sales_mode, customer_inference(row.customer_type, row.name), row.name)
		for row in frappe.get_all("Lead", inferred, ["name", "company_name", "sales_mode"]):
			self.assertEqual(row.sales_mode, lead_mode(row.company_name, get_mode_map()), row.name)

	def test_a_sales_manager_cannot_change_the_mapping(self):
		make_user_with_roles(SALES_MANAGER, ["Sales Manager"])
		frappe.set_user(SALES_MANAGER)
		settings = frappe.get_single("Sales Modes Settings")
		settings.company_mode = "B2C"
		self.assertRaises(frappe.PermissionError, settings.save)

	def test_big_sites_follow_the_settings_in_a_background_job(self):
		customer = make_customer("_SM Follow Queued Corp", "Company")
		frappe.db.set_single_value("Sales Modes Settings", "company_mode", "B2C")
		settings = frappe.get_single("Sales Modes Settings")
		with patch.object(follow, "BACKGROUND_THRESHOLD", 0), patch("frappe.enqueue") as enqueue:
			follow.settings_changed(settings)
		enqueue.assert_called_once()
		self.assertEqual(enqueue.call_args.args[0], "sales_modes.follow.follow_settings_job")
		self.assertEqual(mode_of("Customer", customer.name), ("B2B", INFERRED))  # nothing done inline
		frappe.clear_document_cache("Sales Modes Settings", "Sales Modes Settings")
		follow.follow_settings_job()
		self.assertEqual(mode_of("Customer", customer.name), ("B2C", INFERRED))

	def test_walk_in_customer_takes_the_walk_in_mode(self):
		"""ERPNext gives a new customer the type Company (quick entry and POS alike): the default
		customer of a POS Profile is read as the walk-in party instead."""
		walk_in = make_customer("_SM Follow Walk-in", "Company")
		draft = make_sales_invoice(walk_in.name, submit=False)
		self.assertEqual(mode_of("Customer", walk_in.name), ("B2B", INFERRED))
		profile = make_pos_profile(walk_in.name)
		self.assertEqual(mode_of("Customer", walk_in.name), ("B2C", INFERRED))
		self.assertEqual(mode_of("Sales Invoice", draft.name), ("B2C", INFERRED))
		self.assertEqual(make_sales_invoice(walk_in.name).sales_mode, "B2C")
		self.assertEqual(mode_of("POS Invoice", make_pos_invoice(profile, walk_in.name)), ("B2C", INFERRED))
		# The setting decides; blank, a walk-in is read by its type
		frappe.set_user(make_user_with_roles(SYSTEM_MANAGER, ["System Manager"]))
		settings = frappe.get_single("Sales Modes Settings")
		settings.walk_in_customer_mode = None
		settings.save()
		frappe.set_user("Administrator")
		self.assertEqual(mode_of("Customer", walk_in.name), ("B2B", INFERRED))
		settings.reload()
		settings.walk_in_customer_mode = "B2C"
		settings.save()
		self.assertEqual(mode_of("Customer", walk_in.name), ("B2C", INFERRED))

	def test_a_disabled_or_deleted_pos_profile_ends_the_walk_in(self):
		walk_in = make_customer("_SM Follow Walk-in Gone", "Company")
		profile = frappe.get_doc("POS Profile", make_pos_profile(walk_in.name))
		self.assertEqual(mode_of("Customer", walk_in.name), ("B2C", INFERRED))
		profile.disabled = 1
		profile.save()
		self.assertEqual(mode_of("Customer", walk_in.name), ("B2B", INFERRED))
		profile.disabled = 0
		profile.save()
		self.assertEqual(mode_of("Customer", walk_in.name), ("B2C", INFERRED))
		frappe.delete_doc("POS Profile", profile.name)
		self.assertEqual(mode_of("Customer", walk_in.name), ("B2B", INFERRED))

	def test_existing_rows_are_marked_at_upgrade(self):
		customer = make_customer("_SM Follow Legacy Corp", "Company")
		odd = make_customer("_SM Follow Legacy Odd", "Company", sales_mode="B2C")
		same = make_quotation(customer.name)
		other = make_quotation(customer.name, sales_mode="B2C")
		for doctype, name in (
			("Customer", customer.name),
			("Customer", odd.name),
			("Quotation", same.name),
			("Quotation", other.name),
		):
			frappe.db.set_value(doctype, name, "sales_mode_source", None)
		self.assertGreaterEqual(follow.mark_sources(IN_TEST_TRANSACTION), 4)
		self.assertEqual(mode_of("Customer", customer.name), ("B2B", INFERRED))
		self.assertEqual(mode_of("Customer", odd.name), ("B2C", CHOSEN))
		self.assertEqual(mode_of("Quotation", same.name), ("B2B", INFERRED))
		self.assertEqual(mode_of("Quotation", other.name), ("B2C", CHOSEN))
		self.assertEqual(follow.mark_sources(IN_TEST_TRANSACTION), 0)  # idempotent

	def test_upgrade_moves_walk_in_customers_inferred_from_the_company_default(self):
		"""Before this version the POS walk-in party was inferred B2B from ERPNext's default type."""
		walk_in = make_customer("_SM Follow Legacy Walk-in", "Company")
		make_pos_profile(walk_in.name)
		draft = make_sales_invoice(walk_in.name, submit=False)
		sold = make_sales_invoice(walk_in.name)
		for doctype, name in (
			("Customer", walk_in.name),
			("Sales Invoice", draft.name),
			("Sales Invoice", sold.name),
		):
			frappe.db.set_value(doctype, name, {"sales_mode": "B2B", "sales_mode_source": None})
		follow.mark_sources_on_upgrade(IN_TEST_TRANSACTION)
		self.assertEqual(mode_of("Customer", walk_in.name), ("B2C", INFERRED))
		self.assertEqual(mode_of("Sales Invoice", draft.name), ("B2C", INFERRED))
		self.assertEqual(mode_of("Sales Invoice", sold.name), ("B2B", INFERRED))  # sold under B2B


def make_pos_profile(customer: str) -> str:
	from sales_modes.tests.history_builder import account

	company = get_company()
	cash = frappe.get_doc("Mode of Payment", "Cash")
	if not any(row.company == company for row in cash.accounts):
		cash.append("accounts", {"company": company, "default_account": account("Cash")})
		cash.save()
	return (
		frappe.get_doc(
			{
				"doctype": "POS Profile",
				"name": "_SM Follow Shop",
				"company": company,
				"currency": frappe.get_cached_value("Company", company, "default_currency"),
				"customer": customer,
				"warehouse": account("Stores"),
				"cost_center": account("Main"),
				"write_off_account": account("Write Off"),
				"write_off_cost_center": account("Main"),
				"income_account": account("Sales"),
				"selling_price_list": "Standard Selling",
				"payments": [{"mode_of_payment": "Cash", "default": 1}],
			}
		)
		.insert()
		.name
	)


def make_pos_invoice(profile: str, customer: str) -> str:
	"""A draft POS Invoice at the shop (a POS Opening Entry must be open)."""
	frappe.get_doc(
		{
			"doctype": "POS Opening Entry",
			"pos_profile": profile,
			"user": frappe.session.user,
			"company": get_company(),
			"period_start_date": frappe.utils.now_datetime(),
			"balance_details": [{"mode_of_payment": "Cash", "opening_amount": 0}],
		}
	).submit()
	doc = frappe.get_doc(
		{
			"doctype": "POS Invoice",
			"pos_profile": profile,
			"company": get_company(),
			"customer": customer,
			"is_pos": 1,
			"items": [item_row(rate=30)],
		}
	)
	doc.set_missing_values()
	doc.set("payments", [{"mode_of_payment": "Cash", "amount": 30, "default": 1}])
	return doc.insert().name


class TestSourceThroughREST(FrappeAPITestCase):
	"""A hostile Sales User cannot forge the source: the server derives it on every save."""

	def setUp(self):
		make_user(SALES_USER, ["Sales User"])
		self.customer = make_customer("_SM Follow REST Corp", "Company").name
		self.deals = []
		frappe.db.commit()  # nosemgrep: the API's request runs in its own connection

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		for name in self.deals:
			frappe.delete_doc("Opportunity", name, force=True)
			frappe.db.delete("Stage Transition", {"opportunity": name})
		for name in (self.customer, "_SM Follow REST Forged"):
			if frappe.db.exists("Customer", name):
				frappe.delete_doc("Customer", name, force=True)
		frappe.db.commit()  # nosemgrep

	def test_source_cannot_be_forged(self):
		sid = login_sid(SALES_USER)
		path = self.resource("Customer", self.customer)
		response = self.put(path, {"sid": sid, "sales_mode_source": CHOSEN})
		self.assertEqual(response.status_code, 200)
		self.assertEqual(response.json["data"]["sales_mode_source"], INFERRED)

		created = self.post(
			self.resource("Customer"),
			{
				"sid": sid,
				"customer_name": "_SM Follow REST Forged",
				"customer_type": "Company",
				"sales_mode": "B2C",
				"sales_mode_source": INFERRED,
			},
		)
		self.assertEqual(created.status_code, 200)
		self.assertEqual(
			(created.json["data"]["sales_mode"], created.json["data"]["sales_mode_source"]), ("B2C", CHOSEN)
		)

		deal = self.post(
			self.resource("Opportunity"),
			{
				"sid": sid,
				"opportunity_from": "Customer",
				"party_name": self.customer,
				"company": get_company(),
				"transaction_date": nowdate(),
				"sales_mode_source": CHOSEN,
			},
		)
		self.assertEqual(deal.status_code, 200)
		self.deals.append(deal.json["data"]["name"])
		self.assertEqual(deal.json["data"]["sales_mode_source"], INFERRED)

		# The forged PUT changed nothing: the customer still follows its type, and its deal with it
		self.put(path, {"sid": sid, "customer_type": "Individual"})
		frappe.db.rollback()  # a fresh snapshot of what the API committed
		self.assertEqual(mode_of("Customer", self.customer), ("B2C", INFERRED))
		self.assertEqual(mode_of("Opportunity", self.deals[0]), ("B2C", INFERRED))
