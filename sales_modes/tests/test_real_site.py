"""The real-site test: what installing sales_modes over two years of ERPNext history produces.

Run by scripts/real-site-test on a throwaway site where sales_modes.tests.history_builder made
the history with ERPNext alone, then the app was installed (TestInstalledOverHistory), then 50
closed deals were loaded through Data Import (TestImportedClosedDeals). On any other site both
classes skip: the dataset is not there.

The history (company currency USD, dates are the days the documents were made):

Leads (placed in a period by creation)
    Initech (organisation) 2024-12-05, Umbrella (organisation) 2025-06-16  -> B2B: 2
    Lena (person) 2025-01-08, Pia (person) 2026-02-03                       -> B2C: 2

Opportunities (opportunity date; amount in company currency)
    O1 RS Acme Corp (Company)         2025-01-10  10,000  quotation 2025-02-03, order 2025-03-14
    O2 RS Globex Partners (Partner.)  2025-04-01   4,000  quotation 2025-04-15 (from the deal's
                                                          items), order 2025-05-20
    O3 RS Euro GmbH (Company, EUR)    2025-06-02   5,000 EUR x 1.1 = 5,500 USD; quotation
                                                          2025-07-01, order 2025-08-29
    O4 Lena (lead)                    2025-01-08     800  declared lost 2025-02-17
    O5 RS Jane Doe (Individual)       2025-09-01     300  quotation 2025-09-05, lost 2025-09-20
    O6 RS Jane Doe                    2025-10-06     250  quotation 2025-10-08, order 2025-10-10
    O7 RS Acme Corp                   2026-02-02   7,000  open, moved to Qualification 2026-03-16 10:00
    O8 Initech (lead)                 2026-06-01   3,000  open, Prospecting, untouched since 09:30
    O9 RS Jane Doe                    2026-11-02     150  open, quotation 2026-11-03 10:00 (status
                                                          Quotation), Prospecting
    O10 Lena (lead)                   2026-11-20      90  open, Prospecting, untouched since 10:00
    Owners: O1-O3, O7, O8 rs-b2b-rep; O4-O6, O9, O10 rs-b2c-rep.

Invoices (posting date, company currency)
    Acme 2025-03-20 10,000; Globex 2025-05-25 4,000; Euro GmbH 2025-09-01 5,000 EUR = 5,500;
    Jane 2025-10-12 250, 2026-01-15 120, 2026-03-02 80 (fully returned by a credit note
    2026-03-10, -80); Acme 2026-04-10 4 x 500 = 2,000 (credit note 2026-04-20, -500);
    POS 2026-05-10: walk-in 30, 45, 25 and Jane 60, consolidated at closing into one Sales
    Invoice per customer (walk-in 100, Jane 60).

What install must make of it, by hand:
    Modes: Acme, Globex (Partnership), Euro GmbH -> B2B; Jane, walk-in -> B2C; leads with an
    organisation B2B, without B2C; every deal, invoice and POS invoice its party's mode:
    opportunities B2B 5 (O1 O2 O3 O7 O8), B2C 5; Sales Invoices B2B 5, B2C 6; POS Invoices B2C 4.
    Close dates (ERPNext's evidence) and cycles (close date - opportunity date):
        O1 first submitted order 2025-03-14: 21 (rest of Jan) + 28 + 14 = 63 days
        O2 order 2025-05-20: 29 + 20 = 49 days
        O3 order 2025-08-29: 28 + 31 + 29 = 88 days
        O4 lost, last change 2025-02-17: 23 + 17 = 40 days
        O5 lost (quotation lost), last change 2025-09-20: 19 days
        O6 order 2025-10-10: 4 days
    Reconstructed events: Won O1 2025-03-14, O2 2025-05-20, O3 2025-08-29, O6 2025-10-10;
    Lost O4 2025-02-17, O5 2025-09-20; six rows, all marked reconstructed; a second run adds 0.
    Stage entry times of open deals (their last change, to the minute): O7 2026-03-16 10:00,
    O8 2026-06-01 09:30, O9 2026-11-03 10:00, O10 2026-11-20 10:00.
    Stalled (B2B Prospecting and Qualification 14 days, B2C Prospecting 3 days) on any day from
    2026-11-23: all four open deals, two per rep: the first daily run sends exactly 2
    notifications (one digest per rep, "2 of your deals have stalled"), a second run 0.

Report figures, company Wind Power LLC, 2024-12-01 to 2026-11-30 (every deal's opportunity and
close date fall inside, so selecting wins by either date gives the same deals):
    Sales Mode Comparison  B2B: leads 2, opportunities 5, won 3, lost 0, average deal
                           (10,000 + 4,000 + 5,500) / 3 = 6,500, median cycle of 49, 63, 88 = 63
                           B2C: leads 2, opportunities 5, won 1, lost 2, average deal 250,
                           median cycle 4
    Sales Mode Trends, Won Value by the month of the win: 2025-03 B2B 10,000; 2025-05 B2B 4,000;
                           2025-08 B2B 5,500; 2025-10 B2C 250; every other month 0
    Sales Cycle Analysis   median days B2B 63, B2C 4; won B2B 3, B2C 1
    Stalled Deals          O7, O8, O9, O10
Sales figures (docs/metrics.md "Sales" and "Customers"), same window. ERPNext's POS Closing Entry
made two consolidated Sales Invoices (walk-in 100, Jane 60): left out, their four POS Invoices
are the sales. RS Walk-in Shopper is the POS Profile's default customer: a walk-in party, counted
in orders and revenue, never as a customer.
    Sales Mode Comparison  B2B: orders Acme 2 + Globex 1 + Euro GmbH 1 = 4; net revenue
                           10,000 + 4,000 + 5,500 + 2,000 - 500 = 21,000; average order value
                           21,000 / 4 = 5,250; customers 3, all new; repeat 1 (Acme): 33.3 %
                           B2C: orders Jane 250, 120, 80 (fully returned: still an order), POS 60
                           + walk-in 30, 45, 25 = 7; net revenue 250 + 120 + 80 - 80 + 60 + 30 + 45
                           + 25 = 530; average order value 530 / 7 = 75.71; customers 1 (Jane),
                           new 1, repeat 1: 100 %
    Sales Mode Trends, Revenue by posting month: B2B 2025-03 10,000; 2025-05 4,000; 2025-09
                           5,500; 2026-04 2,000 - 500 = 1,500. B2C 2025-10 250; 2026-01 120;
                           2026-03 80 - 80 = 0; 2026-05 30 + 45 + 25 + 60 = 160. Sums: 21,000, 530
    Repeat Purchase by Mode  cohorts B2B 2025-03 (Acme: its next sale, 2026-04, is 13 months
                           later, past the 12 shown), 2025-05 (Globex), 2025-09 (Euro GmbH), each
                           of 1 and 0 % in every month; B2C 2025-10 (Jane) 100 % in months 3
                           (2026-01), 5 (2026-03: a sale, though returned later) and 7 (2026-05, at
                           the shop), 0 % otherwise; no cohort for the walk-in party.
                           Summary: Repeat Rate B2B 1 / 3 = 33.3 %, mean days between purchases
                           (Acme 2025-03-20 .. 2026-04-10) 386; B2C 100 %, (2025-10-12 .. 2026-05-10)
                           210 days / 3 intervals = 70

Imported deals (TestImportedClosedDeals), from sales_modes.tests.history_builder.imported_deal:
    deal k = 1..50 closes on the 15th of month ((k - 1) % 10) + 1 of 2023 after 10 + 2k days;
    odd k won, even k lost; k <= 25 Acme (B2B), k > 25 Jane (B2C).
    Cycles: k = 1 -> 12 days ... k = 50 -> 110 days; every deal keeps its own close date.
    Months: 5 closings in each month 2023-01 .. 2023-10. Month m holds k = m, m+10, ..., m+40,
    all odd when m is odd: wins are 5 each in 2023-01, -03, -05, -07, -09; losses 5 each in
    2023-02, -04, -06, -08, -10.
    Won cycles: B2B k = 1, 3, ..., 25 (13 deals): 12, 16, ..., 60, median (7th) 36 days;
    B2C k = 27, ..., 49 (12 deals): 64, ..., 108, median (84 + 88) / 2 = 86 days.

Deal figures after the import (docs/metrics-findings.md sections 3-5), window B = 2023-01-01 to
2026-11-30: wins and losses by their close date, whenever opened; cycle = close date - opportunity
date; opportunities by their own date.
    Opened before 2023 (transaction_date = the 15th of month ((k - 1) % 10) + 1 minus 10 + 2k days):
    k = 11, 21, 22 (B2B) and 31, 32, 33, 41, 42, 43 (B2C); so
    Sales Mode Comparison  B2B: leads 2, opportunities 5 + 25 - 3 = 27, won 3 + 13 = 16,
                           lost 12 (k = 2, 4, ..., 24), win rate 16 / 28 = 57.14 %,
                           won value 19,500 + (13 x 1,000 + 10 x (1 + 3 + ... + 25 = 169)) = 34,190,
                           average deal 34,190 / 16 = 2,136.875,
                           median cycle of 12, 16, ..., 48, 49, 52, 56, 60, 63, 88 (16): (40 + 44) / 2 = 42
                           B2C: leads 2, opportunities 5 + 25 - 6 = 24, won 1 + 12 = 13,
                           lost 13 (k = 26, ..., 50) + O4 + O5 = 15, win rate 13 / 28 = 46.43 %,
                           won value 250 + (12 x 1,000 + 10 x (27 + ... + 49 = 456)) = 16,810,
                           median cycle of 4, 64, 68, ..., 108 (13): 7th = 84
    Sales Cycle Analysis   B2B won 16, median 42, 8-30 days 5 (12 .. 28), 31-90 days 11;
                           B2C won 13, median 84, 1-7 days 1 (O6), 31-90 days 7 (64 .. 88),
                           91-180 days 5 (92 .. 108)
    Sales Mode Trends, Won Value by the month of the close date (k in the month, amount 1,000 + 10k):
        2023-01 B2B k 1, 11, 21 = 3,330; B2C k 31, 41 = 2,720
        2023-03 B2B 3, 13, 23 = 3,390;   B2C 33, 43 = 2,760
        2023-05 B2B 5, 15, 25 = 3,450;   B2C 35, 45 = 2,800
        2023-07 B2B 7, 17 = 2,240;       B2C 27, 37, 47 = 4,110
        2023-09 B2B 9, 19 = 2,280;       B2C 29, 39, 49 = 4,170
        2025-03 B2B 10,000; 2025-05 B2B 4,000; 2025-08 B2B 5,500; 2025-10 B2C 250; the rest 0,
        2026-11 (the import month) among them: B2B months sum to 34,190, B2C to 16,810
    Disqualification Analysis lost opportunities: B2B 12, B2C 15
    Stalled Deals (no period): O7, O8, O9, O10, as before the import (the imported deals are closed)
"""

