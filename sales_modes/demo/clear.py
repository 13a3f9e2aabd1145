"""Remove exactly the demo records: every row owned by the demo user (see common.py), set-based.

Child rows go with their parents (joined on the parent, whoever owns the child row), then the
parents, then the ledger entries, logs and contacts the real flow left behind, then the user.
Submitted invoices are deleted with their GL and payment ledger entries rather than cancelled one
by one: the demo is removed as a whole, so nothing outside it refers to them.
"""

from collections.abc import Callable

import frappe

from sales_modes import sale_ledger
from sales_modes.demo.common import DEMO_USER

# Parents first in dependency order does not matter for DELETE; children are found through meta
PARENT_DOCTYPES = (
	"Sales Invoice",
	"POS Invoice",
	"Sales Order",
	"Quotation",
	"Delivery Note",
	"Opportunity",
	"Prospect",
	"Lead",
	"Contact",
	"Address",
	"Customer",
	"Item",
	"Opportunity Lost Reason",
	"Competitor",
)
# Standalone tables where the real flow writes as the demo user
LOG_DOCTYPES = (
	"Stage Transition",
	"GL Entry",
	"Payment Ledger Entry",
	"Version",
	"Comment",
	"Communication",
	"Activity Log",
	"ToDo",
	"Item Price",
	"Item Default",
	"Deleted Document",
)

Progress = Callable[[int, int, str], None]


def child_tables(doctype: str) -> list[str]:
	return [df.options for df in frappe.get_meta(doctype).get_table_fields()]


def run(query: str, values) -> int:
	"""Execute a DELETE and return how many rows it removed."""
	frappe.db.sql(query, values)
	return max(frappe.db._cursor.rowcount, 0)


def clear_demo(progress: Progress | None = None) -> dict[str, int]:
	"""Delete every demo record; returns the number of rows removed per doctype."""
	removed: dict[str, int] = {}
	# Whose sale ledger rows the demo's invoices are: rebuilt from what is left once they are gone
	ledger_customers = demo_ledger_customers()
	steps = [*PARENT_DOCTYPES, *LOG_DOCTYPES]
	for i, doctype in enumerate(steps):
		if progress:
			progress(i, len(steps), doctype)
		if not frappe.db.table_exists(doctype):
			continue
		if doctype == "Opportunity":
			# the log of a demo deal, whoever wrote it; before the deals, for the join
			removed["Stage Transition"] = run(
				"""DELETE st FROM `tabStage Transition` st
				JOIN `tabOpportunity` o ON o.name = st.opportunity WHERE o.owner = %s""",
				DEMO_USER,
			)
		for child in child_tables(doctype) if doctype in PARENT_DOCTYPES else ():
			removed[child] = removed.get(child, 0) + run(
				f"""DELETE c FROM `tab{child}` c JOIN `tab{doctype}` p
				ON p.name = c.parent AND c.parenttype = %s WHERE p.owner = %s""",
				(doctype, DEMO_USER),
			)
		removed[doctype] = removed.get(doctype, 0) + run(
			f"DELETE FROM `tab{doctype}` WHERE owner = %s", DEMO_USER
		)
	# Frappe gives every new user a Contact (made by whoever created the user): it goes too
	for contact in frappe.get_all("Contact", filters={"user": DEMO_USER}, pluck="name"):
		frappe.delete_doc("Contact", contact, ignore_permissions=True, force=True)
	if frappe.db.exists("User", DEMO_USER):
		frappe.delete_doc("User", DEMO_USER, ignore_permissions=True, force=True)
	# Frappe keeps a deleted user's own defaults (its time zone, for one)
	frappe.db.delete("DefaultValue", {"parent": DEMO_USER})
	for doctype in ("Customer", "Lead", "Opportunity", "Sales Invoice"):
		frappe.clear_cache(doctype=doctype)
	if ledger_customers:
		held = frappe.db.count(sale_ledger.LEDGER, {"customer": ("in", ledger_customers)})
		kept = sale_ledger.rebuild(ledger_customers, commit=False)
		removed[sale_ledger.LEDGER] = held - kept
	if progress:
		progress(len(steps), len(steps), "")
	return removed


def demo_ledger_customers() -> list[str]:
	customers = set()
	for voucher_type in sale_ledger.VOUCHER_TYPES:
		customers.update(
			frappe.db.sql_list(
				f"""SELECT DISTINCT entry.customer FROM `tab{sale_ledger.LEDGER}` entry
				JOIN `tab{voucher_type}` invoice ON invoice.name = entry.voucher_no
				WHERE entry.voucher_type = %s AND invoice.owner = %s""",
				(voucher_type, DEMO_USER),
			)
		)
	return sorted(customers)


def count_demo_records() -> dict[str, int]:
	counts = {}
	for doctype in (*PARENT_DOCTYPES, *LOG_DOCTYPES):
		if frappe.db.table_exists(doctype):
			counts[doctype] = frappe.db.count(doctype, {"owner": DEMO_USER})
	counts["_user"] = 1 if frappe.db.exists("User", DEMO_USER) else 0
	return counts
