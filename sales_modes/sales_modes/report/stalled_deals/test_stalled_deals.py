# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe

from sales_modes.sales_modes.report import report_test_data as data
from sales_modes.sales_modes.report.stalled_deals.stalled_deals import execute


class TestStalledDeals(data.ReportTestCase):
	report = staticmethod(execute)

	def test_the_stalled_deal_and_what_it_lacks(self):
		_columns, rows, message, chart, summary = self.run_report()
		# Only O4 is open; it has been in Qualification (stalls after 14 days) since 2001-04-10
		self.assertEqual(
			rows,
			[
				{
					"opportunity": self.data.o4,
					"customer_name": data.PREFIX + "B",
					"sales_mode": "B2B",
					"sales_stage": "Qualification",
					"owner": "Administrator",
					"days_in_stage": data.days_since("2001-04-10"),
					"stall_after_days": 14,
					"amount": 700.0,
					"currency": frappe.get_cached_value("Company", self.data.company, "default_currency"),
					"next_stage": "Needs Analysis",
					"missing": "Describe the customer's need.",
				}
			],
		)
		self.assertIsNone(message)
		self.assertEqual(chart["data"]["labels"], ["B2B"])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [1])
		self.assertEqual([s["value"] for s in summary], [1, 700.0])

	def test_a_deal_that_has_what_the_next_stage_needs(self):
		frappe.db.set_value("Opportunity", self.data.o4, "need_description", "Faster month-end close")
		rows = self.run_report()[1]
		self.assertIsNone(rows[0]["missing"])
		frappe.db.set_value("Opportunity", self.data.o4, "need_description", None)

	def test_filters_and_permissions(self):
		self.assertEqual(self.run_report(sales_mode="B2C")[1], [])
		self.assertEqual(len(self.run_report(territory=data.SOUTH)[1]), 1)
		frappe.set_user(data.make_restricted_user(data.NORTH))
		_columns, rows, message, chart, summary = self.run_report()
		self.assertEqual((rows, chart, summary), ([], None, None))
		self.assertEqual(message, "No stalled deals for these filters.")

	def test_bad_filters(self):
		with self.assertRaises(frappe.ValidationError):
			self.run_report(from_date="2001-12-31", to_date="2001-01-01")
		with self.assertRaises(frappe.DoesNotExistError):
			self.run_report(territory="_No Such Territory")
