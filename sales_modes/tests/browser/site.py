"""Prepares a site for the browser tests: run through `bench execute`, which commits.

`bench --site SITE execute sales_modes.tests.browser.site.prepare --kwargs '{"password": "..."}'`
"""

import frappe
from frappe.utils.password import update_password

from sales_modes.tests.factories import make_customer, make_item

# The users the browser tests log in as: a rep (no override) and a manager (the override role,
# and Accounts User, whom Repeat Purchase by Mode, a Sales Invoice report, is for)
REP = "sales-modes-rep@example.com"
MANAGER = "sales-modes-manager@example.com"
USERS = {
	REP: ["Sales User"],
	MANAGER: ["Sales User", "Sales Manager", "System Manager", "Accounts User"],
}
# Parties the tests deal with
B2B_CUSTOMER = "Browser Test Logistics Ltd"
B2C_CUSTOMER = "Browser Test Jane Doe"


def let_reps_pick_stages() -> None:
	"""ERPNext lets only Sales Managers read Sales Stage, so a Sales User cannot pick a stage in the
	Opportunity form at all. Until the app grants it on install, the tests grant it here."""
	from frappe.permissions import add_permission

	if not frappe.db.exists("Custom DocPerm", {"parent": "Sales Stage", "role": "Sales User"}):
		add_permission("Sales Stage", "Sales User", 0, "read")


def prepare(password: str) -> dict:
	frappe.only_for("Administrator")
	for email, roles in USERS.items():
		if not frappe.db.exists("User", email):
			frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": email.split("@")[0].replace("-", " ").title(),
					"send_welcome_email": 0,
				}
			).insert(ignore_permissions=True)
		user = frappe.get_doc("User", email)
		user.language = "en"
		user.enabled = 1
		user.save(ignore_permissions=True)
		user.add_roles(*roles)
		update_password(email, password)
	for name, customer_type in ((B2B_CUSTOMER, "Company"), (B2C_CUSTOMER, "Individual")):
		if not frappe.db.exists("Customer", name):
			make_customer(name, customer_type)
	make_item()
	let_reps_pick_stages()
	# Deals from earlier runs would clutter the list the tests read
	for name in frappe.get_all(
		"Opportunity", {"party_name": ("in", [B2B_CUSTOMER, B2C_CUSTOMER])}, pluck="name"
	):
		frappe.delete_doc("Opportunity", name, force=True, ignore_permissions=True)
	return {"rep": REP, "manager": MANAGER, "b2b_customer": B2B_CUSTOMER, "b2c_customer": B2C_CUSTOMER}
