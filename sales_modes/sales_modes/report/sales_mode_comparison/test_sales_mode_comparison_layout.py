"""Metrics as rows: the same figures as modes as rows, one row per metric, with the difference."""

from sales_modes.sales_modes.report.sales_mode_comparison.sales_mode_comparison import (
	METRICS_AS_ROWS,
	execute,
	header_width,
)
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import get_company, make_customer, make_opportunity


class TestComparisonLayout(SalesModesTestCase):
	def test_metrics_as_rows_transposes_with_difference(self):
		filters = {"company": get_company()}

		def difference() -> int:
			"""B2B - B2C opportunities, as the modes-as-rows layout shows them (0 where none)."""
			rows = {row["sales_mode"]: row["opportunities"] for row in execute(filters)[1]}
			return rows.get("B2B", 0) - rows.get("B2C", 0)

		before = difference()  # whatever deals the site already has
		make_opportunity(make_customer("_SM Layout Corp", "Company").name)
		make_opportunity(make_customer("_SM Layout Corp 2", "Company").name)
		make_opportunity(make_customer("_SM Layout Person", "Individual").name)
		columns, rows = execute(filters)[:2]
		t_columns, t_rows = execute({**filters, "layout": METRICS_AS_ROWS})[:2]

		self.assertEqual([c["label"] for c in t_columns], ["Metric", "B2B", "B2C", "Difference (B2B - B2C)"])
		self.assertEqual([r["metric"] for r in t_rows], [c["label"] for c in columns[1:]])
		by_mode = {row["sales_mode"]: row for row in rows}
		opportunities = next(r for r in t_rows if r["fieldname"] == "opportunities")
		self.assertEqual(opportunities["mode_0"], by_mode["B2B"]["opportunities"])
		self.assertEqual(opportunities["mode_1"], by_mode["B2C"]["opportunities"])
		self.assertEqual(
			opportunities["difference"], by_mode["B2B"]["opportunities"] - by_mode["B2C"]["opportunities"]
		)
		self.assertEqual(opportunities["difference"] - before, 1)  # two B2B deals, one B2C
		win_rate = next(r for r in t_rows if r["fieldname"] == "win_rate")
		self.assertEqual((win_rate["fieldtype"], win_rate["precision"]), ("Percent", 1))
		# Headers as wide as their labels
		for column in columns:
			self.assertGreaterEqual(column["width"], header_width(column["label"]))
