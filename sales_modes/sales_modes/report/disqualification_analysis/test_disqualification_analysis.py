# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe

from sales_modes.sales_modes.report.disqualification_analysis.disqualification_analysis import execute
from sales_modes.tests import report_data as data


def figures(rows):
	return [(r["record_type"], r["sales_mode"], r["reason"], r["count"], r["share"]) for r in rows]


class TestDisqualificationAnalysis(data.ReportTestCase):
	report = staticmethod(execute)
	empty_message = "No disqualified leads or lost opportunities for these filters."

	def test_reasons_count_and_share(self):
		_columns, rows, message, chart, summary = self.run_report()
		self.assertEqual(
			figures(rows),
			[
				("Lead", "B2B", "No Budget", 1, 50.0),
				("Lead", "B2B", "No Need", 1, 50.0),
				("Opportunity", "B2B", "_SM Price", 1, 100.0),
			],
		)
		self.assertIsNone(message)
		self.assertEqual(chart["data"]["labels"], ["No Budget", "No Need", "_SM Price"])
		self.assertEqual([d["values"] for d in chart["data"]["datasets"]], [[1, 1, 0], [0, 0, 1]])
		self.assertEqual([s["value"] for s in summary], [2, 1])

	def test_lost_deal_without_reason_and_with_two(self):
		# Lost deals count by their close date
		frappe.db.set_value("Opportunity", self.data.o4, {"status": "Lost", "closed_on": "2001-09-01"})
		opportunity = frappe.get_doc("Opportunity", self.data.o3)
		frappe.get_doc(
			{
				"doctype": "Opportunity Lost Reason Detail",
				"parent": opportunity.name,
				"parenttype": "Opportunity",
				"parentfield": "lost_reasons",
				"lost_reason": "_SM Price 2",
				"idx": 2,
			}
		).db_insert()
		rows = figures(self.run_report(sales_mode="B2B")[1])
		self.assertEqual(
			rows[2:],
			[
				("Opportunity", "B2B", None, 1, 50.0),
				("Opportunity", "B2B", "_SM Price", 1, 50.0),
				("Opportunity", "B2B", "_SM Price 2", 1, 50.0),
			],
		)
		frappe.db.set_value("Opportunity", self.data.o4, {"status": "Open", "closed_on": None})
		frappe.db.delete(
			"Opportunity Lost Reason Detail", {"parent": opportunity.name, "lost_reason": "_SM Price 2"}
		)

	def test_lost_deals_by_their_close_date(self):
		# O3, opened in March 2001, was lost on 20 March: it counts in a period holding the close
		# date, not in one holding only the opportunity date
		self.assertEqual(
			figures(self.run_report(from_date="2001-03-15", to_date="2001-03-31")[1]),
			[("Opportunity", "B2B", "_SM Price", 1, 100.0)],
		)
		self.assertEqual(
			figures(self.run_report(from_date="2001-03-01", to_date="2001-03-10")[1]),
			[("Lead", "B2B", "No Budget", 1, 100.0)],
		)

	def test_user_restricted_to_one_territory(self):
		frappe.set_user(data.make_restricted_user(data.NORTH))
		self.assertEqual(
			figures(self.run_report()[1]),
			[("Lead", "B2B", "No Budget", 1, 100.0), ("Opportunity", "B2B", "_SM Price", 1, 100.0)],
		)

	def test_one_mode_without_any(self):
		_columns, rows, message, chart, summary = self.run_report(sales_mode="B2C")
		self.assertEqual((rows, chart, summary), ([], None, None))
		self.assertEqual(message, self.empty_message)
