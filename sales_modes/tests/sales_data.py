"""A hand-built sales history in 2002, shared by the bench tests of the sales figures.

2002 holds nothing else on a test site (the report dataset, sales_modes.tests.report_data, lives
in 2000-2001), so every figure below is the whole truth of its window. Company currency USD.

Customers: K (Company, B2B), X (Company, EUR, B2B), N (Individual, B2C), W (Individual, B2C: the
default customer of POS Profile SHOP, a shared walk-in party).

Sales Invoices (posting date, company-currency net total):
    K 2002-02-10 1,000; K 2002-03-05 400, fully returned by a credit note 2002-03-20 (-400);
    X 2002-04-10 200 EUR at 1.1 = 220; N 2002-07-01 70;
    K 2002-06-01 999 cancelled; N 2002-06-02 77 draft (neither counts)
POS Invoices, a day at the shop 2002-05-10 (POS Opening Entry 08:00):
    W 30 (10:00), W 45 (11:00), N 60 (12:00), W 25 (13:00), the 25 returned at 14:00 (-25);
    one draft POS Invoice W 99. `consolidate()` merges the day as the POS Closing Entry does:
    one consolidated Sales Invoice per customer (W 100, N 60) and a consolidated credit note (W -25).

By hand, period 2002-01-01 .. 2002-12-31 (FULL_YEAR), the same before and after consolidation:
    B2B: orders K 2 + X 1 = 3; net revenue 1,000 + 400 - 400 + 220 = 1,220; customers K, X = 2,
         both new; repeat 1 (K); days between K's sales 2002-02-10 .. 2002-03-05 = 23
    B2C: orders N 2 (POS 60, invoice 70) + W 3 = 5; net revenue 60 + 70 + 30 + 45 + 25 - 25 = 205;
         customers 1 (N: W is a walk-in party), new 1, repeat 1; days 2002-05-10 .. 2002-07-01 = 52
    Net revenue by month: B2B 2002-02 1,000, 2002-03 0, 2002-04 220; B2C 2002-05 135, 2002-07 70.
    Cohorts (first sale in the mode): B2B 2002-02 K (month 1: the 400 sale, returned later, is a
    sale), 2002-04 X; B2C 2002-05 N (month 2: July).
"""

import frappe
from frappe.utils import getdate

from sales_modes.tests import report_data
from sales_modes.tests.factories import get_company, make_customer, make_item, make_sales_invoice

FULL_YEAR = {"from_date": "2002-01-01", "to_date": "2002-12-31"}
PREFIX = "_SM Sales Test "
SHOP = "_SM Sales Test Shop"
POS_DAY = "2002-05-10"


def build() -> frappe._dict:
	"""Create the dataset inside the caller's transaction (rolled back after the test class)."""
	company = get_company()
	report_data.make_fiscal_years(company, (2002,))
	report_data.make_currency_exchange("EUR", frappe.get_cached_value("Company", company, "default_currency"))
	d = frappe._dict(company=company)
	d.k = make_customer(PREFIX + "K", "Company").name
	d.x = make_customer(PREFIX + "X", "Company", default_currency="EUR").name
	d.n = make_customer(PREFIX + "N", "Individual").name
	d.w = make_customer(PREFIX + "W", "Individual").name

	invoice(d.k, "2002-02-10", 1000)
	returned = invoice(d.k, "2002-03-05", 400)
	report_data.sales_return(returned, "2002-03-20")
	invoice(
		d.x, "2002-04-10", 200, currency="EUR", conversion_rate=report_data.EUR_RATE,
		debit_to=report_data.make_receivable_account(company, "EUR"),
	)  # fmt: skip
	invoice(d.n, "2002-07-01", 70)
	invoice(d.k, "2002-06-01", 999).cancel()
	invoice(d.n, "2002-06-02", 77, submit=False)

	d.profile = make_pos_profile(company, d.w)
	open_pos_day(company, d.profile)
	d.pos = [
		pos_invoice(d.profile, d.w, 30, "10:00:00"),
		pos_invoice(d.profile, d.w, 45, "11:00:00"),
		pos_invoice(d.profile, d.n, 60, "12:00:00"),
		pos_invoice(d.profile, d.w, 25, "13:00:00"),
	]
	d.pos.append(pos_return(d.pos[3], "14:00:00"))
	pos_invoice(d.profile, d.w, 99, "15:00:00", submit=False)
	return d


def invoice(customer: str, date: str, rate: float, submit: bool = True, **kwargs):
	return make_sales_invoice(customer, submit=submit, rate=rate, posting_date=date, due_date=date, **kwargs)


