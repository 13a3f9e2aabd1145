"""Every report, number card and dashboard chart showing a lead or deal figure, on one dataset:
wherever two of them show the same figure, they show the same number (docs/metrics.md).

The dataset is sales_modes.tests.report_data's (2000-2001) plus `build_recent` (deals dated from
today: a deal opened 14 months ago and won today, one stuck since 14 months ago). The figures are
company-wide, so whatever else the test site holds is counted by both sides alike; the figures
of the dataset itself are pinned with the test territories.
"""

import json

import frappe
from frappe.desk.query_report import run as run_query_report
from frappe.utils import (
	add_days,
	add_months,
	date_diff,
	get_quarter_ending,
	get_quarter_start,
	getdate,
	today,
)

from sales_modes.sales_modes.report.disqualification_analysis.disqualification_analysis import (
	execute as disqualification,
)
from sales_modes.sales_modes.report.sales_cycle_analysis.sales_cycle_analysis import execute as cycles
from sales_modes.sales_modes.report.sales_mode_comparison.sales_mode_comparison import execute as comparison
from sales_modes.sales_modes.report.sales_mode_trends.sales_mode_trends import execute as trends
from sales_modes.sales_modes.report.stage_funnel_by_mode.stage_funnel_by_mode import execute as funnel
from sales_modes.sales_modes.report.stalled_deals.stalled_deals import execute as stalled
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests import report_data as data

MODES = ("B2B", "B2C")


def by_mode(rows: list[dict]) -> dict:
	return {row["sales_mode"]: row for row in rows}


def series_totals(columns: list[dict], rows: list[dict]) -> dict:
	"""{mode label: sum over the months} of a Sales Mode Trends result."""
	labels = {c["fieldname"]: c["label"] for c in columns[1:]}
	return {label: sum(row[key] for row in rows) for key, label in labels.items()}


