"""A small hand-built dataset in 2000-2001, shared by the bench tests of the Sales Modes reports.

The window is far in the past so that nothing else on the test site falls in it; every figure
the report tests assert is worked out by hand from the records below.

Territories North and South; period 2001-01-01 .. 2001-12-31 (PERIOD).

Leads (mode, territory, created, state):
  L1 B2B North 2001-02-01 qualified      L2 B2B North 2001-03-01 disqualified (No Budget)
  L3 B2B South 2001-04-01 disqualified (No Need)
  L4 B2C South 2001-05-01 qualified      L5 B2C North 2000-12-31 qualified (before the period)
Opportunities (mode, territory, customer, date, status, base amount, committee, stages; the
close date closed_on is the day of the Won/Lost event):
  O1 B2B North A 2001-01-10 Converted 1000  2 members  Prospecting(2d) > Qualification(3d) >
     Needs Analysis, won 2001-01-20 (10 days)
  O2 B2B South B 2001-02-01 Converted 3000  1 member   Prospecting(4d) > Qualification,
     won 2001-06-01 (120 days)
  O3 B2B North A 2001-03-01 Lost (reason Price) 2001-03-20   Prospecting
  O4 B2B South B 2001-04-01 Open, in Qualification since 2001-04-10: stalled
                                                       Prospecting(6d) > Qualification
  O5 B2C South C 2001-05-01 Converted, 200 EUR at 1.1 = 220, won the same day, Prospecting
  O6 B2B North A 2000-12-01 Converted 2000-12-05 (before the period)
Sales Invoices (customer, mode, territory, date, base net total):
  I1 A B2B North 2001-01-15 100   I2 A B2B North 2001-02-15 200   I3 B B2B South 2001-03-15 300
  I4 B B2B South 2000-06-15 50 (before the period: B is not a new customer)
  I5 return of I3 2001-04-01 -300 (netted)   I6 A 2001-03-01 400 cancelled   I7 A 2001-03-05 draft
  I8 E B2C North 2001-05-10 100 EUR at 1.1 = 110   I9 C B2C South 2001-06-10 80
"""

import frappe
from frappe.utils import add_months, today

from sales_modes.core.deal_states import CONVERTED, LOST, LOST_EVENT, OPEN, STAGE_CHANGE, WON
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import get_company, make_customer, make_lead, make_sales_invoice

PERIOD = {"from_date": "2001-01-01", "to_date": "2001-12-31"}


NO_DATA = "No data for these filters. Widen the date range or clear the Territory, Customer Group or Sales Mode filter."


class ReportTestCase(SalesModesTestCase):
	"""Builds the dataset once per class and runs the report (`report`, set by each test) on it.

	Every report inherits the tests every report must pass: a period without data and bad filters.
	"""

	report = None
	# What the report says for a period without data
	empty_message = NO_DATA

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.data = build()

	def tearDown(self):
		frappe.set_user("Administrator")

	def run_report(self, **filters):
		return self.report({"company": self.data.company, **PERIOD, **filters})

	def test_no_data(self):
		_columns, rows, message, chart, summary = self.run_report(
			from_date="1990-01-01", to_date="1990-12-31"
		)
		self.assertEqual((rows, chart, summary), ([], None, None))
		self.assertEqual(message, self.empty_message)

	def test_bad_filters(self):
		with self.assertRaises(frappe.ValidationError):
			self.run_report(from_date="2001-12-31", to_date="2001-01-01")
		for fieldname in ("company", "sales_mode", "territory", "customer_group"):
			with self.subTest(fieldname), self.assertRaises(frappe.DoesNotExistError):
				self.run_report(**{fieldname: "_No Such Record"})


NORTH, SOUTH = "_SM Test North", "_SM Test South"
PREFIX = "_SM Report Test "
EUR_RATE = 1.1
O4_STAGE_ENTERED_ON = "2001-04-10 09:00:00"