def make_pos_profile(company: str, walk_in: str) -> str:
	"""A POS Profile whose default customer is the walk-in party, paid in Cash."""
	abbr = frappe.get_cached_value("Company", company, "abbr")
	cash = frappe.get_doc("Mode of Payment", "Cash")
	if not any(row.company == company for row in cash.accounts):
		cash.append("accounts", {"company": company, "default_account": f"Cash - {abbr}"})
		cash.save(ignore_permissions=True)
	if frappe.db.exists("POS Profile", SHOP):
		frappe.delete_doc("POS Profile", SHOP, force=True, ignore_permissions=True)
	return (
		frappe.get_doc(
			{
				"doctype": "POS Profile",
				"name": SHOP,
				"company": company,
				"currency": frappe.get_cached_value("Company", company, "default_currency"),
				"customer": walk_in,
				"warehouse": frappe.db.get_value("Warehouse", {"company": company, "is_group": 0}, "name"),
				"cost_center": frappe.get_cached_value("Company", company, "cost_center"),
				"write_off_account": frappe.get_cached_value("Company", company, "write_off_account"),
				"write_off_cost_center": frappe.get_cached_value("Company", company, "cost_center"),
				"income_account": frappe.get_cached_value("Company", company, "default_income_account"),
				"selling_price_list": "Standard Selling",
				"payments": [{"mode_of_payment": "Cash", "default": 1}],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def open_pos_day(company: str, profile: str):
	opening = frappe.get_doc(
		{
			"doctype": "POS Opening Entry",
			"pos_profile": profile,
			"user": frappe.session.user,
			"company": company,
			"posting_date": POS_DAY,
			"period_start_date": f"{POS_DAY} 08:00:00",
			"balance_details": [{"mode_of_payment": "Cash", "opening_amount": 0}],
		}
	)
	opening.insert(ignore_permissions=True)
	opening.submit()
	return opening


def pos_invoice(profile: str, customer: str, rate: float, time: str, submit: bool = True):
	"""A POS sale at the shop on POS_DAY, paid in cash (as erpnext's create_pos_invoice makes one)."""
	doc = frappe.new_doc("POS Invoice")
	doc.update(
		{
			"pos_profile": profile,
			"company": get_company(),
			"customer": customer,
			"is_pos": 1,
			"set_posting_time": 1,
			"posting_date": POS_DAY,
			"posting_time": time,
			"items": [{"item_code": make_item(), "qty": 1, "rate": rate}],
		}
	)
	doc.set_missing_values()
	for row in doc.items:
		row.rate = rate
	doc.set("payments", [{"mode_of_payment": "Cash", "amount": rate, "default": 1}])
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def pos_return(original, time: str):
	"""A POS return of the whole sale, made as the POS does (erpnext's make_sales_return)."""
	from erpnext.accounts.doctype.pos_invoice.pos_invoice import make_sales_return

	doc = make_sales_return(original.name)
	doc.set_posting_time = 1
	doc.posting_date = POS_DAY
	doc.posting_time = time
	doc.paid_amount = doc.grand_total
	for payment in doc.payments:
		payment.amount = doc.grand_total if payment.default else 0
	doc.insert(ignore_permissions=True)
	doc.submit()
	return doc


def consolidate(pos_invoices) -> list[str]:
	"""Merge the POS Invoices as the POS Closing Entry does: a POS Invoice Merge Log per customer.

	The POS Closing Entry's submit runs `consolidate_pos_invoices`, whose `create_merge_logs`
	commits in its `finally` (the test's data would stay on the site), so the test builds the same
	merge logs through ERPNext's own "merge" action (`pos_invoice.make_merge_log`) and submits
	them; the real closing entry runs in the real-site test. Returns the consolidated invoices.
	"""
	from erpnext.accounts.doctype.pos_invoice.pos_invoice import make_merge_log

	by_customer: dict[str, list] = {}
	for doc in pos_invoices:
		by_customer.setdefault(doc.customer, []).append({"name": doc.name})
	consolidated = []
	for invoices in by_customer.values():
		log = frappe.get_doc(make_merge_log(invoices))
		log.company = get_company()
		# The closing at the end of the day: the credit note must come after the sales it returns
		log.posting_date, log.posting_time = getdate(POS_DAY), "20:00:00"
		log.insert(ignore_permissions=True)
		log.submit()
		consolidated += [log.consolidated_invoice, log.consolidated_credit_note]
	return [name for name in consolidated if name]


def make_invoice_reader() -> str:
	"""A user who may read Sales Invoices (a role given that right) but not POS Invoices.

	The Custom DocPerm rolls back with the test's transaction; the caller clears the Sales Invoice
	cache after the rollback (`clear_invoice_reader`).
	"""
	role, email = "_SM Invoice Reader", "_sm_invoice_reader@sales-modes.invalid"
	if not frappe.db.exists("Role", role):
		frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
			ignore_permissions=True
		)
	frappe.permissions.add_permission("Sales Invoice", role, 0)
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "Invoice Reader", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	frappe.get_doc("User", email).add_roles(role)
	frappe.clear_cache(doctype="Sales Invoice")
	frappe.clear_cache(user=email)
	return email


def clear_invoice_reader() -> None:
	frappe.clear_cache(doctype="Sales Invoice")
