"""Two years of ERPNext history made with ERPNext's own APIs, on a site WITHOUT sales_modes.

Run by scripts/real-site-test before the app is installed:
    bench --site S execute sales_modes.tests.history_builder.build
It imports nothing from the app (only Frappe and ERPNext), so the app's hooks play no part: the
site looks like one that sold for two years before it installed sales_modes. Each document is
made on its own day with the clock set to that day (freezegun, Frappe's own test dependency),
so creation, modified, posting and transaction dates are what they would be on a real site.

The dataset, its dates and amounts are listed in sales_modes/tests/test_real_site.py, which
asserts what the install made of it. `import_closed_deals` (run after the install) loads 50
closed deals from a CSV through Frappe's Data Import.
"""

from contextlib import contextmanager
from datetime import date, timedelta

import frappe
import pytz
from frappe.utils import get_datetime, get_system_timezone

ITEM = "RS Service"
EUR_PRICE_LIST = "RS EUR Selling"
LOST_REASON = "RS Chose a Competitor"
B2B_REP = "rs-b2b-rep@example.com"
B2C_REP = "rs-b2c-rep@example.com"
EUR_RATE = 1.1
# A document in EUR, priced from the EUR price list
EUR_TERMS = {
	"currency": "EUR",
	"conversion_rate": EUR_RATE,
	"selling_price_list": EUR_PRICE_LIST,
	"price_list_currency": "EUR",
	"plc_conversion_rate": EUR_RATE,
}

ACME = "RS Acme Corp"
GLOBEX = "RS Globex Partners"
JANE = "RS Jane Doe"
EURO = "RS Euro GmbH"
WALK_IN = "RS Walk-in Shopper"

# The 50 imported closed deals: deal k (1..50) closes on the 15th of month ((k-1) % 10) + 1 of
# 2023, after a cycle of 10 + 2k days; odd k won, even k lost; k <= 25 Acme (B2B), else Jane (B2C)
IMPORTED_DEALS = 50


def imported_deal(k: int) -> dict:
	closed = date(2023, (k - 1) % 10 + 1, 15)
	return {
		"party": ACME if k <= 25 else JANE,
		"status": "Converted" if k % 2 else "Lost",
		"transaction_date": closed - timedelta(days=10 + 2 * k),
		"closed_on": closed,
		"amount": 1000 + 10 * k,
	}


@contextmanager
def on(when: str):
	"""Run the block as if the system clock (in the site's time zone) read `when`."""
	from freezegun import freeze_time

	local = pytz.timezone(get_system_timezone()).localize(get_datetime(when))
	# tick: the clock runs on from `when`, as Frappe compares timestamps to the microsecond
	with freeze_time(local.astimezone(pytz.utc), tick=True):
		yield


def company() -> str:
	return frappe.db.get_single_value("Global Defaults", "default_company")


def abbr() -> str:
	return frappe.get_cached_value("Company", company(), "abbr")


def account(name: str) -> str:
	return f"{name} - {abbr()}"


# Masters ---------------------------------------------------------------------------------------


def make_fiscal_years() -> None:
	for year in (2024, 2025, 2026, 2027):
		if not frappe.db.exists(
			"Fiscal Year", {"year_start_date": f"{year}-01-01", "year_end_date": f"{year}-12-31"}
		):
			frappe.get_doc(
				{
					"doctype": "Fiscal Year",
					"year": f"RS {year}",
					"year_start_date": f"{year}-01-01",
					"year_end_date": f"{year}-12-31",
				}
			).insert()