def build() -> frappe._dict:
	"""Create the dataset (inside the test's transaction, rolled back after the test class)."""
	company = get_company()
	make_fiscal_years(company, (2000, 2001))
	make_currency_exchange("EUR", frappe.get_cached_value("Company", company, "default_currency"))
	for territory in (NORTH, SOUTH):
		if not frappe.db.exists("Territory", territory):
			frappe.get_doc(
				{"doctype": "Territory", "territory_name": territory, "parent_territory": "All Territories"}
			).insert(ignore_permissions=True)
	for reason in ("_SM Price",):
		if not frappe.db.exists("Opportunity Lost Reason", reason):
			frappe.get_doc({"doctype": "Opportunity Lost Reason", "lost_reason": reason}).insert(
				ignore_permissions=True
			)

	d = frappe._dict(company=company)
	d.customer_a = make_customer(PREFIX + "A", "Company", territory=NORTH).name
	d.customer_b = make_customer(PREFIX + "B", "Company", territory=SOUTH).name
	d.customer_c = make_customer(PREFIX + "C", "Individual", territory=SOUTH).name
	d.customer_e = make_customer(PREFIX + "E", "Individual", territory=NORTH, default_currency="EUR").name

	d.leads = [
		lead("L1", "B2B", NORTH, "2001-02-01", qualification_status="Qualified"),
		lead("L2", "B2B", NORTH, "2001-03-01", disqualified=1, disqualification_reason="No Budget"),
		lead("L3", "B2B", SOUTH, "2001-04-01", disqualified=1, disqualification_reason="No Need"),
		lead("L4", "B2C", SOUTH, "2001-05-01", qualification_status="Qualified"),
		lead("L5", "B2C", NORTH, "2000-12-31 12:00:00", qualification_status="Qualified"),
	]

	d.o1 = opportunity(
		d.customer_a, NORTH, "2001-01-10", CONVERTED, 1000, committee=2, stage="Needs Analysis",
		closed_on="2001-01-20",
	)  # fmt: skip
	d.o2 = opportunity(
		d.customer_b, SOUTH, "2001-02-01", CONVERTED, 3000, committee=1, stage="Qualification",
		closed_on="2001-06-01",
	)  # fmt: skip
	d.o3 = opportunity(
		d.customer_a, NORTH, "2001-03-01", LOST, 500, lost_reason="_SM Price", closed_on="2001-03-20"
	)
	d.o4 = opportunity(
		d.customer_b, SOUTH, "2001-04-01", OPEN, 700, stage="Qualification",
		stage_entered_on=O4_STAGE_ENTERED_ON,
	)  # fmt: skip
	d.o5 = opportunity(
		d.customer_c, SOUTH, "2001-05-01", CONVERTED, 200, currency="EUR", closed_on="2001-05-01"
	)
	d.o6 = opportunity(d.customer_a, NORTH, "2000-12-01", CONVERTED, 900, closed_on="2000-12-05")
	# The log the app would have written, with the dates the figures rely on
	frappe.db.delete("Stage Transition", {"opportunity": ("in", [d.o1, d.o2, d.o3, d.o4, d.o5, d.o6])})
	for name, date in ((d.o1, "2001-01-10"), (d.o2, "2001-02-01"), (d.o3, "2001-03-01"), (d.o4, "2001-04-01"),
		(d.o5, "2001-05-01"), (d.o6, "2000-12-01")):  # fmt: skip
		transition(name, STAGE_CHANGE, f"{date} 10:00:00", None, "Prospecting", None)
	transition(d.o1, STAGE_CHANGE, "2001-01-12 10:00:00", "Prospecting", "Qualification", 2)
	transition(d.o1, STAGE_CHANGE, "2001-01-15 10:00:00", "Qualification", "Needs Analysis", 3)
	transition(d.o1, WON, "2001-01-20 15:00:00", "Needs Analysis", "Needs Analysis", 5)
	transition(d.o2, STAGE_CHANGE, "2001-02-05 10:00:00", "Prospecting", "Qualification", 4)
	transition(d.o2, WON, "2001-06-01 11:00:00", "Qualification", "Qualification", 116)
	transition(d.o3, LOST_EVENT, "2001-03-20 10:00:00", "Prospecting", "Prospecting", 19)
	transition(d.o4, STAGE_CHANGE, "2001-04-07 10:00:00", "Prospecting", "Qualification", 6)
	transition(d.o5, WON, "2001-05-01 18:00:00", "Prospecting", "Prospecting", 0.3)
	transition(d.o6, WON, "2000-12-05 10:00:00", "Prospecting", "Prospecting", 4)

	d.i1 = invoice(d.customer_a, NORTH, "2001-01-15", 100).name
	d.i2 = invoice(d.customer_a, NORTH, "2001-02-15", 200).name
	i3 = invoice(d.customer_b, SOUTH, "2001-03-15", 300)
	d.i3 = i3.name
	d.i4 = invoice(d.customer_b, SOUTH, "2000-06-15", 50).name
	d.i5 = sales_return(i3, "2001-04-01").name
	i6 = invoice(d.customer_a, NORTH, "2001-03-01", 400)
	i6.cancel()
	d.i6 = i6.name
	d.i7 = invoice(d.customer_a, NORTH, "2001-03-05", 700, submit=False).name
	d.i8 = invoice(
		d.customer_e, NORTH, "2001-05-10", 100, currency="EUR", conversion_rate=EUR_RATE,
		debit_to=make_receivable_account(company, "EUR"),
	).name  # fmt: skip
	d.i9 = invoice(d.customer_c, SOUTH, "2001-06-10", 80).name
	return d