import unittest
from collections import Counter
from datetime import date

import frappe
from frappe.utils import get_datetime, getdate

from sales_modes import sale_ledger
from sales_modes.figures import sales
from sales_modes.history import install_over_history
from sales_modes.reports import get_filters
from sales_modes.stalled import notify_stalled_deals
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.history_builder import (
	ACME,
	B2B_REP,
	B2C_REP,
	EURO,
	GLOBEX,
	IMPORTED_DEALS,
	JANE,
	WALK_IN,
	imported_deal,
)

WINDOW = {"from_date": "2024-12-01", "to_date": "2026-11-30"}


def has_history() -> bool:
	return bool(frappe.db.exists("Customer", ACME) and frappe.db.exists("User", B2B_REP))


def imported() -> bool:
	return bool(frappe.db.exists("Opportunity", {"transaction_date": ("<", "2024-01-01")}))


def deal(party_name: str, transaction_date: str) -> frappe._dict:
	return frappe.db.get_value(
		"Opportunity",
		{"party_name": party_name, "transaction_date": transaction_date},
		["name", "status", "sales_mode", "closed_on", "stage_entered_on", "base_opportunity_amount"],
		as_dict=True,
	)


def lead_named(first_name: str) -> str:
	return frappe.db.get_value("Lead", {"first_name": first_name}, "name")


