# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

from unittest.mock import patch

import frappe
from frappe.utils import get_datetime, now_datetime

from sales_modes.pipelines import doc_values
from sales_modes.sales_modes.report.stalled_deals.stalled_deals import execute, load_deals
from sales_modes.stalled import days_in_stage
from sales_modes.tests import report_data as data

# The report's clock, pinned so that the expected figure is read at the same instant
CLOCK = "sales_modes.sales_modes.report.stalled_deals.stalled_deals.now_datetime"


class TestStalledDeals(data.ReportTestCase):
	report = staticmethod(execute)
	empty_message = "No stalled deals for these filters."

	def test_the_stalled_deal_and_what_it_lacks(self):
		now = now_datetime()
		with patch(CLOCK, return_value=now):
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
					"days_in_stage": days_in_stage(data.O4_STAGE_ENTERED_ON, now),
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

	def test_deals_load_in_bulk_as_get_doc_loads_them(self):
		"""The readiness of the listed deals reads each deal as frappe.get_doc loads it, row and
		child tables (one query per table for all the deals)."""
		names = [self.data[f"o{i}"] for i in range(1, 7)]
		with_children = [
			name
			for name in names
			if frappe.get_doc("Opportunity", name).get("buying_committee")
			or frappe.get_doc("Opportunity", name).get("items")
		]
		self.assertTrue(with_children, "the dataset has deals with child rows")
		self.assertEqual(
			load_deals(names), {name: doc_values(frappe.get_doc("Opportunity", name)) for name in names}
		)
		self.assertEqual(load_deals([]), {})

	def test_days_in_stage_are_elapsed_whole_days(self):
		# Since 09:00 on 10 April: a minute before 09:00 on 1 May is 20 whole days, a minute after 21
		for now, days in (("2001-05-01 08:59:00", 20), ("2001-05-01 09:01:00", 21)):
			with patch(CLOCK, return_value=get_datetime(now)):
				self.assertEqual(self.run_report()[1][0]["days_in_stage"], days)
			self.assertEqual(days_in_stage(data.O4_STAGE_ENTERED_ON, now), days)

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

	def test_period_is_optional_and_keeps_the_deals_opened_in_it(self):
		# O4 was opened on 2001-04-01 and is stuck today: with no period it shows, however old
		south = {"company": self.data.company, "territory": data.SOUTH}
		self.assertEqual([r["opportunity"] for r in self.report(south)[1]], [self.data.o4])
		for period, shown in (
			({"from_date": "2001-04-01"}, True),
			({"to_date": "2001-04-01"}, True),
			({"from_date": "2001-04-02"}, False),
			({"to_date": "2001-03-31"}, False),
			({"from_date": "2002-01-01", "to_date": "2002-12-31"}, False),
		):
			with self.subTest(**period):
				rows = self.report({**south, **period})[1]
				self.assertEqual([r["opportunity"] for r in rows], [self.data.o4] if shown else [])

	def test_stages_speak_the_readers_language(self):
		"""Stage names are Sales Stage records in Data columns: the report translates them (zh.po)."""
		from babel.messages.pofile import read_po

		with open(frappe.get_app_path("sales_modes", "locale", "zh.po"), "rb") as po:
			zh = {m.id: m.string for m in read_po(po) if m.id and m.string}
		frappe.local.lang = "zh"
		try:
			with patch("frappe.translate.get_all_translations", return_value=zh):
				row = self.run_report()[1][0]
		finally:
			frappe.local.lang = "en"
		self.assertEqual((row["sales_stage"], row["next_stage"]), (zh["Qualification"], zh["Needs Analysis"]))
		self.assertNotEqual(row["sales_stage"], "Qualification")