def make_fiscal_years(company: str, years) -> None:
	for year in years:
		name = f"_SM {year}"
		if frappe.db.exists("Fiscal Year", name):
			continue
		if frappe.db.get_value(
			"Fiscal Year",
			{"year_start_date": ("<=", f"{year}-06-30"), "year_end_date": (">=", f"{year}-06-30")},
		):
			continue
		frappe.get_doc(
			{
				"doctype": "Fiscal Year",
				"year": name,
				"year_start_date": f"{year}-01-01",
				"year_end_date": f"{year}-12-31",
			}
		).insert(ignore_permissions=True)


def make_receivable_account(company: str, currency: str) -> str:
	"""A receivable account in the invoice currency: ERPNext bills a customer in its party account's currency."""
	abbr = frappe.get_cached_value("Company", company, "abbr")
	name = f"_SM Debtors {currency} - {abbr}"
	if not frappe.db.exists("Account", name):
		parent = frappe.db.get_value(
			"Account", {"company": company, "account_type": "Receivable", "is_group": 0}, "parent_account"
		)
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": f"_SM Debtors {currency}",
				"company": company,
				"parent_account": parent,
				"account_type": "Receivable",
				"account_currency": currency,
			}
		).insert(ignore_permissions=True)
	return name


def make_currency_exchange(from_currency: str, to_currency: str) -> None:
	"""The rate for the dataset's dates, so no exchange-rate lookup goes to the internet."""
	for date in ("2000-01-01", "2001-01-01"):
		filters = {"date": date, "from_currency": from_currency, "to_currency": to_currency}
		if not frappe.db.exists("Currency Exchange", filters):
			frappe.get_doc(
				{
					"doctype": "Currency Exchange",
					**filters,
					"exchange_rate": EUR_RATE,
					"for_buying": 1,
					"for_selling": 1,
				}
			).insert(ignore_permissions=True)


def lead(label: str, mode: str, territory: str, created: str, **values) -> str:
	doc = make_lead(
		PREFIX + label,
		company_name=(PREFIX + label) if mode == "B2B" else None,
		sales_mode=mode,
		territory=territory,
		company=get_company(),
		email_id=f"{label.lower()}@sales-modes.invalid",
	)
	# Qualification and disqualification pass through gates and stamps: set the outcome directly
	frappe.db.set_value("Lead", doc.name, {"creation": created, **values}, update_modified=False)
	return doc.name


def opportunity(
	customer, territory, date, status, amount, committee=0, stage="Prospecting", lost_reason=None,
	currency=None, stage_entered_on=None, closed_on=None,
) -> str:  # fmt: skip
	values = {
		"doctype": "Opportunity",
		"opportunity_from": "Customer",
		"party_name": customer,
		"company": get_company(),
		"transaction_date": date,
		"territory": territory,
		"sales_stage": "Prospecting",
		"opportunity_amount": amount,
		# The desk form computes the company-currency amount; a script sets it like the form would
		"base_opportunity_amount": amount * (EUR_RATE if currency else 1),
		"buying_committee": [
			{"full_name": f"Member {i}", "decision_role": "Decision Maker"} for i in range(committee)
		],
	}
	if currency:
		values.update(currency=currency, conversion_rate=EUR_RATE)
	if lost_reason:
		values["lost_reasons"] = [{"lost_reason": lost_reason}]
	doc = frappe.get_doc(values).insert(ignore_permissions=True)
	# Status and stage as the deal's history left them, without re-running the gate
	frappe.db.set_value(
		"Opportunity",
		doc.name,
		{
			"status": status,
			"sales_stage": stage,
			"stage_entered_on": stage_entered_on or f"{date} 10:00:00",
			"closed_on": closed_on,
		},
		update_modified=False,
	)
	return doc.name


