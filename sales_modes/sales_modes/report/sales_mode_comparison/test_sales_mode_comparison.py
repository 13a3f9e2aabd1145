# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe

from sales_modes.sales_modes.report.sales_mode_comparison.sales_mode_comparison import execute
from sales_modes.tests import report_data as data

INTERFACE = [
	"sales_mode", "leads", "qualified_leads", "disqualified_leads", "qualification_rate", "opportunities", "won",
	"lost", "win_rate", "avg_deal_size", "median_cycle_days", "avg_committee_size", "customers", "new_customers",
	"repeat_customers", "repeat_rate", "invoices", "revenue", "avg_order_value",
]  # fmt: skip


def figures(row: dict) -> dict:
	return {key: row[key] for key in INTERFACE}


class TestSalesModeComparison(data.ReportTestCase):
	report = staticmethod(execute)

	def rows(self, **filters) -> dict:
		return {row["sales_mode"]: figures(row) for row in self.run_report(**filters)[1]}

	def test_columns_are_the_interface(self):
		columns = self.run_report()[0]
		self.assertEqual([c["fieldname"] for c in columns], INTERFACE)

	def test_every_figure_per_mode(self):
		rows = self.rows()
		self.assertEqual(list(rows), ["B2B", "B2C"])
		self.assertEqual(
			rows["B2B"],
			{
				"sales_mode": "B2B",
				"leads": 3, "qualified_leads": 1, "disqualified_leads": 2, "qualification_rate": 100 / 3,
				"opportunities": 4, "won": 2, "lost": 1, "win_rate": 200 / 3,
				"avg_deal_size": 2000.0, "median_cycle_days": 65.0, "avg_committee_size": 1.5,
				"customers": 2, "new_customers": 1, "repeat_customers": 1, "repeat_rate": 50.0,
				# I3 300 and its return I5 -300 net to 0: 100 + 200 = 300 from 3 orders
				"invoices": 3, "revenue": 300.0, "avg_order_value": 100.0,
			},
		)  # fmt: skip
		self.assertEqual(
			rows["B2C"],
			{
				"sales_mode": "B2C",
				"leads": 1, "qualified_leads": 1, "disqualified_leads": 0, "qualification_rate": 100.0,
				"opportunities": 1, "won": 1, "lost": 0, "win_rate": 100.0,
				# 200 EUR at 1.1 and 100 EUR at 1.1: company currency, from the base_ fields
				"avg_deal_size": 220.0, "median_cycle_days": 0.0, "avg_committee_size": 0.0,
				"customers": 2, "new_customers": 2, "repeat_customers": 0, "repeat_rate": 0.0,
				"invoices": 2, "revenue": 190.0, "avg_order_value": 95.0,
			},
		)  # fmt: skip

	def test_chart_and_summary(self):
		_columns, _data, message, chart, summary = self.run_report()
		self.assertIsNone(message)
		self.assertEqual(chart["data"]["labels"], ["B2B", "B2C"])
		self.assertEqual(chart["data"]["datasets"][1]["values"], [200 / 3, 100.0])
		self.assertEqual([s["value"] for s in summary], ["66.7%", 300.0, "100.0%", 190.0])

	def test_one_mode_filter(self):
		rows = self.rows(sales_mode="B2C")
		self.assertEqual(list(rows), ["B2C"])
		self.assertEqual(rows["B2C"]["revenue"], 190.0)

	def test_one_mode_only_has_data_and_zero_denominators(self):
		# June 2000 holds one B2B invoice and nothing else: B2C shows zeros and empty ratios
		rows = self.rows(from_date="2000-06-01", to_date="2000-06-30")
		self.assertEqual(rows["B2B"]["invoices"], 1)
		self.assertEqual(rows["B2B"]["revenue"], 50.0)
		self.assertEqual(rows["B2B"]["new_customers"], 1)
		self.assertIsNone(rows["B2B"]["win_rate"])
		self.assertIsNone(rows["B2B"]["qualification_rate"])
		self.assertEqual(
			rows["B2C"],
			{
				"sales_mode": "B2C",
				"leads": 0, "qualified_leads": 0, "disqualified_leads": 0, "qualification_rate": None,
				"opportunities": 0, "won": 0, "lost": 0, "win_rate": None,
				"avg_deal_size": None, "median_cycle_days": None, "avg_committee_size": None,
				"customers": 0, "new_customers": 0, "repeat_customers": 0, "repeat_rate": None,
				"invoices": 0, "revenue": 0, "avg_order_value": None,
			},
		)  # fmt: skip

	def test_territory_and_customer_group_filters(self):
		rows = self.rows(territory=data.SOUTH)
		self.assertEqual(rows["B2B"]["leads"], 1)
		self.assertEqual(rows["B2B"]["opportunities"], 2)
		# South B2B: I3 300 returned in full by I5: one order, no revenue
		self.assertEqual((rows["B2B"]["invoices"], rows["B2B"]["revenue"]), (1, 0))
		self.assertEqual(rows["B2C"]["revenue"], 80.0)
		_columns, data_rows, message, _chart, _summary = self.run_report(customer_group="All Customer Groups")
		self.assertIn("customer group", message)
		self.assertEqual(sum(r["revenue"] for r in data_rows), 490.0)

	def test_user_restricted_to_one_territory(self):
		user = data.make_restricted_user(data.NORTH)
		frappe.set_user(user)
		rows = self.rows()
		self.assertEqual(
			rows["B2B"],
			{
				"sales_mode": "B2B",
				"leads": 2, "qualified_leads": 1, "disqualified_leads": 1, "qualification_rate": 50.0,
				"opportunities": 2, "won": 1, "lost": 1, "win_rate": 50.0,
				"avg_deal_size": 1000.0, "median_cycle_days": 10.0, "avg_committee_size": 2.0,
				"customers": 1, "new_customers": 1, "repeat_customers": 1, "repeat_rate": 100.0,
				"invoices": 2, "revenue": 300.0, "avg_order_value": 150.0,
			},
		)  # fmt: skip
		self.assertEqual(
			rows["B2C"],
			{
				"sales_mode": "B2C",
				"leads": 0, "qualified_leads": 0, "disqualified_leads": 0, "qualification_rate": None,
				"opportunities": 0, "won": 0, "lost": 0, "win_rate": None,
				"avg_deal_size": None, "median_cycle_days": None, "avg_committee_size": None,
				"customers": 1, "new_customers": 1, "repeat_customers": 0, "repeat_rate": 0.0,
				"invoices": 1, "revenue": 110.0, "avg_order_value": 110.0,
			},
		)  # fmt: skip

	def test_user_who_may_not_read_invoices(self):
		frappe.set_user(data.make_sales_user())
		_columns, rows, message, _chart, _summary = self.run_report()
		rows = {row["sales_mode"]: figures(row) for row in rows}
		self.assertEqual((rows["B2B"]["leads"], rows["B2B"]["won"]), (3, 2))
		self.assertEqual(
			(rows["B2B"]["invoices"], rows["B2B"]["revenue"], rows["B2B"]["customers"]), (0, 0, 0)
		)
		self.assertIsNone(rows["B2B"]["avg_order_value"])
		self.assertEqual(
			message,
			"You may not read Sales Invoice records, so their figures are left out.<br>"
			"You may not read POS Invoice records, so their figures are left out.",
		)

	def test_execute_never_writes(self):
		writes = frappe.db.transaction_writes
		self.run_report()
		self.assertEqual(frappe.db.transaction_writes, writes)

	def test_win_rate_number_card_counts_deals_by_their_close_date(self):
		from frappe.utils import add_days, add_years, get_quarter_start, today

		from sales_modes.cards import get_win_rate_this_quarter
		from sales_modes.tests.factories import make_opportunity

		this_quarter, last_year = get_quarter_start(today()), add_years(today(), -1)
		# A mode of its own, so that no other deal of the test site is counted
		mode = "_SM Card Mode"
		if not frappe.db.exists("Sales Mode", mode):
			frappe.get_doc({"doctype": "Sales Mode", "mode_name": mode, "family": "Business"}).insert()

		def closed(status, opened, closed_on):
			deal = make_opportunity(
				self.data.customer_a, company=self.data.company, transaction_date=opened, sales_mode=mode
			).name
			frappe.db.set_value("Opportunity", deal, {"status": status, "closed_on": closed_on})

		closed("Converted", last_year, this_quarter)  # opened last year, won this quarter: counts
		closed("Lost", add_days(this_quarter, 1), add_days(this_quarter, 1))  # counts
		closed("Converted", last_year, last_year)  # won last year: not this quarter's
		card = get_win_rate_this_quarter({"sales_mode": mode, "company": self.data.company})
		self.assertEqual(card["value"], 50.0)
		self.assertEqual((card["fieldtype"], card["precision"]), ("Percent", 1))
		self.assertEqual(card["route"], ["query-report", "Sales Mode Comparison"])

	def test_open_deals_number_card(self):
		from sales_modes.cards import get_open_deals
		from sales_modes.tests.factories import make_opportunity

		mode = "_SM Card Mode"
		if not frappe.db.exists("Sales Mode", mode):
			frappe.get_doc({"doctype": "Sales Mode", "mode_name": mode, "family": "Business"}).insert()
		for status in ("Open", "Quotation", "Converted", "Lost"):
			deal = make_opportunity(
				self.data.customer_a,
				company=self.data.company,
				transaction_date="1999-01-01",
				sales_mode=mode,
			).name
			frappe.db.set_value("Opportunity", deal, "status", status)
		card = get_open_deals({"sales_mode": mode, "company": self.data.company})
		# Open now, whatever the opportunity date
		self.assertEqual(card["value"], 2)
		self.assertEqual(card["route"], ["List", "Opportunity"])
		self.assertEqual(card["route_options"]["sales_mode"], mode)

	def test_wins_and_losses_by_close_date(self):
		# O6 opened in 2000 and won in 2001 counts as a 2001 win; O3 opened in 2001 and lost in 2002
		# is no 2001 loss; opportunities stay by their own date
		frappe.db.set_value("Opportunity", self.data.o6, "closed_on", "2001-02-01")
		frappe.db.set_value("Opportunity", self.data.o3, "closed_on", "2002-01-15")
		b2b = self.rows()["B2B"]
		self.assertEqual(
			(b2b["opportunities"], b2b["won"], b2b["lost"], b2b["win_rate"], b2b["avg_deal_size"]),
			(4, 3, 0, 100.0, (1000 + 3000 + 900) / 3),
		)
		self.assertEqual(b2b["median_cycle_days"], 62.0)  # 10, 62, 120
		frappe.db.set_value("Opportunity", self.data.o6, "closed_on", "2000-12-05")
		frappe.db.set_value("Opportunity", self.data.o3, "closed_on", "2001-03-20")
