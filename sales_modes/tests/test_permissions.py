"""Who may read and write the app's records, and every desk script and report, each tested as a
user holding only the role concerned (never only as Administrator)."""

import frappe
from frappe.client import get_list, get_value, validate_link
from frappe.desk.form.load import getdoc
from frappe.desk.query_report import run
from frappe.desk.search import search_link
from frappe.utils import add_months, nowdate

from sales_modes.api import get_stage_readiness
from sales_modes.reports import SCRIPT_REPORTS
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import (
	get_company,
	make_customer,
	make_lead,
	make_opportunity,
	make_sales_invoice,
	make_user_with_roles,
)

USERS = {
	"Accounts User": "sm-perm-accounts@example.com",
	"Stock User": "sm-perm-stock@example.com",
	"Sales User": "sm-perm-rep@example.com",
	"Sales Manager": "sm-perm-manager@example.com",
	"System Manager": "sm-perm-admin@example.com",  # no sales role
}
# The script reports each role may run (their Report roles); the others are refused cleanly
SALES_REPORTS = set(SCRIPT_REPORTS) - {"Repeat Purchase by Mode"}
SCRIPT_REPORTS_BY_ROLE = {
	"Accounts User": {"Repeat Purchase by Mode"},
	"Stock User": set(),
	"Sales User": SALES_REPORTS,
	# Repeat Purchase reads Sales Invoices, which ERPNext does not let a Sales Manager read
	"Sales Manager": SALES_REPORTS,
	"System Manager": set(),
}
# Saved report-builder views open for whoever may report on their doctype
BUILDER_REPORTS_BY_ROLE = {
	"Accounts User": {"Customers by Sales Mode"},
	"Stock User": {"Customers by Sales Mode"},
	"Sales User": {"Customers by Sales Mode", "Opportunities by Sales Mode and Stage"},
	"Sales Manager": {"Customers by Sales Mode", "Opportunities by Sales Mode and Stage"},
	"System Manager": set(),
}


def open_form(doctype: str, name: str) -> dict:
	"""What the desk does to open a form: frappe.desk.form.load.getdoc."""
	frappe.response.docs = []
	getdoc(doctype, name)
	return frappe.response.docs[0]


class PermissionTestCase(SalesModesTestCase):
	def setUp(self):
		for role, user in USERS.items():
			make_user_with_roles(user, [role])

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def as_role(self, role: str) -> None:
		frappe.set_user(USERS[role])
		self.assertEqual(set(frappe.get_roles()) - {"All", "Guest", "Desk User"}, {role})


class TestSalesModePermissions(PermissionTestCase):
	def test_read_by_role_with_its_rows(self):
		expected = {
			"Accounts User": False,
			"Stock User": False,
			"Sales User": True,
			"Sales Manager": True,
			"System Manager": True,
		}
		shipped = frappe.get_doc("Sales Mode", "B2B")
		for role, can_read in expected.items():
			self.as_role(role)
			if not can_read:
				self.assertRaises(frappe.PermissionError, open_form, "Sales Mode", "B2B")
				self.assertRaises(
					frappe.PermissionError,
					get_list,
					"Stage Requirement",
					fields=["message"],
					parent="Sales Mode",
				)
				continue
			form = open_form("Sales Mode", "B2B")
			self.assertEqual(
				(len(form.stages), len(form.requirements), len(form.lead_requirements)),
				(len(shipped.stages), len(shipped.requirements), len(shipped.lead_requirements)),
				role,
			)
			rows = get_list(
				"Stage Requirement",
				fields=["message"],
				filters={"parent": "B2B", "parentfield": "requirements"},
				parent="Sales Mode",
				limit_page_length=0,
			)
			self.assertEqual(len(rows), len(shipped.requirements), role)

	def test_write_by_role_with_its_rows(self):
		expected = {
			"Accounts User": False,
			"Stock User": False,
			"Sales User": False,
			"Sales Manager": True,
			"System Manager": True,
		}
		for role, can_write in expected.items():
			self.as_role(role)
			mode = frappe.get_doc("Sales Mode", "B2C")
			mode.stages[0].guidance = f"Set by {role}"
			mode.append(
				"requirements",
				{
					"sales_stage": mode.stages[-1].sales_stage,
					"check_type": "Field Is Set",
					"fieldname": "contact_mobile",
					"message": "Add a mobile number.",
				},
			)
			if not can_write:
				self.assertRaises(frappe.PermissionError, mode.save)
				continue
			mode.save()
			self.assertEqual(
				frappe.db.get_value("Sales Mode Stage", mode.stages[0].name, "guidance"), f"Set by {role}"
			)
			self.assertTrue(
				frappe.db.exists("Stage Requirement", {"parent": "B2C", "fieldname": "contact_mobile"})
			)
			frappe.set_user("Administrator")
			frappe.db.rollback()

	def test_every_desk_role_may_select_a_mode(self):
		"""A sales_mode link sits on Customer, invoices and delivery notes: every desk role meets it."""
		for role in USERS:
			self.as_role(role)
			self.assertEqual(validate_link("Sales Mode", "B2B").name, "B2B", role)
			self.assertEqual({r["value"] for r in search_link("Sales Mode", "B2")}, {"B2B", "B2C"}, role)

	def test_frappe_db_get_value_is_what_failed_for_accounts_and_stock_users(self):
		"""The mode indicator used frappe.db.get_value, which needs read permission on Sales Mode."""
		for role in ("Accounts User", "Stock User"):
			self.as_role(role)
			with self.assertRaises(frappe.PermissionError) as raised:
				get_value("Sales Mode", "family", "B2B")
			self.assertIn("No permission for Sales Mode", str(raised.exception))


