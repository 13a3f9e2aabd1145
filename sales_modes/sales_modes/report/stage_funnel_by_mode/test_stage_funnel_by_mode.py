# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe

from sales_modes.sales_modes.report.stage_funnel_by_mode.stage_funnel_by_mode import execute
from sales_modes.tests import report_data as data

FIGURES = ("reached", "moved_on", "conversion_rate", "median_days_in_stage", "open_now", "stalled_now")
EMPTY = (0, 0, None, None, 0, 0)
B2B_STAGES = [
	"Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Identifying Decision Makers",
	"Perception Analysis", "Proposal/Price Quote", "Negotiation/Review",
]  # fmt: skip
B2C_STAGES = ["Prospecting", "Proposal/Price Quote", "Negotiation/Review"]


class TestStageFunnelByMode(data.ReportTestCase):
	report = staticmethod(execute)

	def funnel(self, **filters) -> dict:
		return {
			(r["sales_mode"], r["sales_stage"]): tuple(r[f] for f in FIGURES)
			for r in self.run_report(**filters)[1]
		}

	def test_stages_in_pipeline_order(self):
		rows = self.run_report()[1]
		self.assertEqual([(r["sales_mode"], r["sales_stage"]) for r in rows],
			[("B2B", s) for s in B2B_STAGES] + [("B2C", s) for s in B2C_STAGES])  # fmt: skip
		self.assertEqual(rows[0]["buying_phase"], "Awareness")

	def test_every_figure(self):
		funnel = self.funnel()
		# O1 went to Needs Analysis and was won, O2 won from Qualification, O3 lost in Prospecting,
		# O4 open and stalled in Qualification; O5 (B2C) won from Prospecting
		expected = {("B2B", s): EMPTY for s in B2B_STAGES} | {("B2C", s): EMPTY for s in B2C_STAGES}
		expected[("B2B", "Prospecting")] = (4, 3, 75.0, 4.0, 0, 0)
		expected[("B2B", "Qualification")] = (3, 2, 200 / 3, 3.0, 1, 1)
		expected[("B2B", "Needs Analysis")] = (1, 1, 100.0, None, 0, 0)
		expected[("B2C", "Prospecting")] = (1, 1, 100.0, None, 0, 0)
		self.assertEqual(funnel, expected)

	def test_chart_and_summary(self):
		_columns, _rows, message, chart, summary = self.run_report()
		self.assertIsNone(message)
		self.assertEqual(chart["data"]["datasets"][0]["values"], [4, 3, 1, 0, 0, 0, 0, 0])
		# B2C has no Qualification stage: 0 there
		self.assertEqual(chart["data"]["datasets"][1]["values"], [1, 0, 0, 0, 0, 0, 0, 0])
		self.assertEqual([s["value"] for s in summary], [4, 1, 1, 0])

	def test_user_restricted_to_one_territory(self):
		frappe.set_user(data.make_restricted_user(data.NORTH))
		funnel = self.funnel()
		expected = {("B2B", s): EMPTY for s in B2B_STAGES} | {("B2C", s): EMPTY for s in B2C_STAGES}
		expected[("B2B", "Prospecting")] = (2, 1, 50.0, 2.0, 0, 0)
		expected[("B2B", "Qualification")] = (1, 1, 100.0, 3.0, 0, 0)
		expected[("B2B", "Needs Analysis")] = (1, 1, 100.0, None, 0, 0)
		self.assertEqual(funnel, expected)

	def test_one_mode(self):
		self.assertEqual({mode for mode, _stage in self.funnel(sales_mode="B2C")}, {"B2C"})
