"""What both demo paths share: the demo marker, the masters the demo needs, the company.

How demo records are marked: every demo record is *owned* by one dedicated user,
DEMO_USER. The real-flow path runs as that user (so ERPNext's own side effects, GL and
payment ledger entries, versions, contacts, are owned by it too) and the bulk path writes it in
`owner`. Why the owner and not a naming prefix or a registry doctype:
- `owner` is a standard column of every table, parents and child rows alike, so `--clear` is one
  set-based DELETE per table, with no list of names to keep and no extra doctype;
- it survives ERPNext's naming series and mappers unchanged (a prefix would not: a Customer is
  named after the customer, a GL Entry by hash), and demo names stay believable;
- side effects we do not create ourselves (ledger entries, versions, comments) are covered too.
Nobody signs in as the demo user (it has no password), so nothing else is ever owned by it.
"""

from collections.abc import Callable
from datetime import date, datetime

import frappe
from frappe import _
from frappe.utils import flt

# Told (rows done, what is being made) as a generator goes; the CLI shows it as a progress bar
Progress = Callable[[int, str], None]


def no_progress(done: int, label: str) -> None:
	pass


DEMO_USER = "sales-modes-demo@example.com"
DEMO_ROLES = (
	"Sales Manager",
	"Sales User",
	"Sales Master Manager",
	"Accounts Manager",
	"Accounts User",
	"Stock User",
	"Item Manager",
)
B2B_ITEM = "Demo Platform Subscription"
B2C_ITEM = "Demo Home Gadget"
ITEMS = {B2B_ITEM: "Services", B2C_ITEM: "Products"}
CUSTOMER_GROUP = {"B2B": "Commercial", "B2C": "Individual"}
LOST_REASONS = (
	"Chose a Competitor",
	"Price Too High",
	"No Decision",
	"Found It Cheaper Elsewhere",
	"Changed Mind",
)


def site_plan(seed: int = 42, scale: float = 1, today: date | None = None):
	"""The demo plan under this site's Sales Mode records and the gate's expression evaluator, so
	every deal carries what the site's own rules ask (a rule the demo cannot meet stops it here)."""
	from sales_modes.demo.plan import B2B, B2C, Plan
	from sales_modes.expressions import evaluate_expression
	from sales_modes.pipelines import doc_values, get_pipeline

	return Plan(
		seed=seed,
		scale=scale,
		today=today,
		pipelines={mode: get_pipeline(mode) for mode in (B2B, B2C)},
		evaluate_expression=evaluate_expression,
		# the gate reads every field of the deal; an expression may name one the plan never writes
		blank=doc_values(frappe.new_doc("Opportunity")),
	)


def get_company() -> str:
	company = frappe.db.get_single_value("Global Defaults", "default_company") or frappe.db.get_value(
		"Company", {}, "name"
	)
	if not company:
		frappe.throw(
			_("Create a company (complete the setup wizard) before generating demo data."),
			title=_("No Company"),
		)
	return company


def check_mode_map() -> None:
	"""The demo relies on the app inferring modes (Company -> B2B, Individual -> B2C)."""
	from sales_modes.settings import get_mode_map

	mode_map = get_mode_map()
	if not (mode_map.company and mode_map.individual):
		frappe.throw(
			_("Sales Modes Settings map no mode to companies or individuals. Set them, then try again."),
			title=_("Sales Modes Not Set Up"),
		)


def demo_exists() -> bool:
	return bool(
		frappe.db.exists("Customer", {"owner": DEMO_USER})
		or frappe.db.exists("Opportunity", {"owner": DEMO_USER})
	)


def ensure_demo_user() -> str:
	"""The demo user, created as itself: the User and the Contact Frappe adds are marked too."""
	if not frappe.db.exists("User", DEMO_USER):
		previous = frappe.session.user
		frappe.set_user(DEMO_USER)
		try:
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": DEMO_USER,
					"first_name": "Demo",
					"last_name": "Seller",
					"user_type": "System User",
					"send_welcome_email": 0,
					"roles": [{"role": role} for role in DEMO_ROLES if frappe.db.exists("Role", role)],
				}
			)
			user.flags.no_welcome_mail = True
			user.insert(ignore_permissions=True)
		finally:
			frappe.set_user(previous)
	return DEMO_USER


def ensure_fiscal_years(start: date, end: date) -> None:
	"""Back-dated invoices need fiscal years; these are set-up, not demo data, and stay."""
	for year in range(start.year, end.year + 1):
		middle = date(year, 6, 30)
		covered = frappe.db.sql(
			"""SELECT name FROM `tabFiscal Year` WHERE disabled = 0
			AND year_start_date <= %s AND year_end_date >= %s LIMIT 1""",
			(middle, middle),
		)
		if not covered and not frappe.db.exists("Fiscal Year", str(year)):
			frappe.get_doc(
				{
					"doctype": "Fiscal Year",
					"year": str(year),
					"year_start_date": date(year, 1, 1),
					"year_end_date": date(year, 12, 31),
				}
			).insert(ignore_permissions=True)
	frappe.cache.delete_value("fiscal_years")


def ensure_masters(competitors) -> None:
	"""Items, lost reasons and competitors; run as the demo user, so --clear removes them."""
	for item_code, group in ITEMS.items():
		if not frappe.db.exists("Item", item_code):
			frappe.get_doc(
				{
					"doctype": "Item",
					"item_code": item_code,
					"item_name": item_code,
					"item_group": group if frappe.db.exists("Item Group", group) else "All Item Groups",
					"stock_uom": "Nos",
					"is_stock_item": 0,
					"include_item_in_manufacturing": 0,
				}
			).insert(ignore_permissions=True)
	for reason in LOST_REASONS:
		if not frappe.db.exists("Opportunity Lost Reason", reason):
			frappe.get_doc({"doctype": "Opportunity Lost Reason", "lost_reason": reason}).insert(
				ignore_permissions=True
			)
	for competitor in competitors:
		if not frappe.db.exists("Competitor", competitor):
			frappe.get_doc({"doctype": "Competitor", "competitor_name": competitor}).insert(
				ignore_permissions=True
			)


def customer_group(mode: str) -> str:
	group = CUSTOMER_GROUP[mode]
	return group if frappe.db.exists("Customer Group", group) else "All Customer Groups"


def territory() -> str:
	for name in ("United States", "All Territories"):
		if frappe.db.exists("Territory", name):
			return name
	return frappe.db.get_value("Territory", {}, "name")


def days_between(start: datetime, end: datetime) -> float:
	"""Days from one moment to another, as the stage log counts them."""
	return flt((end - start).total_seconds() / 86400, 2)