def make_masters() -> None:
	make_fiscal_years()
	frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": ITEM,
			"item_name": ITEM,
			"item_group": "Services" if frappe.db.exists("Item Group", "Services") else "All Item Groups",
			"stock_uom": "Nos",
			"is_stock_item": 0,
			"include_item_in_manufacturing": 0,
		}
	).insert()
	frappe.get_doc(
		{"doctype": "Price List", "price_list_name": EUR_PRICE_LIST, "currency": "EUR", "selling": 1}
	).insert()
	for from_currency, to_currency, rate in (("EUR", "USD", EUR_RATE), ("USD", "EUR", 1 / EUR_RATE)):
		frappe.get_doc(
			{
				"doctype": "Currency Exchange",
				"date": "2024-01-01",
				"from_currency": from_currency,
				"to_currency": to_currency,
				"exchange_rate": rate,
				"for_selling": 1,
			}
		).insert()
	frappe.get_doc({"doctype": "Opportunity Lost Reason", "lost_reason": LOST_REASON}).insert()
	debtors = account("Debtors")
	eur_debtors = frappe.get_doc(
		{
			"doctype": "Account",
			"account_name": "Debtors EUR",
			"parent_account": frappe.db.get_value("Account", debtors, "parent_account"),
			"account_type": "Receivable",
			"account_currency": "EUR",
			"company": company(),
		}
	).insert()
	for email in (B2B_REP, B2C_REP):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		).insert()
		user.add_roles("Sales User")

	def customer(name, customer_type, **extra):
		frappe.get_doc(
			{"doctype": "Customer", "customer_name": name, "customer_type": customer_type, **extra}
		).insert()

	customer(ACME, "Company")
	customer(GLOBEX, "Partnership")
	customer(JANE, "Individual")
	customer(WALK_IN, "Individual")
	customer(
		EURO,
		"Company",
		default_currency="EUR",
		accounts=[{"company": company(), "account": eur_debtors.name}],
	)


def make_pos_profile() -> str:
	cash = frappe.get_doc("Mode of Payment", "Cash")
	if not any(row.company == company() for row in cash.accounts):
		cash.append("accounts", {"company": company(), "default_account": account("Cash")})
		cash.save()
	profile = frappe.get_doc(
		{
			"doctype": "POS Profile",
			"name": "RS Shop",
			"company": company(),
			"currency": "USD",
			"customer": WALK_IN,
			"warehouse": account("Stores"),
			"cost_center": account("Main"),
			"write_off_account": account("Write Off"),
			"write_off_cost_center": account("Main"),
			"income_account": account("Sales"),
			"selling_price_list": "Standard Selling",
			"payments": [{"mode_of_payment": "Cash", "default": 1}],
		}
	)
	profile.insert()
	return profile.name


# Documents -------------------------------------------------------------------------------------


def lead(first_name: str, organisation: str | None, owner: str) -> str:
	return (
		frappe.get_doc(
			{"doctype": "Lead", "first_name": first_name, "company_name": organisation, "lead_owner": owner}
		)
		.insert()
		.name
	)


def opportunity(party: str, amount: float, owner: str, opportunity_from: str = "Customer", **extra) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": opportunity_from,
				"party_name": party,
				"company": company(),
				"opportunity_owner": owner,
				"opportunity_amount": amount,
				# Frappe caches new-document templates per process: "Today" defaults would stick
				"transaction_date": frappe.utils.nowdate(),
				**extra,
			}
		)
		.insert()
		.name
	)


def quotation_for(opportunity_name: str, rate: float, **extra):
	"""ERPNext's Opportunity -> Quotation mapping, submitted today."""
	from erpnext.crm.doctype.opportunity.opportunity import make_quotation

	quotation = make_quotation(opportunity_name)
	quotation.transaction_date = frappe.utils.nowdate()
	quotation.valid_till = frappe.utils.add_days(frappe.utils.nowdate(), 90)
	quotation.update(extra)
	if not [row for row in quotation.items if row.item_code]:
		quotation.set("items", [])
		quotation.append("items", {"item_code": ITEM, "qty": 1, "rate": rate})
	for row in quotation.items:
		row.rate = rate
	quotation.insert()
	quotation.submit()
	return quotation


def order_for(quotation_name: str):
	from erpnext.selling.doctype.quotation.quotation import make_sales_order

	order = make_sales_order(quotation_name)
	order.transaction_date = frappe.utils.nowdate()
	order.delivery_date = frappe.utils.add_days(frappe.utils.nowdate(), 7)
	order.insert()
	order.submit()
	return order


def invoice(customer: str, qty: float, rate: float, **extra):
	doc = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer,
			"company": company(),
			"posting_date": frappe.utils.nowdate(),
			"set_posting_time": 1,
			"items": [{"item_code": ITEM, "qty": qty, "rate": rate}],
			**extra,
		}
	)
	doc.insert()
	doc.submit()
	return doc


def credit_note(invoice_name: str, qty: float):
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

	note = make_sales_return(invoice_name)
	note.posting_date = frappe.utils.nowdate()
	note.set_posting_time = 1
	for row in note.items:
		row.qty = -qty
	note.insert()
	note.submit()
	return note


