# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

from datetime import date

import frappe

from sales_modes.sales_modes.report.sales_mode_trends.sales_mode_trends import execute
from sales_modes.tests import report_data as data


class TestSalesModeTrends(data.ReportTestCase):
	report = staticmethod(execute)

	def series(self, measure, **filters) -> dict:
		columns, rows, *_rest = self.run_report(measure=measure, **filters)
		labels = {c["fieldname"]: c["label"] for c in columns[1:]}
		return {labels[key]: {row["month"]: row[key] for row in rows if row[key]} for key in labels}

	def test_won_value_by_month_won(self):
		# O1 won in January (1000), O2 in June (3000), O5 (B2C, 220 in company currency) in May
		self.assertEqual(
			self.series("Won Value"),
			{"B2B": {date(2001, 1, 1): 1000.0, date(2001, 6, 1): 3000.0}, "B2C": {date(2001, 5, 1): 220.0}},
		)
		_columns, rows, _message, chart, summary = self.run_report(measure="Won Value")
		self.assertEqual(len(rows), 12)
		self.assertEqual(len(chart["data"]["labels"]), 12)
		self.assertEqual([s["value"] for s in summary], [4000.0, 220.0])

	def test_new_leads_and_revenue(self):
		self.assertEqual(
			self.series("New Leads"),
			{
				"B2B": {date(2001, 2, 1): 1, date(2001, 3, 1): 1, date(2001, 4, 1): 1},
				"B2C": {date(2001, 5, 1): 1},
			},
		)
		self.assertEqual(
			self.series("Revenue"),
			{
				# I5, the return of I3, in April
				"B2B": {
					date(2001, 1, 1): 100.0,
					date(2001, 2, 1): 200.0,
					date(2001, 3, 1): 300.0,
					date(2001, 4, 1): -300.0,
				},
				"B2C": {date(2001, 5, 1): 110.0, date(2001, 6, 1): 80.0},
			},
		)

	def test_user_restricted_to_one_territory(self):
		frappe.set_user(data.make_restricted_user(data.NORTH))
		self.assertEqual(self.series("Won Value"), {"B2B": {date(2001, 1, 1): 1000.0}, "B2C": {}})

	def test_no_data_for_every_measure(self):
		for measure in ("Won Value", "New Leads", "Revenue"):
			_columns, rows, message, chart, summary = self.run_report(
				measure=measure, from_date="1990-01-01", to_date="1990-12-31"
			)
			self.assertEqual((rows, chart, summary, message), ([], None, None, self.empty_message))

	def test_unknown_measure(self):
		with self.assertRaises(frappe.ValidationError):
			self.run_report(measure="Everything")
