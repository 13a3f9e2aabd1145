"""Opportunity.closed_on: set by the server at the close on every path, cleared on reopen,
taken from a client only through Data Import with gating off."""

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import getdate, today

from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import (
	convert_to_sales_order,
	make_customer,
	make_opportunity,
	make_quotation,
	make_user,
)

SALES_USER = "sm-close-date-user@example.com"
SETTINGS = "Sales Modes Settings"


def lose(opportunity_name: str) -> None:
	"""ERPNext's own Lost button."""
	frappe.get_doc("Opportunity", opportunity_name).declare_enquiry_lost(
		[{"lost_reason": lost_reason()}], [], "Chose another supplier"
	)


def lost_reason() -> str:
	if not frappe.db.exists("Opportunity Lost Reason", "_SM Too Expensive"):
		frappe.get_doc({"doctype": "Opportunity Lost Reason", "lost_reason": "_SM Too Expensive"}).insert()
	return "_SM Too Expensive"


def closed_on(opportunity_name: str):
	return frappe.db.get_value("Opportunity", opportunity_name, "closed_on")


class TestCloseDate(SalesModesTestCase):
	def setUp(self):
		self.customer = make_customer("_SM Close Date Person", "Individual").name

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.flags.in_import = False
		frappe.db.rollback()

	def test_declared_lost_then_reopened(self):
		deal = make_opportunity(self.customer)
		self.assertIsNone(closed_on(deal.name))
		lose(deal.name)
		self.assertEqual(closed_on(deal.name), getdate(today()))

		deal = frappe.get_doc("Opportunity", deal.name)
		deal.status = "Open"
		deal.save()
		self.assertIsNone(closed_on(deal.name))

	def test_won_through_erpnext_quotation_and_order_and_reopened_by_cancel(self):
		# Both status changes are ERPNext db_sets that bypass validate
		deal = make_opportunity(self.customer)
		_quotation, order = convert_to_sales_order(deal.name)
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "status"), "Converted")
		self.assertEqual(closed_on(deal.name), getdate(today()))

		order.reload()
		order.cancel()
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "status"), "Quotation")
		self.assertIsNone(closed_on(deal.name))

	def test_lost_through_a_lost_quotation(self):
		deal = make_opportunity(self.customer)
		quotation = make_quotation(self.customer, submit=True, opportunity=deal.name)
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "status"), "Quotation")
		quotation.declare_enquiry_lost([], [])
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "status"), "Lost")
		self.assertEqual(closed_on(deal.name), getdate(today()))

	def test_a_sales_user_cannot_set_or_move_the_close_date(self):
		make_user(SALES_USER, ["Sales User"])
		frappe.set_user(SALES_USER)
		deal = make_opportunity(self.customer, closed_on="2020-01-01")
		self.assertIsNone(closed_on(deal.name))
		lose(deal.name)
		deal = frappe.get_doc("Opportunity", deal.name)
		deal.closed_on = "2020-01-01"
		deal.order_lost_reason = "Rechecked"
		deal.save()
		self.assertEqual(closed_on(deal.name), getdate(today()))

	@change_settings(SETTINGS, {"gate_data_import": 0})
	def test_import_keeps_the_close_date_when_imports_are_not_gated(self):
		frappe.flags.in_import = True
		deal = make_opportunity(
			self.customer, status="Lost", closed_on="2019-03-14", transaction_date="2019-01-02"
		)
		self.assertEqual(closed_on(deal.name), getdate("2019-03-14"))
		# Its Lost event is dated at the close it came with, not at the import
		(lost,) = frappe.get_all(
			"Stage Transition",
			filters={"opportunity": deal.name, "event": "Lost"},
			fields=["transitioned_on"],
		)
		self.assertEqual(str(lost.transitioned_on), "2019-03-14 00:00:00")
		# A closed deal imported without a date is closed at the import
		undated = make_opportunity(self.customer, status="Converted", transaction_date="2019-01-02")
		self.assertEqual(closed_on(undated.name), getdate(today()))

	@change_settings(SETTINGS, {"gate_data_import": 1})
	def test_gated_import_cannot_bring_a_close_date(self):
		frappe.flags.in_import = True
		deal = make_opportunity(self.customer, status="Lost", closed_on="2019-03-14")
		self.assertEqual(closed_on(deal.name), getdate(today()))
