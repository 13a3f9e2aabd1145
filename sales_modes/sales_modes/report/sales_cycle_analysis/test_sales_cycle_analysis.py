# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe

from sales_modes.sales_modes.report.sales_cycle_analysis.sales_cycle_analysis import execute
from sales_modes.tests import report_data as data

NO_BUCKETS = {
	"same_day": 0,
	"days_1_7": 0,
	"days_8_30": 0,
	"days_31_90": 0,
	"days_91_180": 0,
	"over_180_days": 0,
}


class TestSalesCycleAnalysis(data.ReportTestCase):
	report = staticmethod(execute)

	def rows(self, **filters) -> dict:
		return {row["sales_mode"]: row for row in self.run_report(**filters)[1]}

	def test_cycle_figures_per_mode(self):
		rows = self.rows()
		self.assertEqual(list(rows), ["B2B", "B2C"])
		# B2B: won after 10 and 120 days; B2C: won on the day the deal was opened
		self.assertEqual(
			rows["B2B"],
			{
				"sales_mode": "B2B", "won": 2, "median_days": 65.0, "p75_days": 92.5, "p90_days": 109.0,
				**NO_BUCKETS, "days_8_30": 1, "days_91_180": 1,
			},
		)  # fmt: skip
		self.assertEqual(
			rows["B2C"],
			{
				"sales_mode": "B2C",
				"won": 1,
				"median_days": 0.0,
				"p75_days": 0.0,
				"p90_days": 0.0,
				**NO_BUCKETS,
				"same_day": 1,
			},
		)

	def test_chart_and_summary(self):
		_columns, _data, message, chart, summary = self.run_report()
		self.assertIsNone(message)
		self.assertEqual(len(chart["data"]["labels"]), 6)
		self.assertEqual(chart["data"]["datasets"][0]["values"], [0, 0, 1, 0, 1, 0])
		self.assertEqual(chart["data"]["datasets"][1]["values"], [1, 0, 0, 0, 0, 0])
		self.assertEqual([s["value"] for s in summary], [65.0, 0.0])

	def test_one_mode_and_zero_won(self):
		self.assertEqual(list(self.rows(sales_mode="B2B")), ["B2B"])
		user = data.make_restricted_user(data.NORTH)
		frappe.set_user(user)
		rows = self.rows()
		self.assertEqual(
			rows["B2B"],
			{
				"sales_mode": "B2B",
				"won": 1,
				"median_days": 10.0,
				"p75_days": 10.0,
				"p90_days": 10.0,
				**NO_BUCKETS,
				"days_8_30": 1,
			},
		)
		self.assertEqual(
			rows["B2C"],
			{
				"sales_mode": "B2C",
				"won": 0,
				"median_days": None,
				"p75_days": None,
				"p90_days": None,
				**NO_BUCKETS,
			},
		)

	def test_wins_are_selected_by_close_date(self):
		# O6 was opened on 2000-12-01: won in February 2001 it is a win of 2001, with its cycle of
		# 62 days; O2, won on 2001-06-01, is not a win of January-May
		frappe.db.set_value("Opportunity", self.data.o6, "closed_on", "2001-02-01")
		b2b = self.rows()["B2B"]
		self.assertEqual((b2b["won"], b2b["median_days"], b2b["days_31_90"]), (3, 62.0, 1))
		b2b = self.rows(to_date="2001-05-31")["B2B"]
		self.assertEqual((b2b["won"], b2b["median_days"]), (2, 36.0))
		frappe.db.set_value("Opportunity", self.data.o6, "closed_on", "2000-12-05")
