"""The sales figures of sales_modes.figures.sales on the hand-built 2002 history (tests/sales_data.py)."""

import frappe

from sales_modes import sale_ledger
from sales_modes.figures import sales
from sales_modes.reports import get_filters
from sales_modes.sales_modes.report.sales_mode_comparison.sales_mode_comparison import (
	execute as comparison,
)
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests import sales_data as data

FIELDS = ("orders", "net_revenue", "customers", "new_customers", "repeat_customers")


def figures(**period) -> dict:
	"""{mode: (orders, net revenue, customers, new, repeat)} for the period (the full year by default)."""
	filters = get_filters({"company": frappe.db.get_single_value("Global Defaults", "default_company"),
		**(period or data.FULL_YEAR)})  # fmt: skip
	return {mode: tuple(f[key] for key in FIELDS) for mode, f in sales.mode_figures(filters).items()}


def cohort_rows(rows) -> list[tuple]:
	return sorted((r.sales_mode, int(r.cohort), int(r.offset), int(r.customers)) for r in rows)


class TestSaleFigures(SalesModesTestCase):
	@classmethod
	def setUpClass(cls):
		# Runs after the rollback of the class's data: the reader's Custom DocPerm leaves the cache
		cls.addClassCleanup(data.clear_invoice_reader)
		super().setUpClass()
		cls.data = data.build()

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_full_year(self):
		self.assertEqual(figures(), {"B2B": (3, 1220, 2, 2, 1), "B2C": (5, 205, 1, 1, 1)})
		filters = get_filters({"company": self.data.company, **data.FULL_YEAR})
		found = sales.mode_figures(filters)
		# Days between the repeat customers' first and last sale, and their sales - 1
		self.assertEqual((found["B2B"].days_between, found["B2B"].intervals), (23, 1))
		self.assertEqual((found["B2C"].days_between, found["B2C"].intervals), (52, 1))

	def test_the_single_pass_equals_the_probing_plan(self):
		"""per_customer's two plans, one pass over the history and a probe per customer, the sale
		ledger, and
		cohort_activity's two (a month mask per customer, a join back to the first sale) give the same
		figures in every period, before and after the POS day is consolidated, also for a customer
		whose first sale was in another mode (K: February moved to B2C, so K is not new in B2B in
		March)."""
		feb = frappe.db.get_value(
			"Sales Invoice", {"customer": self.data.k, "posting_date": "2002-02-10", "docstatus": 1}
		)
		periods = (
			data.FULL_YEAR,
			{"from_date": "2002-02-01", "to_date": "2002-02-28"},
			{"from_date": "2002-03-01", "to_date": "2002-03-31"},
			{"from_date": "2002-03-10", "to_date": "2002-12-31"},
			{"from_date": "2002-05-01", "to_date": "2002-05-31"},
			{"from_date": "2002-06-01", "to_date": "2002-07-31"},
		)

		def both(label):
			for period in periods:
				filters = get_filters({"company": self.data.company, **period})
				self.assertTrue(sales.single_pass_applies(filters))
				with self.subTest(label, **period):
					probing = sales.mode_figures(filters, sales.per_customer_probing)
					self.assertEqual(sales.mode_figures(filters, sales.per_customer_single_pass), probing)
					self.assertTrue(sales.ledger_applies(filters))
					self.assertEqual(sales.mode_figures_from_ledger(filters), probing)
					activity, repeat = sales.cohort_activity_single_pass(filters, 12)
					joined = cohort_rows(sales.cohort_activity_joined(filters, 12))
					self.assertEqual(cohort_rows(activity), joined)
					self.assertEqual(cohort_rows(sales.cohort_activity_from_ledger(filters, 12)), joined)
					self.assertEqual(sales.cohorts_and_repeat_figures(filters, 12)[1], repeat)
					figures = sales.mode_figures(filters, sales.per_customer_probing)
					self.assertEqual(
						repeat,
						{
							mode: {key: f[key] for key in sales.REPEAT_FIGURES}
							for mode, f in figures.items()
							if f.customers
						},
					)

		both("as built")
		# The changes below stay within this test: the class's later tests read the data as built
		frappe.db.savepoint("single_pass_test")
		self.addCleanup(frappe.db.rollback, save_point="single_pass_test")
		frappe.db.set_value("Sales Invoice", feb, "sales_mode", "B2C", update_modified=False)
		sale_ledger.follow_invoice_modes(commit=False)  # as `bench sales-modes backfill` does
		march = get_filters(
			{"company": self.data.company, "from_date": "2002-03-01", "to_date": "2002-03-31"}
		)
		self.assertEqual(sales.mode_figures(march, sales.per_customer_single_pass)["B2B"].new_customers, 0)
		self.assertEqual(sales.mode_figures(march, sales.per_customer_single_pass)["B2B"].customers, 1)
		both("K's first sale in B2C")
		if not frappe.db.get_value("POS Invoice", self.data.pos[0], "consolidated_invoice"):
			data.consolidate(self.data.pos)  # unless an earlier test of the class did
		both("POS day consolidated")
		# A filter that hides history takes the probing plan
		self.assertFalse(
			sales.single_pass_applies(get_filters({"company": self.data.company, "sales_mode": "B2B"}))
		)

	def test_a_fully_returned_sale_is_an_order_without_revenue(self):
		# March: K's 400 sale and its credit note; K bought first in February: not new
		self.assertEqual(figures(from_date="2002-03-01", to_date="2002-03-31"), {"B2B": (1, 0, 1, 0, 0)})
		# The credit note alone (its sale before the period) lowers revenue and is no order
		self.assertEqual(figures(from_date="2002-03-10", to_date="2002-03-31"), {"B2B": (0, -400, 0, 0, 0)})

	def test_another_currency_counts_in_company_currency(self):
		self.assertEqual(figures(from_date="2002-04-01", to_date="2002-04-30"), {"B2B": (1, 220, 1, 1, 0)})

	def test_walk_in_party_is_an_order_not_a_customer(self):
		# The POS day: W 30 + 45 + 25 - 25 (return) and N 60; W is the POS Profile's walk-in party
		self.assertEqual(figures(from_date="2002-05-01", to_date="2002-05-31"), {"B2C": (4, 135, 1, 1, 0)})
		_columns, rows, message, _chart, _summary = comparison(
			{"company": self.data.company, **data.FULL_YEAR}
		)
		rows = {row["sales_mode"]: row for row in rows}
		self.assertEqual(
			message,
			"The walk-in customer of a POS Profile counts in Orders and Net Revenue, not in the customer figures.",
		)
		self.assertEqual(
			{key: rows["B2C"][key] for key in ("invoices", "revenue", "avg_order_value", "customers")},
			{"invoices": 5, "revenue": 205, "avg_order_value": 41.0, "customers": 1},
		)

	def test_an_earlier_pos_sale_makes_a_customer_not_new(self):
		# N's first sale ever was at the shop in May: not new in the second half of the year
		self.assertEqual(figures(from_date="2002-06-01", to_date="2002-12-31"), {"B2C": (1, 70, 1, 0, 0)})

	def test_pos_sales_count_once_before_and_after_consolidation(self):
		may = {"from_date": "2002-05-01", "to_date": "2002-05-31"}
		before = (figures(), figures(**may))
		consolidated = data.consolidate(self.data.pos)
		# What ERPNext made: one invoice per customer (W 30 + 45 + 25, N 60) and W's credit note
		made = frappe.get_all(
			"Sales Invoice",
			filters={"name": ("in", consolidated)},
			fields=["customer", "is_consolidated", "is_return", "base_net_total", "docstatus"],
			order_by="customer, is_return",
		)
		self.assertEqual(
			[(r.customer, r.is_consolidated, r.is_return, r.base_net_total, r.docstatus) for r in made],
			[(self.data.n, 1, 0, 60, 1), (self.data.w, 1, 0, 100, 1), (self.data.w, 1, 1, -25, 1)],
		)
		self.assertTrue(
			all(
				frappe.db.get_value("POS Invoice", doc.name, "status") == "Consolidated"
				for doc in self.data.pos
			)
		)
		self.assertEqual((figures(), figures(**may)), before)
		self.assertEqual(figures(**may), {"B2C": (4, 135, 1, 1, 0)})

	def test_cohorts(self):
		from sales_modes.sales_modes.report.repeat_purchase_by_mode.repeat_purchase_by_mode import (
			execute as repeat_purchase,
		)

		_columns, rows, message, _chart, summary = repeat_purchase(
			{"company": self.data.company, **data.FULL_YEAR}
		)
		# K's March sale, returned later, is a sale that month; W (walk-in) starts no cohort
		self.assertEqual(
			[(r["sales_mode"], str(r["cohort"]), r["cohort_size"], r["month_1"], r["month_2"]) for r in rows],
			[
				("B2B", "2002-02-01", 1, 100.0, 0.0),
				("B2B", "2002-04-01", 1, 0.0, 0.0),
				("B2C", "2002-05-01", 1, 0.0, 100.0),
			],
		)
		self.assertEqual([s["value"] for s in summary], [50.0, 23.0, 100.0, 52.0])
		self.assertEqual(
			message,
			"The walk-in customer of a POS Profile counts in Orders and Net Revenue, not in the customer figures.",
		)

	def test_cancelled_and_drafts_never_count(self):
		# June: only the cancelled K invoice and the draft N invoice
		self.assertEqual(figures(from_date="2002-06-01", to_date="2002-06-30"), {})

	def test_user_who_may_not_read_pos_invoices(self):
		frappe.set_user(data.make_invoice_reader())
		# B2C keeps only N's July invoice; N's first sale (at the shop) still makes N new this year
		self.assertEqual(figures(), {"B2B": (3, 1220, 2, 2, 1), "B2C": (1, 70, 1, 1, 0)})
		message = comparison({"company": self.data.company, **data.FULL_YEAR})[2]
		self.assertIn("You may not read POS Invoice records, so their figures are left out.", message)
		self.assertNotIn("Sales Invoice", message)

	def test_sales_figures_never_write(self):
		writes = frappe.db.transaction_writes
		figures()
		self.assertEqual(frappe.db.transaction_writes, writes)
