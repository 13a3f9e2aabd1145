"""Wherever two reports show the same sales figure, they show the same number.

Sales Mode Comparison, Sales Mode Trends (measure Revenue) and Repeat Purchase by Mode run on one
dataset (tests/sales_data.py: returns, another currency, a POS day with a walk-in party), over
several periods, before and after the POS day is consolidated:
    net revenue per mode (Comparison) = the sum of its months (Trends) = Trends' summary
    Repeat Rate per mode: Comparison = Repeat Purchase's summary
    customers who bought for the first time in the mode in the period: the cohort sizes of Repeat
    Purchase add up to Comparison's New Customers (no customer of the dataset bought in another
    mode before, where the two definitions part: see docs/metrics.md, "Customers")
and each figure equals its hand-computed value for the full year.
"""

import frappe

from sales_modes.sales_modes.report.repeat_purchase_by_mode.repeat_purchase_by_mode import (
	execute as repeat_purchase,
)
from sales_modes.sales_modes.report.sales_mode_comparison.sales_mode_comparison import (
	execute as comparison,
)
from sales_modes.sales_modes.report.sales_mode_trends.sales_mode_trends import execute as trends
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests import sales_data as data

PERIODS = (
	data.FULL_YEAR,
	{"from_date": "2002-03-01", "to_date": "2002-03-31"},
	{"from_date": "2002-05-01", "to_date": "2002-05-31"},
	{"from_date": "2002-02-15", "to_date": "2002-07-31"},
	{"from_date": "2002-06-01", "to_date": "2002-12-31"},
)


class TestSaleFiguresAgree(SalesModesTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.data = data.build()

	def shown(self, period: dict) -> dict:
		"""{mode: what each report shows of it} for the period."""
		filters = {"company": self.data.company, **period}
		shown: dict = {}
		for row in comparison(filters)[1]:
			shown.setdefault(row["sales_mode"], {}).update(
				revenue=row["revenue"],
				orders=row["invoices"],
				customers=row["customers"],
				new_customers=row["new_customers"],
				repeat_rate=row["repeat_rate"],
			)
		columns, rows, _message, _chart, summary = trends({**filters, "measure": "Revenue"})
		for column in columns[1:]:
			# The column's label is the mode's (B2B, B2C: the same in English)
			entry = shown.setdefault(column["label"], {})
			entry["trend_months"] = sum(row[column["fieldname"]] for row in rows)
		for item in summary or []:
			mode, _measure = item["label"].split(" · ")
			shown.setdefault(mode, {})["trend_summary"] = item["value"]
		_columns, cohorts, _message, _chart, summary = repeat_purchase(filters)
		for row in cohorts:
			entry = shown.setdefault(row["sales_mode"], {})
			entry["cohort_customers"] = entry.get("cohort_customers", 0) + row["cohort_size"]
		for item in summary or []:
			if item["label"].endswith("Repeat Rate"):
				shown.setdefault(item["label"].rsplit(" ", 2)[0], {})["repeat_purchase_rate"] = item["value"]
		return shown

	def assert_agree(self) -> None:
		for period in PERIODS:
			for mode, entry in self.shown(period).items():
				with self.subTest(period=period, mode=mode):
					self.assertAlmostEqual(entry.get("revenue", 0), entry.get("trend_months", 0))
					self.assertAlmostEqual(entry.get("revenue", 0), entry.get("trend_summary", 0))
					if entry.get("customers"):
						self.assertEqual(entry.get("repeat_rate"), entry.get("repeat_purchase_rate"))
					else:
						self.assertIsNone(entry.get("repeat_purchase_rate"))
					self.assertEqual(entry.get("new_customers", 0), entry.get("cohort_customers", 0))

	def test_reports_agree_before_and_after_consolidation(self):
		full_year = self.shown(data.FULL_YEAR)
		expected = {
			"B2B": {"revenue": 1220, "orders": 3, "customers": 2, "new_customers": 2, "repeat_rate": 50.0},
			"B2C": {"revenue": 205, "orders": 5, "customers": 1, "new_customers": 1, "repeat_rate": 100.0},
		}
		for mode, figures in expected.items():
			self.assertEqual({key: full_year[mode][key] for key in figures}, figures, mode)
		self.assert_agree()
		data.consolidate(self.data.pos)
		self.assertEqual(self.shown(data.FULL_YEAR), full_year)
		self.assert_agree()

	def test_every_period_has_figures_to_compare(self):
		# The periods are not empty: the agreement is not vacuous
		for period in PERIODS:
			with self.subTest(period=period):
				self.assertTrue(any(e.get("orders") or e.get("revenue") for e in self.shown(period).values()))

	def tearDown(self):
		frappe.set_user("Administrator")