def pos_invoice(profile: str, customer: str, rate: float):
	doc = frappe.get_doc(
		{
			"doctype": "POS Invoice",
			"pos_profile": profile,
			"company": company(),
			"customer": customer,
			"posting_date": frappe.utils.nowdate(),
			"is_pos": 1,
			"items": [{"item_code": ITEM, "qty": 1, "rate": rate}],
		}
	)
	doc.set_missing_values()
	for row in doc.items:
		row.rate = rate
	doc.set("payments", [{"mode_of_payment": "Cash", "amount": rate, "default": 1}])
	doc.insert()
	doc.submit()
	return doc


def won_through_order(
	days: tuple[str, str, str], party: str, amount: float, owner: str, quotation_terms=None, **extra
):
	"""A deal opened, quoted and ordered (submitted) on the three days, at 10:00 each."""
	opened, quoted, ordered = days
	with on(f"{opened} 10:00"):
		name = opportunity(party, amount, owner, **extra)
	with on(f"{quoted} 10:00"):
		quotation = quotation_for(name, amount, **(quotation_terms or {}))
	with on(f"{ordered} 10:00"):
		order_for(quotation.name)
	return name


# The history -----------------------------------------------------------------------------------


def build() -> None:
	if frappe.db.exists("Customer", ACME):
		raise RuntimeError("The history is already built on this site.")
	if "sales_modes" in frappe.get_installed_apps():
		raise RuntimeError("Build the history on a site without sales_modes: it must not see the app.")

	with on("2024-12-02 09:00"):
		make_masters()
		profile = make_pos_profile()

	# Leads: two with an organisation, two people
	with on("2024-12-05 10:00"):
		initech = lead("Irene", "Initech", B2B_REP)
	with on("2025-01-08 10:00"):
		lena = lead("Lena", None, B2C_REP)
	with on("2025-06-16 10:00"):
		lead("Uma", "Umbrella", B2B_REP)
	with on("2026-02-03 10:00"):
		lead("Pia", None, B2C_REP)

	# Won through ERPNext's quotation and order: O1 Acme; O2 Globex, a deal with items, so its
	# quotation links through the items; O3 Euro GmbH in EUR
	won_through_order(("2025-01-10", "2025-02-03", "2025-03-14"), ACME, 10000, B2B_REP)
	won_through_order(
		("2025-04-01", "2025-04-15", "2025-05-20"),
		GLOBEX,
		4000,
		B2B_REP,
		items=[{"item_code": ITEM, "qty": 1, "rate": 4000, "uom": "Nos"}],
	)
	won_through_order(
		("2025-06-02", "2025-07-01", "2025-08-29"),
		EURO,
		5000,
		B2B_REP,
		quotation_terms=EUR_TERMS,
		currency="EUR",
		conversion_rate=EUR_RATE,
	)

	# O4 from a lead: declared lost with ERPNext's Lost button
	with on("2025-01-08 11:00"):
		o4 = opportunity(lena, 800, B2C_REP, opportunity_from="Lead")
	with on("2025-02-17 12:00"):
		frappe.get_doc("Opportunity", o4).declare_enquiry_lost([{"lost_reason": LOST_REASON}], [])

	# O5 Jane: quoted, then the quotation was lost
	with on("2025-09-01 10:00"):
		o5 = opportunity(JANE, 300, B2C_REP)
	with on("2025-09-05 10:00"):
		q5 = quotation_for(o5, 300)
	with on("2025-09-20 14:00"):
		q5.reload()
		q5.declare_enquiry_lost([], [])

	# O6 Jane: won within four days
	won_through_order(("2025-10-06", "2025-10-08", "2025-10-10"), JANE, 250, B2C_REP)

	# Open deals: O7 moved to Qualification, O8 untouched, O9 quoted, O10 recent
	with on("2026-02-02 10:00"):
		o7 = opportunity(ACME, 7000, B2B_REP)
	with on("2026-03-16 10:00"):
		deal = frappe.get_doc("Opportunity", o7)
		deal.sales_stage = "Qualification"
		deal.save()
	with on("2026-06-01 09:30"):
		opportunity(initech, 3000, B2B_REP, opportunity_from="Lead")
	with on("2026-11-02 10:00"):
		o9 = opportunity(JANE, 150, B2C_REP)
	with on("2026-11-03 10:00"):
		quotation_for(o9, 150)
	with on("2026-11-20 10:00"):
		opportunity(lena, 90, B2C_REP, opportunity_from="Lead")

	# Invoices, credit notes, another currency
	with on("2025-03-20 10:00"):
		invoice(ACME, 1, 10000)
	with on("2025-05-25 10:00"):
		invoice(GLOBEX, 1, 4000)
	with on("2025-09-01 10:00"):
		invoice(EURO, 1, 5000, **EUR_TERMS)
	with on("2025-10-12 10:00"):
		invoice(JANE, 1, 250)
	with on("2026-01-15 10:00"):
		invoice(JANE, 1, 120)
	with on("2026-03-02 10:00"):
		fully_returned = invoice(JANE, 1, 80)
	with on("2026-03-10 10:00"):
		credit_note(fully_returned.name, 1)
	with on("2026-04-10 10:00"):
		partly_returned = invoice(ACME, 4, 500)
	with on("2026-04-20 10:00"):
		credit_note(partly_returned.name, 1)

	# A day at the shop: four POS invoices, consolidated at closing into one invoice per customer
	from erpnext.accounts.doctype.pos_closing_entry.pos_closing_entry import (
		make_closing_entry_from_opening,
	)

	with on("2026-05-10 09:00"):
		opening = frappe.get_doc(
			{
				"doctype": "POS Opening Entry",
				"pos_profile": profile,
				"user": frappe.session.user,
				"company": company(),
				"period_start_date": frappe.utils.now_datetime(),
				"balance_details": [{"mode_of_payment": "Cash", "opening_amount": 0}],
			}
		)
		opening.submit()
	for hour, customer, rate in ((10, WALK_IN, 30), (11, WALK_IN, 45), (12, JANE, 60), (13, WALK_IN, 25)):
		with on(f"2026-05-10 {hour}:00"):
			pos_invoice(profile, customer, rate)
	with on("2026-05-10 20:00"):
		closing = make_closing_entry_from_opening(opening)
		for row in closing.payment_reconciliation:
			row.closing_amount = row.expected_amount
		closing.submit()
	frappe.db.commit()  # nosemgrep: a CLI step (bench execute) that builds a test site