class TestDealFiguresAgree(SalesModesTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.data = data.build_recent(data.build())
		cls.quarter = {"from_date": get_quarter_start(today()), "to_date": get_quarter_ending(today())}
		cls.year = {"from_date": add_days(add_months(today(), -12), 1), "to_date": today()}
		# Back to before the dataset began: every deal of it, old and recent
		cls.ever = {"from_date": "2000-01-01", "to_date": today()}

	def tearDown(self):
		frappe.set_user("Administrator")

	def filters(self, period: dict, **extra) -> dict:
		return {"company": self.data.company, **period, **extra}

	def card(self, name: str, mode: str) -> dict:
		"""A number card as the workspace runs it: its method, its filters and the user's company."""
		card = frappe.get_doc("Number Card", name)
		self.assertEqual(card.type, "Custom")
		filters = {**json.loads(card.filters_json), "company": self.data.company}
		self.assertEqual(filters["sales_mode"], mode)
		return frappe.get_attr(card.method)(json.dumps(filters))

	def chart(self, name: str) -> dict:
		"""A dashboard chart as the workspace runs it: its report, its filters and the dynamic ones
		(company, the last 12 months) evaluated as the desk evaluates them."""
		chart = frappe.get_doc("Dashboard Chart", name)
		self.assertEqual((chart.chart_type, chart.use_report_chart), ("Report", 1))
		filters = {**json.loads(chart.filters_json), **self.filters(self.year)}
		self.assertEqual(set(json.loads(chart.dynamic_filters_json)), {"company", "from_date", "to_date"})
		return run_query_report(chart.report_name, filters)

	def test_win_rate_cards_and_comparison_this_quarter(self):
		rows = by_mode(comparison(self.filters(self.quarter))[1])
		for mode, card in (("B2B", "B2B Win Rate This Quarter"), ("B2C", "B2C Win Rate This Quarter")):
			with self.subTest(mode):
				result = self.card(card, mode)
				self.assertEqual(result["value"], rows[mode]["win_rate"])
				self.assertEqual(result["route_options"]["from_date"], str(self.quarter["from_date"]))
		# The dataset's own deals this quarter: R1 (opened 14 months ago) won in North; R3 lost and
		# R4 won in South
		north = by_mode(comparison(self.filters(self.quarter, territory=data.NORTH))[1])
		self.assertEqual((north["B2B"]["won"], north["B2B"]["lost"], north["B2B"]["win_rate"]), (1, 0, 100.0))
		self.assertEqual(north["B2B"]["avg_deal_size"], 5000)
		self.assertEqual(north["B2B"]["avg_committee_size"], 3)
		self.assertEqual(north["B2B"]["median_cycle_days"], date_diff(today(), self.data.long_ago))
		south = by_mode(comparison(self.filters(self.quarter, territory=data.SOUTH))[1])
		self.assertEqual((south["B2C"]["won"], south["B2C"]["lost"], south["B2C"]["win_rate"]), (1, 1, 50.0))
		# R1 and R2 were opened 14 months ago: not this quarter's opportunities
		self.assertEqual(north["B2B"]["opportunities"], 0)
		self.assertEqual(south["B2B"]["opportunities"], 0)

	def test_won_value_chart_trends_and_comparison(self):
		for period in (self.year, self.ever):
			with self.subTest(period=period["from_date"]):
				rows = by_mode(comparison(self.filters(period))[1])
				totals = series_totals(*trends(self.filters(period, measure="Won Value"))[:2])
				for mode in MODES:
					won_amount = (rows[mode]["avg_deal_size"] or 0) * rows[mode]["won"]
					self.assertAlmostEqual(totals[mode], won_amount, places=2)
		# The workspace chart is the Trends chart over the last 12 months
		result = self.chart("Won Value by Sales Mode")
		rows = by_mode(comparison(self.filters(self.year))[1])
		for dataset in result["chart"]["data"]["datasets"]:
			mode = dataset["name"]
			self.assertAlmostEqual(
				sum(dataset["values"]), (rows[mode]["avg_deal_size"] or 0) * rows[mode]["won"], places=2
			)
		# R1 sits in this month (its close date), not in the month it was opened
		columns, months = trends(self.filters(self.year, measure="Won Value", territory=data.NORTH))[:2]
		b2b = next(c["fieldname"] for c in columns if c["label"] == "B2B")
		by_month = {row["month"]: row[b2b] for row in months if row[b2b]}
		self.assertEqual(by_month, {getdate(today()).replace(day=1): 5000})

	def test_new_leads_chart_trends_and_comparison(self):
		rows = by_mode(comparison(self.filters(self.year))[1])
		totals = series_totals(*trends(self.filters(self.year, measure="New Leads"))[:2])
		result = self.chart("New Leads by Sales Mode")
		chart_totals = {d["name"]: sum(d["values"]) for d in result["chart"]["data"]["datasets"]}
		for mode in MODES:
			self.assertEqual(totals[mode], rows[mode]["leads"])
			self.assertEqual(chart_totals[mode], rows[mode]["leads"])
		north = by_mode(comparison(self.filters(self.year, territory=data.NORTH))[1])
		south = by_mode(comparison(self.filters(self.year, territory=data.SOUTH))[1])
		self.assertEqual((north["B2B"]["leads"], south["B2C"]["leads"]), (1, 0))  # L6 now, L7 too old

	def test_cycle_analysis_and_comparison(self):
		for period in (self.quarter, self.year, self.ever, data.PERIOD):
			with self.subTest(period=period["from_date"]):
				rows = by_mode(comparison(self.filters(period))[1])
				cycle_rows = by_mode(cycles(self.filters(period))[1])
				for mode in MODES:
					self.assertEqual(cycle_rows[mode]["won"], rows[mode]["won"])
					self.assertEqual(cycle_rows[mode]["median_days"], rows[mode]["median_cycle_days"])
		# R1: a win of this quarter with its whole cycle, whenever it was opened
		north = by_mode(cycles(self.filters(self.quarter, territory=data.NORTH))[1])["B2B"]
		self.assertEqual((north["won"], north["over_180_days"]), (1, 1))
		self.assertEqual(north["median_days"], date_diff(today(), self.data.long_ago))
		self.assertGreater(north["median_days"], 400)

	def test_lost_deals_disqualification_and_comparison(self):
		for period in (self.quarter, self.ever, data.PERIOD):
			with self.subTest(period=period["from_date"]):
				rows = by_mode(comparison(self.filters(period))[1])
				summary = disqualification(self.filters(period))[4] or []
				totals = {s["label"]: s["value"] for s in summary}
				for mode in MODES:
					self.assertEqual(totals.get(f"{mode} Lost Opportunities", 0), rows[mode]["lost"])
					self.assertEqual(
						totals.get(f"{mode} Disqualified Leads", 0), rows[mode]["disqualified_leads"]
					)

	def test_stalled_deals_funnel_and_open_deals(self):
		# No period (the report's default): every deal stuck today, R2 (opened 14 months ago) and
		# O4 (2001) among them
		rows = stalled({"company": self.data.company, "territory": data.SOUTH})[1]
		self.assertEqual({r["opportunity"] for r in rows}, {self.data.r2, self.data.o4})
		# With a period: the deals opened in it, exactly the funnel's "Stalled Now" for that period
		for period in (self.quarter, self.year, self.ever, data.PERIOD):
			with self.subTest(period=period["from_date"]):
				summary = {s["label"]: s["value"] for s in stalled(self.filters(period))[4] or []}
				funnel_rows = funnel(self.filters(period))[1]
				for mode in MODES:
					self.assertEqual(
						summary.get(f"{mode} Stalled Deals", 0),
						sum(r["stalled_now"] for r in funnel_rows if r["sales_mode"] == mode),
					)
		self.assertEqual(stalled(self.filters(self.quarter, territory=data.SOUTH))[1], [])
		# The whole history: Stalled Deals without a period
		everything = {s["label"]: s["value"] for s in stalled({"company": self.data.company})[4] or []}
		funnel_rows = funnel(self.filters({"from_date": "1900-01-01", "to_date": today()}))[1]
		for mode in MODES:
			self.assertEqual(
				everything.get(f"{mode} Stalled Deals", 0),
				sum(r["stalled_now"] for r in funnel_rows if r["sales_mode"] == mode),
			)
			open_card = self.card(f"Open {mode} Deals", mode)["value"]
			self.assertEqual(
				open_card,
				frappe.db.count(
					"Opportunity",
					{
						"company": self.data.company,
						"sales_mode": mode,
						"status": ("in", ("Open", "Replied", "Quotation")),
					},
				),
			)
			self.assertGreaterEqual(open_card, everything.get(f"{mode} Stalled Deals", 0))

	def test_as_a_user_restricted_to_one_territory(self):
		frappe.set_user(data.make_restricted_user(data.NORTH))
		rows = by_mode(comparison(self.filters(self.quarter))[1])
		self.assertEqual((rows["B2B"]["won"], rows["B2B"]["lost"]), (1, 0))
		self.assertEqual(self.card("B2B Win Rate This Quarter", "B2B")["value"], 100.0)
		self.assertEqual(by_mode(cycles(self.filters(self.quarter))[1])["B2B"]["won"], 1)
		# Neither R2 nor O4 is in North
		self.assertEqual(stalled({"company": self.data.company})[1], [])