def filters(**extra) -> dict:
	return {"company": frappe.db.get_single_value("Global Defaults", "default_company"), **WINDOW, **extra}


def by_mode(rows: list[dict]) -> dict:
	return {row["sales_mode"]: row for row in rows}


def won_value_by_month(report_filters: dict) -> dict:
	"""{(month, mode): won value} of Sales Mode Trends (Won Value), months with a value only."""
	from sales_modes.sales_modes.report.sales_mode_trends.sales_mode_trends import execute as trends

	columns, data = trends({**report_filters, "measure": "Won Value"})[:2]
	labels = {c["fieldname"]: c["label"] for c in columns}
	return {
		(row["month"].strftime("%Y-%m"), labels[key]): value
		for row in data
		for key, value in row.items()
		if key != "month" and value
	}


def modes_count(doctype: str) -> dict:
	return dict(
		Counter(frappe.get_all(doctype, filters={"docstatus": ("<", 2)}, pluck="sales_mode"))
		if frappe.get_meta(doctype).is_submittable
		else Counter(frappe.get_all(doctype, pluck="sales_mode"))
	)


class TestInstalledOverHistory(SalesModesTestCase):
	@classmethod
	def setUpClass(cls):
		if not has_history() or imported():
			raise unittest.SkipTest("Runs on the real-site test's site, before the import")
		super().setUpClass()
		lena = lead_named("Lena")
		cls.deals = {
			"O1": deal(ACME, "2025-01-10"),
			"O2": deal(GLOBEX, "2025-04-01"),
			"O3": deal(EURO, "2025-06-02"),
			"O4": deal(lena, "2025-01-08"),
			"O5": deal(JANE, "2025-09-01"),
			"O6": deal(JANE, "2025-10-06"),
			"O7": deal(ACME, "2026-02-02"),
			"O8": deal(lead_named("Irene"), "2026-06-01"),
			"O9": deal(JANE, "2026-11-02"),
			"O10": deal(lena, "2026-11-20"),
		}

	def tearDown(self):
		frappe.db.rollback()

	def test_modes(self):
		customers = dict(frappe.get_all("Customer", fields=["name", "sales_mode"], as_list=True))
		self.assertEqual(
			{name: customers[name] for name in (ACME, GLOBEX, EURO, JANE, WALK_IN)},
			{ACME: "B2B", GLOBEX: "B2B", EURO: "B2B", JANE: "B2C", WALK_IN: "B2C"},
		)
		self.assertEqual(modes_count("Lead"), {"B2B": 2, "B2C": 2})
		self.assertEqual(modes_count("Opportunity"), {"B2B": 5, "B2C": 5})
		self.assertEqual(modes_count("Sales Invoice"), {"B2B": 5, "B2C": 6})
		self.assertEqual(modes_count("POS Invoice"), {"B2C": 4})
		self.assertEqual(self.deals["O3"].base_opportunity_amount, 5500)

	def test_close_dates_from_erpnext_evidence(self):
		expected = {
			"O1": ("Converted", "2025-03-14", 63),
			"O2": ("Converted", "2025-05-20", 49),
			"O3": ("Converted", "2025-08-29", 88),
			"O4": ("Lost", "2025-02-17", 40),
			"O5": ("Lost", "2025-09-20", 19),
			"O6": ("Converted", "2025-10-10", 4),
		}
		cycles = dict(
			frappe.db.sql(
				"SELECT name, DATEDIFF(closed_on, transaction_date) FROM `tabOpportunity` WHERE closed_on IS NOT NULL"
			)
		)
		for key, (status, closed, cycle) in expected.items():
			found = self.deals[key]
			self.assertEqual((found.status, found.closed_on), (status, getdate(closed)), key)
			self.assertEqual(cycles[found.name], cycle, key)
		self.assertEqual(len(cycles), 6)

	def test_reconstructed_events_once(self):
		expected = {
			(self.deals["O1"].name, "Won", get_datetime("2025-03-14")),
			(self.deals["O2"].name, "Won", get_datetime("2025-05-20")),
			(self.deals["O3"].name, "Won", get_datetime("2025-08-29")),
			(self.deals["O6"].name, "Won", get_datetime("2025-10-10")),
			(self.deals["O4"].name, "Lost", get_datetime("2025-02-17")),
			(self.deals["O5"].name, "Lost", get_datetime("2025-09-20")),
		}
		rows = frappe.get_all(
			"Stage Transition", fields=["opportunity", "event", "transitioned_on", "reconstructed"]
		)
		self.assertEqual({(r.opportunity, r.event, r.transitioned_on) for r in rows}, expected)
		self.assertTrue(all(r.reconstructed for r in rows))
		install_over_history()
		self.assertEqual(frappe.db.count("Stage Transition"), 6)

	def test_stage_entry_times_of_open_deals(self):
		expected = {
			"O7": "2026-03-16 10:00",
			"O8": "2026-06-01 09:30",
			"O9": "2026-11-03 10:00",
			"O10": "2026-11-20 10:00",
		}
		for key, entered in expected.items():
			found = self.deals[key].stage_entered_on
			self.assertEqual(found.replace(second=0, microsecond=0), get_datetime(entered), key)
		self.assertIsNone(self.deals["O1"].stage_entered_on)

	def test_no_notification_flood(self):
		notify_stalled_deals()
		digests = frappe.get_all(
			"Notification Log", filters={"type": "Alert"}, fields=["for_user", "subject"], order_by="for_user"
		)
		self.assertEqual(
			[(d.for_user, d.subject) for d in digests],
			[(B2B_REP, "2 of your deals have stalled"), (B2C_REP, "2 of your deals have stalled")],
		)
		notify_stalled_deals()
		self.assertEqual(frappe.db.count("Notification Log", {"type": "Alert"}), 2)

	def test_report_figures(self):
		from sales_modes.sales_modes.report.sales_cycle_analysis.sales_cycle_analysis import (
			execute as cycle_analysis,
		)
		from sales_modes.sales_modes.report.sales_mode_comparison.sales_mode_comparison import (
			execute as comparison,
		)
		from sales_modes.sales_modes.report.sales_mode_trends.sales_mode_trends import execute as trends
		from sales_modes.sales_modes.report.stalled_deals.stalled_deals import execute as stalled

		keys = ("leads", "opportunities", "won", "lost", "avg_deal_size", "median_cycle_days")
		rows = by_mode(comparison(filters())[1])
		self.assertEqual(
			{k: rows["B2B"][k] for k in keys}, dict(zip(keys, (2, 5, 3, 0, 6500, 63), strict=True))
		)
		self.assertEqual(
			{k: rows["B2C"][k] for k in keys}, dict(zip(keys, (2, 5, 1, 2, 250, 4), strict=True))
		)

		columns, data = trends(filters(measure="Won Value"))[:2]
		labels = {c["fieldname"]: c["label"] for c in columns}
		won_by_month = {
			(row["month"].strftime("%Y-%m"), labels[key]): value
			for row in data
			for key, value in row.items()
			if key != "month" and value
		}
		self.assertEqual(
			won_by_month,
			{
				("2025-03", "B2B"): 10000,
				("2025-05", "B2B"): 4000,
				("2025-08", "B2B"): 5500,
				("2025-10", "B2C"): 250,
			},
		)

		cycles = by_mode(cycle_analysis(filters())[1])
		self.assertEqual((cycles["B2B"]["won"], cycles["B2B"]["median_days"]), (3, 63))
		self.assertEqual((cycles["B2C"]["won"], cycles["B2C"]["median_days"]), (1, 4))

		stalled_deals = {row["opportunity"] for row in stalled(filters())[1]}
		self.assertEqual(stalled_deals, {self.deals[k].name for k in ("O7", "O8", "O9", "O10")})

	def test_sales_figures(self):
		from sales_modes.sales_modes.report.repeat_purchase_by_mode.repeat_purchase_by_mode import (
			execute as repeat_purchase,
		)
		from sales_modes.sales_modes.report.sales_mode_comparison.sales_mode_comparison import (
			execute as comparison,
		)
		from sales_modes.sales_modes.report.sales_mode_trends.sales_mode_trends import execute as trends

		# What the closing made: the four POS sales merged into two invoices, one per customer
		self.assertEqual(
			sorted(
				frappe.get_all(
					"Sales Invoice",
					filters={"is_consolidated": 1, "docstatus": 1},
					fields=["customer", "base_net_total"],
					as_list=True,
				)
			),
			[(JANE, 60), (WALK_IN, 100)],
		)
		self.assertEqual(frappe.db.count("POS Invoice", {"status": "Consolidated"}), 4)

		# Install built the sale ledger from the history, and Comparison reads it: the same figures
		# as both plans over the invoices
		self.assertTrue(sale_ledger.is_ready())
		self.assertEqual(sale_ledger.differences(), [])
		report_filters = get_filters(filters())
		self.assertTrue(sales.ledger_applies(report_filters))
		self.assertEqual(
			sales.mode_figures_from_ledger(report_filters),
			sales.mode_figures(report_filters, sales.per_customer_probing),
		)
		keys = ("invoices", "revenue", "customers", "new_customers", "repeat_customers")
		rows = by_mode(comparison(filters())[1])
		self.assertEqual({k: rows["B2B"][k] for k in keys}, dict(zip(keys, (4, 21000, 3, 3, 1), strict=True)))
		self.assertEqual({k: rows["B2C"][k] for k in keys}, dict(zip(keys, (7, 530, 1, 1, 1), strict=True)))
		self.assertEqual(rows["B2B"]["avg_order_value"], 5250)
		self.assertAlmostEqual(rows["B2C"]["avg_order_value"], 530 / 7)
		self.assertAlmostEqual(rows["B2B"]["repeat_rate"], 100 / 3)
		self.assertEqual(rows["B2C"]["repeat_rate"], 100)

		columns, data = trends(filters(measure="Revenue"))[:2]
		labels = {c["fieldname"]: c["label"] for c in columns}
		revenue = {
			(row["month"].strftime("%Y-%m"), labels[key]): value
			for row in data
			for key, value in row.items()
			if key != "month" and value
		}
		self.assertEqual(
			revenue,
			{
				("2025-03", "B2B"): 10000,
				("2025-05", "B2B"): 4000,
				("2025-09", "B2B"): 5500,
				("2026-04", "B2B"): 1500,
				("2025-10", "B2C"): 250,
				("2026-01", "B2C"): 120,
				("2026-05", "B2C"): 160,
			},
		)
		b2c = next(key for key, label in labels.items() if label == "B2C")
		self.assertEqual(next(row[b2c] for row in data if row["month"].strftime("%Y-%m") == "2026-03"), 0)

		_columns, cohorts, message, _chart, summary = repeat_purchase(filters())
		months = [f"month_{m}" for m in range(1, 13)]
		self.assertEqual(
			[(r["sales_mode"], str(r["cohort"]), r["cohort_size"], [r[m] for m in months]) for r in cohorts],
			[
				("B2B", "2025-03-01", 1, [0.0] * 12),
				("B2B", "2025-05-01", 1, [0.0] * 12),
				("B2B", "2025-09-01", 1, [0.0] * 12),
				("B2C", "2025-10-01", 1, [0.0, 0.0, 100.0, 0.0, 100.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
			],
		)
		self.assertEqual(
			[(s["label"], round(s["value"], 1)) for s in summary],
			[
				("B2B Repeat Rate", 33.3),
				("B2B Mean Days Between Purchases", 386),
				("B2C Repeat Rate", 100),
				("B2C Mean Days Between Purchases", 70),
			],
		)
		self.assertIn("walk-in customer of a POS Profile", message)


class TestImportedClosedDeals(SalesModesTestCase):
	@classmethod
	def setUpClass(cls):
		if not has_history() or not imported():
			raise unittest.SkipTest("Runs on the real-site test's site, after the import")
		super().setUpClass()

	def imported_deals(self) -> list[frappe._dict]:
		return frappe.db.sql(
			"""SELECT name, party_name, status, sales_mode, transaction_date, closed_on,
				DATEDIFF(closed_on, transaction_date) AS cycle
			FROM `tabOpportunity` WHERE transaction_date < '2024-01-01'""",
			as_dict=True,
		)

	def test_every_deal_keeps_its_close_date(self):
		found = {(d.party_name, d.transaction_date): d for d in self.imported_deals()}
		self.assertEqual(len(found), IMPORTED_DEALS)
		for k in range(1, IMPORTED_DEALS + 1):
			expected = imported_deal(k)
			got = found[(expected["party"], expected["transaction_date"])]
			self.assertEqual(
				(got.status, got.closed_on, got.cycle, got.sales_mode),
				(expected["status"], expected["closed_on"], 10 + 2 * k, "B2B" if k <= 25 else "B2C"),
				k,
			)
		self.assertEqual(min(d.cycle for d in found.values()), 12)
		self.assertEqual(max(d.cycle for d in found.values()), 110)

	def test_months_and_cycles(self):
		deals = self.imported_deals()
		months = Counter((d.status, d.closed_on.strftime("%Y-%m")) for d in deals)
		self.assertEqual(
			months,
			Counter(
				{
					**{("Converted", f"2023-{m:02d}"): 5 for m in (1, 3, 5, 7, 9)},
					**{("Lost", f"2023-{m:02d}"): 5 for m in (2, 4, 6, 8, 10)},
				}
			),
		)
		from statistics import median

		won = [d for d in deals if d.status == "Converted"]
		b2b = sorted(d.cycle for d in won if d.sales_mode == "B2B")
		b2c = sorted(d.cycle for d in won if d.sales_mode == "B2C")
		self.assertEqual((len(b2b), b2b[0], b2b[-1], median(b2b)), (13, 12, 60, 36))
		self.assertEqual((len(b2c), b2c[0], b2c[-1], median(b2c)), (12, 64, 108, 86))
		self.assertTrue(all(d.closed_on < date(2024, 1, 1) for d in deals))

	def test_deal_figures_by_close_date(self):
		"""docs/metrics-findings.md sections 3, 4 and 5: the figures of the docstring, window B."""
		from sales_modes.sales_modes.report.disqualification_analysis.disqualification_analysis import (
			execute as disqualification,
		)
		from sales_modes.sales_modes.report.sales_cycle_analysis.sales_cycle_analysis import (
			execute as cycle_analysis,
		)
		from sales_modes.sales_modes.report.sales_mode_comparison.sales_mode_comparison import (
			execute as comparison,
		)

		window_b = filters(from_date="2023-01-01")
		keys = ("leads", "opportunities", "won", "lost", "avg_deal_size", "median_cycle_days")
		rows = by_mode(comparison(window_b)[1])
		self.assertEqual(
			{k: rows["B2B"][k] for k in keys}, dict(zip(keys, (2, 27, 16, 12, 34190 / 16, 42), strict=True))
		)
		self.assertEqual(
			{k: rows["B2C"][k] for k in keys}, dict(zip(keys, (2, 24, 13, 15, 16810 / 13, 84), strict=True))
		)
		self.assertAlmostEqual(rows["B2B"]["win_rate"], 100 * 16 / 28)
		self.assertAlmostEqual(rows["B2C"]["win_rate"], 100 * 13 / 28)

		buckets = ("won", "median_days", "same_day", "days_1_7", "days_8_30", "days_31_90", "days_91_180")
		cycles = by_mode(cycle_analysis(window_b)[1])
		self.assertEqual(
			{k: cycles["B2B"][k] for k in buckets}, dict(zip(buckets, (16, 42, 0, 0, 5, 11, 0), strict=True))
		)
		self.assertEqual(
			{k: cycles["B2C"][k] for k in buckets}, dict(zip(buckets, (13, 84, 0, 1, 0, 7, 5), strict=True))
		)

		summary = {s["label"]: s["value"] for s in disqualification(window_b)[4]}
		self.assertEqual((summary["B2B Lost Opportunities"], summary["B2C Lost Opportunities"]), (12, 15))

	def test_won_value_by_the_month_of_the_close_date(self):
		"""Section 3: imported wins in their own 2023 months, none in the import month."""
		expected = {
			("2023-01", "B2B"): 3330, ("2023-01", "B2C"): 2720,
			("2023-03", "B2B"): 3390, ("2023-03", "B2C"): 2760,
			("2023-05", "B2B"): 3450, ("2023-05", "B2C"): 2800,
			("2023-07", "B2B"): 2240, ("2023-07", "B2C"): 4110,
			("2023-09", "B2B"): 2280, ("2023-09", "B2C"): 4170,
			("2025-03", "B2B"): 10000, ("2025-05", "B2B"): 4000, ("2025-08", "B2B"): 5500,
			("2025-10", "B2C"): 250,
		}  # fmt: skip
		self.assertEqual(won_value_by_month(filters(from_date="2023-01-01")), expected)
		# Window A (the months after 2024-12): as before the import
		self.assertEqual(
			won_value_by_month(filters()), {key: v for key, v in expected.items() if key[0] >= "2024-12"}
		)

	def test_stalled_deals_with_no_period(self):
		from sales_modes.sales_modes.report.stalled_deals.stalled_deals import execute as stalled

		company = frappe.db.get_single_value("Global Defaults", "default_company")
		rows = stalled({"company": company})[1]
		open_deals = frappe.get_all(
			"Opportunity", filters={"status": ("in", ("Open", "Replied", "Quotation"))}, pluck="name"
		)
		self.assertEqual({row["opportunity"] for row in rows}, set(open_deals))
		self.assertEqual(len(rows), 4)