class TestDeskScripts(PermissionTestCase):
	def test_customer_form_opens_for_every_role_that_reads_customers(self):
		customer = make_customer("_SM Perm Corp", "Company")
		self.assertEqual(customer.sales_mode, "B2B")
		for role in ("Accounts User", "Stock User", "Sales User", "Sales Manager"):
			self.as_role(role)
			form = open_form("Customer", customer.name)
			# customer.js: the mode indicator reads the form's own value
			self.assertEqual(form.sales_mode, "B2B", role)

	def test_lead_form_indicator_for_every_role_that_reads_leads(self):
		lead = make_lead("_SM Perm Lead", "_SM Perm Lead Co")
		self.assertEqual(lead.sales_mode, "B2B")
		for role in ("Sales User", "Sales Manager", "System Manager"):
			self.as_role(role)
			form = open_form("Lead", lead.name)
			self.assertEqual(form.sales_mode, "B2B", role)
		for role in ("Accounts User", "Stock User"):  # ERPNext gives them no Lead
			self.as_role(role)
			self.assertRaises(frappe.PermissionError, open_form, "Lead", lead.name)

	def test_opportunity_form_readiness_for_sales_roles(self):
		opportunity = make_opportunity(make_customer("_SM Perm Deal Corp", "Company").name)
		for role in ("Sales User", "Sales Manager"):
			self.as_role(role)
			open_form("Opportunity", opportunity.name)
			readiness = get_stage_readiness(opportunity.name)
			self.assertEqual((readiness["sales_mode"], len(readiness["stages"])), ("B2B", 8), role)
			self.assertEqual(readiness["can_override"], role == "Sales Manager", role)
		for role in ("Accounts User", "Stock User", "System Manager"):
			self.as_role(role)
			self.assertRaises(frappe.PermissionError, get_stage_readiness, opportunity.name)

	def test_settings_form_opens_for_the_roles_that_read_it(self):
		for role in ("Sales User", "Sales Manager", "System Manager"):
			self.as_role(role)
			self.assertEqual(
				open_form("Sales Modes Settings", "Sales Modes Settings").override_role, "Sales Manager"
			)
		for role in ("Accounts User", "Stock User"):
			self.as_role(role)
			self.assertRaises(
				frappe.PermissionError, open_form, "Sales Modes Settings", "Sales Modes Settings"
			)

	def test_every_script_report_runs_for_the_roles_it_is_for_and_refuses_the_others(self):
		customer = make_customer("_SM Perm Report Corp", "Company").name
		make_opportunity(customer)
		make_sales_invoice(customer)
		make_sales_invoice(customer)
		# With rows, Frappe checks the reader may see every doctype the rows link to
		with_rows = {"Repeat Purchase by Mode", "Stage Funnel by Mode", "Sales Mode Comparison"}
		filters = {"company": get_company(), "from_date": add_months(nowdate(), -12), "to_date": nowdate()}
		for role, allowed in SCRIPT_REPORTS_BY_ROLE.items():
			self.as_role(role)
			for report in SCRIPT_REPORTS:
				if report in allowed:
					result = run(report, filters=dict(filters))
					self.assertIsInstance(result["result"], list, (role, report))
					if report in with_rows:
						self.assertTrue(result["result"], (role, report))
					self.assertTrue(result["columns"], (role, report))
				else:
					self.assertRaises(frappe.PermissionError, run, report, filters=dict(filters))

	def test_saved_report_builder_views_for_the_roles_that_report_on_their_doctype(self):
		customer = make_customer("_SM Perm View Corp", "Company").name
		make_opportunity(customer)
		views = {name: frappe.get_doc("Report", name) for name in BUILDER_REPORTS_BY_ROLE["Sales Manager"]}
		for role, allowed in BUILDER_REPORTS_BY_ROLE.items():
			self.as_role(role)
			for name, view in views.items():
				self.assertEqual(
					frappe.has_permission(view.ref_doctype, "report"), name in allowed, (role, name)
				)
				if name not in allowed:
					continue
				spec = frappe.parse_json(view.json)
				rows = frappe.get_list(
					view.ref_doctype,
					fields=[field for field, _doctype in spec["fields"]],
					filters=spec["filters"] + [[view.ref_doctype, "sales_mode", "=", "B2B"]],
					limit_page_length=0,
				)
				self.assertTrue(rows and all(row.sales_mode == "B2B" for row in rows), (role, name))


class TestDisqualificationReasonPermissions(PermissionTestCase):
	def test_read_for_sales_roles_write_for_managers(self):
		expected = {
			"Accounts User": (False, False),
			"Stock User": (False, False),
			"Sales User": (True, False),
			"Sales Manager": (True, True),
			"System Manager": (True, True),
		}
		reason = frappe.get_all("Disqualification Reason", pluck="name", limit=1)[0]
		for role, (can_read, can_write) in expected.items():
			self.as_role(role)
			if can_read:
				self.assertEqual(open_form("Disqualification Reason", reason).name, reason, role)
			else:
				self.assertRaises(frappe.PermissionError, open_form, "Disqualification Reason", reason)
			new = frappe.get_doc({"doctype": "Disqualification Reason", "reason": f"_SM Perm {role}"})
			if can_write:
				new.insert()
				self.assertTrue(frappe.db.exists("Disqualification Reason", new.name), role)
			else:
				self.assertRaises(frappe.PermissionError, new.insert)
