# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

from datetime import date

import frappe
from frappe.utils import add_months, get_first_day, getdate, today

from sales_modes.sales_modes.report.repeat_purchase_by_mode.repeat_purchase_by_mode import execute
from sales_modes.tests import report_data as data
from sales_modes.tests.factories import make_sales_invoice


def months(*shares) -> dict:
	shares = list(shares) + [0.0] * (12 - len(shares))
	return {f"month_{i}": share for i, share in enumerate(shares, start=1)}


class TestRepeatPurchaseByMode(data.ReportTestCase):
	report = staticmethod(execute)

	def test_cohorts(self):
		_columns, rows, message, chart, summary = self.run_report()
		# B's first invoice was in 2000: no 2001 cohort. A bought in January and February (the
		# cancelled and the draft invoice do not count); E and C bought once.
		self.assertEqual(
			rows,
			[
				{"sales_mode": "B2B", "cohort": date(2001, 1, 1), "cohort_size": 1, **months(100.0)},
				{"sales_mode": "B2C", "cohort": date(2001, 5, 1), "cohort_size": 1, **months()},
				{"sales_mode": "B2C", "cohort": date(2001, 6, 1), "cohort_size": 1, **months()},
			],
		)
		self.assertIsNone(message)
		# Repeat Rate as in Sales Mode Comparison: B2B customers A (2 sales) and B (1 sale in the
		# period: its first was in 2000) -> 50 %; A: 31 days between its two sales; B2C E and C once
		self.assertEqual([s["value"] for s in summary], [50.0, 31.0, 0.0, None])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [100.0] + [0] * 11)
		self.assertEqual(chart["data"]["datasets"][1]["values"], [0] * 12)

	def test_returns_do_not_start_a_cohort(self):
		rows = self.run_report(from_date="2000-01-01", to_date="2000-12-31")[1]
		# B: first invoice June 2000, then March 2001 (9 months later); its return in April is no purchase
		self.assertEqual(
			rows,
			[
				{
					"sales_mode": "B2B",
					"cohort": date(2000, 6, 1),
					"cohort_size": 1,
					**months(*[0.0] * 8, 100.0),
				}
			],
		)

	def test_future_months_are_empty(self):
		# Recent months: the test territories keep other data on the site out of the figures
		cohort = get_first_day(add_months(today(), -1))
		recent = {"sales_mode": "B2C", "from_date": cohort, "to_date": today()}
		data.make_fiscal_years(self.data.company, (cohort.year,))
		make_sales_invoice(
			self.data.customer_c, posting_date=cohort, due_date=cohort, rate=10, territory=data.SOUTH
		)
		# C bought first in 2001: no new cohort
		self.assertEqual(self.run_report(territory=data.SOUTH, **recent)[1], [])
		customer = data.make_customer(data.PREFIX + "F", "Individual", territory=data.NORTH).name
		make_sales_invoice(customer, posting_date=cohort, due_date=cohort, rate=10, territory=data.NORTH)
		rows = self.run_report(territory=data.NORTH, **recent)[1]
		self.assertEqual(len(rows), 1)
		self.assertEqual((rows[0]["cohort"], rows[0]["cohort_size"]), (getdate(cohort), 1))
		# Last month's cohort: this month is known (nobody bought again), the next eleven are not
		self.assertEqual(rows[0]["month_1"], 0.0)
		self.assertEqual([rows[0][f"month_{i}"] for i in range(2, 13)], [None] * 11)

	def test_user_restricted_to_one_territory(self):
		frappe.set_user(data.make_restricted_user(data.NORTH))
		rows = self.run_report()[1]
		self.assertEqual(
			[(r["sales_mode"], r["cohort"]) for r in rows],
			[("B2B", date(2001, 1, 1)), ("B2C", date(2001, 5, 1))],
		)

	def test_user_who_may_not_read_invoices(self):
		frappe.set_user(data.make_sales_user())
		_columns, rows, message, chart, summary = self.run_report()
		self.assertEqual((rows, chart, summary), ([], None, None))
		self.assertEqual(
			message,
			data.NO_DATA + "<br>You may not read Sales Invoice records, so their figures are left out."
			"<br>You may not read POS Invoice records, so their figures are left out.",
		)