def transition(opportunity_name, event, when, from_stage, to_stage, days) -> None:
	frappe.get_doc(
		{
			"doctype": "Stage Transition",
			"opportunity": opportunity_name,
			"sales_mode": frappe.db.get_value("Opportunity", opportunity_name, "sales_mode"),
			"event": event,
			"transitioned_on": when,
			"from_stage": from_stage,
			"to_stage": to_stage,
			"days_in_previous_stage": days,
			"user": "Administrator",
		}
	).insert(ignore_permissions=True)


def invoice(customer, territory, date, rate, submit=True, **kwargs):
	return make_sales_invoice(
		customer,
		submit=submit,
		rate=rate,
		posting_date=date,
		due_date=date,
		territory=territory,
		**kwargs,
	)


def sales_return(original, date):
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

	doc = make_sales_return(original.name)
	doc.posting_date = date
	doc.set_posting_time = 1
	doc.due_date = date
	doc.insert()
	doc.submit()
	return doc


def make_sales_user() -> str:
	"""A sales user: reads leads and opportunities, but not sales invoices."""
	email = "_sm_report_sales_user@sales-modes.invalid"
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "Sales Only", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
		user.add_roles("Sales User")
	frappe.clear_cache(user=email)
	return email


def make_restricted_user(territory: str) -> str:
	"""A sales and accounts user who may only see one territory (User Permission)."""
	email = "_sm_report_north@sales-modes.invalid"
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "North Only", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
		user.add_roles("Sales Manager", "Sales User", "Accounts User")
	# Exactly one permission: whatever an earlier run left must not widen what the user sees
	frappe.db.delete("User Permission", {"user": email})
	frappe.get_doc(
		{
			"doctype": "User Permission",
			"user": email,
			"allow": "Territory",
			"for_value": territory,
			"apply_to_all_doctypes": 1,
		}
	).insert(ignore_permissions=True)
	frappe.clear_cache(user=email)
	return email


def build_recent(d: frappe._dict) -> frappe._dict:
	"""Deals dated from today, added to `build()`'s dataset for the figures that look at the
	present (this quarter's cards, deals stuck today) and for the long cycles of issue 10:

	  R1 B2B North A opened 14 months ago, won today, 5,000, 3 committee members: this quarter's
	     win, with a cycle of (today - 14 months) days (about 425), in the "Over 180 Days" bucket
	  R2 B2B South B created and opened 14 months ago, open in Qualification since then: stuck today
	  R3 B2C South C opened today and lost today
	  R4 B2C South C opened a month ago, won today, 300
	  L6 B2B North lead created today; L7 B2C South lead created 14 months ago
	"""
	long_ago = add_months(today(), -14)
	d.long_ago = long_ago
	d.r1 = opportunity(
		d.customer_a, NORTH, long_ago, CONVERTED, 5000, committee=3, stage="Needs Analysis", closed_on=today()
	)
	d.r2 = opportunity(
		d.customer_b, SOUTH, long_ago, OPEN, 800, stage="Qualification",
		stage_entered_on=f"{long_ago} 10:00:00",
	)  # fmt: skip
	frappe.db.set_value("Opportunity", d.r2, "creation", f"{long_ago} 10:00:00", update_modified=False)
	d.r3 = opportunity(d.customer_c, SOUTH, today(), LOST, 100, lost_reason="_SM Price", closed_on=today())
	d.r4 = opportunity(d.customer_c, SOUTH, add_months(today(), -1), CONVERTED, 300, closed_on=today())
	d.l6 = lead("L6", "B2B", NORTH, f"{today()} 00:00:01")
	d.l7 = lead("L7", "B2C", SOUTH, f"{long_ago} 12:00:00")
	return d
