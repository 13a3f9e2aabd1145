"""The install-time backfill: set-based, never overwriting, idempotent."""

from unittest.mock import patch

import frappe
from frappe.tests.utils import change_settings

from sales_modes import backfill
from sales_modes.core import modes
from sales_modes.settings import get_mode_map
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import (
	make_customer,
	make_lead,
	make_opportunity,
	make_prospect,
	make_quotation,
	make_sales_invoice,
)

# Every customer type ERPNext offers and none; lead organisation names blank and not
CUSTOMER_TYPES = ("Company", "Partnership", "Individual", "")
COMPANY_NAMES = (None, "", "   ", "\t", " \r\n ", "Acme", "  Acme  ", "\u00a0", "é")


def blank_mode(doctype: str, name: str) -> None:
	frappe.db.set_value(doctype, name, "sales_mode", None, update_modified=False)


def mode_of(doctype: str, name: str) -> str | None:
	return frappe.db.get_value(doctype, name, "sales_mode")


class TestBackfill(SalesModesTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def make_pre_install_data(self):
		"""Documents as they were before the app: no mode anywhere."""
		docs = frappe._dict(
			company=make_customer("_SM Backfill Corp", "Company"),
			person=make_customer("_SM Backfill Person", "Individual"),
			org_lead=make_lead("Gus", company_name="_SM Backfill Lead Corp"),
			person_lead=make_lead("Hal"),
			prospect=make_prospect("_SM Backfill Prospect"),
		)
		docs.opp_customer = make_opportunity(docs.person.name)
		docs.opp_lead = make_opportunity(docs.org_lead.name, "Lead")
		docs.opp_prospect = make_opportunity(docs.prospect.name, "Prospect")
		docs.quotation_lead = make_quotation(docs.person_lead.name, "Lead")
		docs.invoice_company = make_sales_invoice(docs.company.name)
		docs.invoice_person = make_sales_invoice(docs.person.name)
		for doc in docs.values():
			blank_mode(doc.doctype, doc.name)
		return docs

	def test_backfill_sets_every_mode(self):
		docs = self.make_pre_install_data()
		backfill.run_backfill()
		expected = {
			"company": "B2B",
			"person": "B2C",
			"org_lead": "B2B",
			"person_lead": "B2C",
			"prospect": "B2B",
			"opp_customer": "B2C",
			"opp_lead": "B2B",
			"opp_prospect": "B2B",
			"quotation_lead": "B2C",
			"invoice_company": "B2B",
			"invoice_person": "B2C",
		}
		self.assertEqual({key: mode_of(docs[key].doctype, docs[key].name) for key in expected}, expected)

	def test_backfill_never_overwrites_and_is_idempotent(self):
		docs = self.make_pre_install_data()
		frappe.db.set_value("Customer", docs.company.name, "sales_mode", "B2C", update_modified=False)
		frappe.db.set_value(
			"Sales Invoice", docs.invoice_person.name, "sales_mode", "B2B", update_modified=False
		)
		backfill.run_backfill()
		self.assertEqual(mode_of("Customer", docs.company.name), "B2C")
		self.assertEqual(mode_of("Sales Invoice", docs.invoice_company.name), "B2C")  # from its customer
		self.assertEqual(mode_of("Sales Invoice", docs.invoice_person.name), "B2B")

		snapshot = {d.name: mode_of(d.doctype, d.name) for d in docs.values()}
		modified = {d.name: frappe.db.get_value(d.doctype, d.name, "modified") for d in docs.values()}
		backfill.run_backfill()
		self.assertEqual({d.name: mode_of(d.doctype, d.name) for d in docs.values()}, snapshot)
		self.assertEqual(
			{d.name: frappe.db.get_value(d.doctype, d.name, "modified") for d in docs.values()}, modified
		)

	def assert_backfill_gives_python_inference(self):
		"""The set-based SQL and the per-document Python inference give the same mode, row by row."""
		customers, leads = [], []
		for i, customer_type in enumerate(CUSTOMER_TYPES):
			name = make_customer(f"_SM Parity Customer {i}", customer_type or "Company").name
			frappe.db.set_value(
				"Customer", name, {"customer_type": customer_type, "sales_mode": None}, update_modified=False
			)
			customers.append(name)
		for i, company_name in enumerate(COMPANY_NAMES):
			name = make_lead(f"Parity {i}").name
			frappe.db.set_value(
				"Lead", name, {"company_name": company_name, "sales_mode": None}, update_modified=False
			)
			leads.append(name)
		backfill.run_backfill()
		mode_map = get_mode_map()
		for name in customers:
			customer_type = frappe.db.get_value("Customer", name, "customer_type")
			with self.subTest(customer_type=customer_type):
				self.assertEqual(mode_of("Customer", name), modes.customer_mode(customer_type, mode_map))
		for name in leads:
			company_name = frappe.db.get_value("Lead", name, "company_name")
			with self.subTest(company_name=company_name):
				self.assertEqual(mode_of("Lead", name), modes.lead_mode(company_name, mode_map))
		return {name: mode_of("Customer", name) for name in customers}, {
			name: mode_of("Lead", name) for name in leads
		}

	def test_backfill_gives_python_inference(self):
		customers, leads = self.assert_backfill_gives_python_inference()
		self.assertEqual(list(customers.values()), ["B2B", "B2B", "B2C", None])
		self.assertEqual(list(leads.values()), ["B2C"] * 5 + ["B2B"] * 4)

	@change_settings(
		"Sales Modes Settings", {"partnership_mode": None, "individual_mode": "B2B", "fallback_mode": "B2C"}
	)
	def test_backfill_gives_python_inference_under_another_mapping(self):
		customers, leads = self.assert_backfill_gives_python_inference()
		self.assertEqual(list(customers.values()), ["B2B", "B2C", "B2B", "B2C"])
		self.assertEqual(list(leads.values()), ["B2B"] * 9)

	def test_blank_rows_are_counted_once_per_doctype(self):
		before = backfill.count_blank_rows()
		docs = self.make_pre_install_data()
		self.assertEqual(backfill.count_blank_rows() - before, len(docs))

	def test_company_currency_amounts_are_filled(self):
		customer = make_customer("_SM Amount Corp", "Company")
		deal = make_opportunity(customer.name, opportunity_amount=250)
		frappe.db.set_value("Opportunity", deal.name, "base_opportunity_amount", 0, update_modified=False)
		backfill.run_backfill()
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "base_opportunity_amount"), 250)

	@change_settings(
		"Sales Modes Settings",
		{"company_mode": None, "partnership_mode": None, "individual_mode": None, "fallback_mode": None},
	)
	def test_backfill_without_settings_is_refused(self):
		self.assertRaises(frappe.ValidationError, backfill.run_backfill)

	def test_progress_is_reported_for_every_step(self):
		calls = []
		backfill.run_backfill(lambda done, total, doctype: calls.append((done, total, doctype)))
		self.assertEqual(calls[0], (0, len(backfill.STEPS), "Customer"))
		self.assertEqual([c[2] for c in calls[:-1]], [doctype for doctype, _step in backfill.STEPS])
		self.assertEqual(calls[-1], (len(backfill.STEPS), len(backfill.STEPS), ""))
		self.assertEqual(len(calls), len(backfill.STEPS) + 1)

	def test_large_sites_backfill_in_background(self):
		self.make_pre_install_data()
		with patch.object(backfill, "BACKGROUND_THRESHOLD", 3), patch("frappe.enqueue") as enqueue:
			backfill.backfill_on_install()
		enqueue.assert_called_once()
		self.assertEqual(enqueue.call_args.args[0], "sales_modes.backfill.run_backfill_job")
		self.assertGreater(backfill.count_blank_rows(), 3)  # nothing done inline

	def test_small_sites_backfill_inline(self):
		docs = self.make_pre_install_data()
		with patch.object(backfill, "BACKGROUND_THRESHOLD", 10**9), patch("frappe.enqueue") as enqueue:
			backfill.backfill_on_install()
		enqueue.assert_not_called()
		self.assertEqual(mode_of("Sales Invoice", docs.invoice_person.name), "B2C")
