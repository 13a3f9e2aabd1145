"""Every inference and propagation path of the sales mode, on a real ERPNext site."""

import frappe
from erpnext.crm.doctype.lead.lead import make_customer as make_customer_from_lead
from erpnext.crm.doctype.prospect.prospect import make_customer as make_customer_from_prospect
from erpnext.selling.doctype.quotation.quotation import make_sales_order
from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note
from erpnext.selling.doctype.sales_order.sales_order import make_sales_invoice as make_invoice_from_order
from frappe.desk.listview import get_group_by_count
from frappe.tests.utils import change_settings
from frappe.utils import add_days, nowdate

from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import (
	convert_to_sales_order,
	make_customer,
	make_lead,
	make_opportunity,
	make_prospect,
	make_quotation,
	make_sales_invoice,
)


class TestModeInference(SalesModesTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def test_customer_mode_follows_customer_type(self):
		self.assertEqual(make_customer("_SM Acme Corp", "Company").sales_mode, "B2B")
		self.assertEqual(make_customer("_SM Jane Doe", "Individual").sales_mode, "B2C")
		self.assertEqual(make_customer("_SM Partners", "Partnership").sales_mode, "B2B")

	def test_explicit_customer_mode_is_kept(self):
		customer = make_customer("_SM Solo Trader", "Company", sales_mode="B2C")
		self.assertEqual(customer.sales_mode, "B2C")
		customer.customer_type = "Individual"
		customer.sales_mode = "B2B"
		customer.save()
		self.assertEqual(customer.reload().sales_mode, "B2B")

	@change_settings("Sales Modes Settings", {"company_mode": "B2C", "individual_mode": "B2B"})
	def test_mapping_comes_from_settings(self):
		self.assertEqual(make_customer("_SM Mapped Corp", "Company").sales_mode, "B2C")
		self.assertEqual(make_customer("_SM Mapped Person", "Individual").sales_mode, "B2B")

	def test_lead_mode_from_company_name(self):
		self.assertEqual(make_lead("Ann", company_name="_SM Lead Corp").sales_mode, "B2B")
		self.assertEqual(make_lead("Bob").sales_mode, "B2C")
		self.assertEqual(make_lead("Cid", company_name="_SM Lead Co", sales_mode="B2C").sales_mode, "B2C")

	def test_prospect_is_b2b(self):
		self.assertEqual(make_prospect("_SM Prospect Ltd").sales_mode, "B2B")

	def test_opportunity_takes_party_mode(self):
		customer = make_customer("_SM Opp Person", "Individual")
		self.assertEqual(make_opportunity(customer.name).sales_mode, "B2C")
		lead = make_lead("Dee", company_name="_SM Opp Lead Corp")
		self.assertEqual(make_opportunity(lead.name, "Lead").sales_mode, "B2B")
		prospect = make_prospect("_SM Opp Prospect")
		self.assertEqual(make_opportunity(prospect.name, "Prospect").sales_mode, "B2B")

	def test_opportunity_company_currency_amount_is_set_on_the_server(self):
		customer = make_customer("_SM Amount Person", "Individual")
		self.assertEqual(make_opportunity(customer.name, opportunity_amount=120).base_opportunity_amount, 120)
		self.assertEqual(
			make_opportunity(
				customer.name, opportunity_amount=100, currency="EUR", conversion_rate=1.1
			).base_opportunity_amount,
			110,
		)

	def test_opportunity_explicit_mode_is_kept(self):
		customer = make_customer("_SM Opp Corp", "Company")
		self.assertEqual(make_opportunity(customer.name, sales_mode="B2C").sales_mode, "B2C")

	def test_quotation_for_lead_takes_lead_mode(self):
		lead = make_lead("Eve")
		self.assertEqual(make_quotation(lead.name, "Lead").sales_mode, "B2C")

	def test_mode_is_carried_through_the_document_flow(self):
		# The customer's own mode is explicit and unlike its type: the chain must carry it, not re-infer
		customer = make_customer("_SM Flow Corp", "Company", sales_mode="B2C")
		opportunity = make_opportunity(customer.name, contact_email="buyer@example.com")
		quotation, order = convert_to_sales_order(opportunity.name)
		invoice = make_invoice_from_order(order.name)
		invoice.insert()
		delivery = make_delivery_note(order.name)
		delivery.insert()
		self.assertEqual(
			[d.sales_mode for d in (opportunity, quotation, order, invoice, delivery)], ["B2C"] * 5
		)

	def test_company_and_individual_customers_through_quotation_order_invoice(self):
		for customer_type, expected in (("Company", "B2B"), ("Individual", "B2C")):
			customer = make_customer(f"_SM Chain {customer_type}", customer_type)
			quotation = make_quotation(customer.name, submit=True)
			order = make_sales_order(quotation.name)
			order.delivery_date = add_days(nowdate(), 7)
			order.insert()
			order.submit()
			invoice = make_invoice_from_order(order.name)
			invoice.insert()
			invoice.submit()
			self.assertEqual([quotation.sales_mode, order.sales_mode, invoice.sales_mode], [expected] * 3)

	def test_lead_and_prospect_conversion_carry_mode(self):
		lead = make_lead("Fay", company_name="_SM Convert Corp", sales_mode="B2C")
		customer = make_customer_from_lead(lead.name)
		customer.customer_type = "Company"
		customer.insert()
		self.assertEqual(customer.sales_mode, "B2C")

		prospect = make_prospect("_SM Convert Prospect")
		customer = make_customer_from_prospect(prospect.name)
		customer.insert()
		self.assertEqual(customer.sales_mode, "B2B")

	def test_submitted_invoice_keeps_its_mode(self):
		customer = make_customer("_SM History Corp", "Company")
		invoice = make_sales_invoice(customer.name)
		customer.sales_mode = "B2C"
		customer.save()
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice.name, "sales_mode"), "B2B")
		self.assertEqual(make_sales_invoice(customer.name).sales_mode, "B2C")

		invoice.reload()
		invoice.sales_mode = "B2C"
		self.assertRaises(frappe.UpdateAfterSubmitError, invoice.save)

	def test_unknown_mode_is_refused_with_its_name(self):
		with self.assertRaises(frappe.LinkValidationError) as raised:
			make_customer("_SM Unknown Mode", "Company", sales_mode="Wholesale Nowhere")
		self.assertIn("Wholesale Nowhere", str(raised.exception))

	def test_disabled_mode_is_refused_on_new_documents(self):
		frappe.get_doc(
			{"doctype": "Sales Mode", "mode_name": "_SM Retired", "family": "Business", "enabled": 0}
		).insert()
		with self.assertRaises(frappe.ValidationError) as raised:
			make_customer("_SM Retired Mode Corp", "Company", sales_mode="_SM Retired")
		self.assertIn("_SM Retired", str(raised.exception))

	def test_a_document_keeps_a_mode_disabled_after_it_was_set(self):
		frappe.get_doc({"doctype": "Sales Mode", "mode_name": "_SM Sunset", "family": "Consumer"}).insert()
		customer = make_customer("_SM Sunset Person", "Individual", sales_mode="_SM Sunset")
		frappe.db.set_value("Sales Mode", "_SM Sunset", "enabled", 0)
		customer.customer_group = customer.customer_group
		customer.save()  # unchanged mode: no error
		self.assertEqual(customer.reload().sales_mode, "_SM Sunset")

	@change_settings("Sales Modes Settings", {"copy_mode_to_transactions": 0})
	def test_copying_to_transactions_can_be_switched_off(self):
		customer = make_customer("_SM No Copy Corp", "Company")
		self.assertFalse(make_sales_invoice(customer.name, submit=False).sales_mode)

	def test_invoices_group_by_sales_mode(self):
		"""The list sidebar's group-by counts and the report builder's Group By work on the field."""
		b2b = make_customer("_SM Group Corp", "Company")
		b2c = make_customer("_SM Group Person", "Individual")
		for customer in (b2b, b2b, b2c):
			make_sales_invoice(customer.name)
		filters = [["Sales Invoice", "customer", "in", [b2b.name, b2c.name]]]
		counts = {
			row["name"]: row["count"]
			for row in get_group_by_count("Sales Invoice", frappe.as_json(filters), "sales_mode")
		}
		self.assertEqual(counts, {"B2B": 2, "B2C": 1})
		grouped = frappe.get_list(
			"Sales Invoice",
			fields=["sales_mode", "count(name) as invoices"],
			filters={"customer": ("in", [b2b.name, b2c.name])},
			group_by="sales_mode",
			order_by="sales_mode",
		)
		self.assertEqual([(g.sales_mode, g.invoices) for g in grouped], [("B2B", 2), ("B2C", 1)])

	def test_field_is_listed_and_filterable_everywhere(self):
		from sales_modes.setup.custom_fields import SALES_MODE_DOCTYPES

		for doctype in SALES_MODE_DOCTYPES:
			field = frappe.get_meta(doctype).get_field("sales_mode")
			self.assertEqual((field.fieldtype, field.options), ("Link", "Sales Mode"), doctype)
			self.assertTrue(field.in_standard_filter and field.in_list_view, doctype)
			self.assertTrue(frappe.db.has_index(f"tab{doctype}", "sales_mode_index"), doctype)