def import_closed_deals() -> str:
	"""Load IMPORTED_DEALS closed deals through Frappe's Data Import (a CSV file, the importer)."""
	import csv
	import io

	from frappe.core.doctype.data_import.data_import import start_import

	# Historical deals are loaded with the stage gates off for imports (Sales Modes Settings)
	frappe.db.set_single_value("Sales Modes Settings", "gate_data_import", 0)
	buffer = io.StringIO()
	writer = csv.writer(buffer)
	writer.writerow(
		[
			"Opportunity From",
			"Party",
			"Company",
			"Status",
			"Opportunity Date",
			"Closed On",
			"Opportunity Amount",
		]
	)
	for k in range(1, IMPORTED_DEALS + 1):
		deal = imported_deal(k)
		writer.writerow(
			[
				"Customer",
				deal["party"],
				company(),
				deal["status"],
				deal["transaction_date"].isoformat(),
				deal["closed_on"].isoformat(),
				deal["amount"],
			]
		)
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": "rs-closed-deals.csv",
			"content": buffer.getvalue().encode(),
			"is_private": 1,
		}
	).insert()
	data_import = frappe.get_doc(
		{
			"doctype": "Data Import",
			"reference_doctype": "Opportunity",
			"import_type": "Insert New Records",
			"import_file": file.file_url,
		}
	).insert()
	frappe.db.commit()  # nosemgrep: the importer runs on committed Data Import and File records
	# What the background job of Data Import.start_import runs
	start_import(data_import.name)
	data_import.reload()
	print(data_import.status)
	return data_import.status


def main(argv: list[str]) -> int:
	"""python -m sales_modes.tests.history_builder SITE build|import (from the bench's sites folder).

	Not `bench execute`: Frappe refuses to run code of an app the site has not installed.
	"""
	site, step = argv
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		if step == "build":
			build()
		else:
			status = import_closed_deals()
			if status != "Success":
				print(f"Data Import ended {status}")
				return 1
	finally:
		frappe.destroy()
	return 0


if __name__ == "__main__":
	import sys

	sys.exit(main(sys.argv[1:]))
