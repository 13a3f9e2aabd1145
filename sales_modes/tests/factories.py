"""Factories for bench tests: real documents through ERPNext's own validation."""

import frappe
from frappe.utils import add_days, nowdate

TEST_ITEM = "_Sales Modes Test Item"


def get_company() -> str:
	return frappe.db.get_single_value("Global Defaults", "default_company") or frappe.db.get_value(
		"Company", {}, "name"
	)


def make_item(item_code: str = TEST_ITEM) -> str:
	if not frappe.db.exists("Item", item_code):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": item_code,
				"item_name": item_code,
				"item_group": frappe.db.get_value("Item Group", {"is_group": 0}, "name") or "All Item Groups",
				"stock_uom": "Nos",
				"is_stock_item": 0,
				"include_item_in_manufacturing": 0,
			}
		).insert(ignore_permissions=True)
	return item_code


def make_customer(name: str, customer_type: str = "Company", **kwargs) -> frappe.model.document.Document:
	if frappe.db.exists("Customer", name):
		frappe.delete_doc("Customer", name, force=True)
	return frappe.get_doc(
		{"doctype": "Customer", "customer_name": name, "customer_type": customer_type, **kwargs}
	).insert(ignore_permissions=True)


def make_lead(first_name: str, company_name: str | None = None, **kwargs):
	return frappe.get_doc(
		{"doctype": "Lead", "first_name": first_name, "company_name": company_name, **kwargs}
	).insert(ignore_permissions=True)


def make_prospect(company_name: str, **kwargs):
	if frappe.db.exists("Prospect", company_name):
		frappe.delete_doc("Prospect", company_name, force=True)
	return frappe.get_doc({"doctype": "Prospect", "company_name": company_name, **kwargs}).insert(
		ignore_permissions=True
	)


def make_opportunity(party_name: str, opportunity_from: str = "Customer", **kwargs):
	return frappe.get_doc(
		{
			"doctype": "Opportunity",
			"opportunity_from": opportunity_from,
			"party_name": party_name,
			"company": get_company(),
			"transaction_date": nowdate(),
			**kwargs,
		}
	).insert()


def item_row(rate: float = 100, qty: float = 1) -> dict:
	return {"item_code": make_item(), "qty": qty, "rate": rate}


def make_quotation(party_name: str, quotation_to: str = "Customer", submit: bool = False, **kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Quotation",
			"quotation_to": quotation_to,
			"party_name": party_name,
			"company": get_company(),
			"transaction_date": nowdate(),
			"valid_till": add_days(nowdate(), 30),
			"items": [item_row()],
			**kwargs,
		}
	).insert()
	if submit:
		doc.submit()
	return doc


def make_sales_invoice(customer: str, submit: bool = True, rate: float = 100, **kwargs):
	doc = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer,
			"company": get_company(),
			"posting_date": kwargs.pop("posting_date", nowdate()),
			"set_posting_time": 1,
			"due_date": kwargs.pop("due_date", add_days(nowdate(), 30)),
			"items": [item_row(rate)],
			**kwargs,
		}
	)
	doc.insert()
	if submit:
		doc.submit()
	return doc


def make_user(email: str, roles: list[str]) -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		)
		user.insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.add_roles(*roles)
	return email


def committee_member(role: str, engaged: int = 1, name: str | None = None) -> dict:
	return {"full_name": name or role, "decision_role": role, "stance": "Supporter", "engaged": engaged}


def qualified_b2b_values(**overrides) -> dict:
	"""Everything the default B2B pipeline asks for, up to Negotiation/Review."""
	return {
		"contact_email": "buyer@example.com",
		"need_description": "Cut warehouse picking errors",
		"value_driver": "Cost Saving",
		"buying_committee": [committee_member("Economic Buyer"), committee_member("Technical Evaluator", 0)],
		"budget_confirmed": 1,
		"roi_summary": "Payback in 9 months",
		"expected_closing": add_days(nowdate(), 30),
		"opportunity_amount": 50000,
		**overrides,
	}


def convert_to_sales_order(opportunity_name: str):
	"""ERPNext's own flow: Opportunity -> submitted Quotation -> submitted Sales Order."""
	from erpnext.crm.doctype.opportunity.opportunity import make_quotation as quotation_from_opportunity
	from erpnext.selling.doctype.quotation.quotation import make_sales_order

	quotation = quotation_from_opportunity(opportunity_name)
	quotation.transaction_date = nowdate()
	quotation.valid_till = add_days(nowdate(), 30)
	quotation.append("items", item_row())
	quotation.insert()
	quotation.submit()
	order = make_sales_order(quotation.name)
	order.delivery_date = add_days(nowdate(), 7)
	order.insert()
	order.submit()
	return quotation, order


def make_user_with_roles(email: str, roles: list[str]) -> str:
	"""A desk user holding exactly these roles (plus All, Guest and Desk User, which Frappe gives
	every desk user): a permission is tested as the role it concerns, not as a pile of roles."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.set("roles", [{"role": role} for role in roles])
	user.save(ignore_permissions=True)
	return email


def transitions(opportunity: str, **filters) -> list[dict]:
	"""The Stage Transition rows of an opportunity, oldest first."""
	return frappe.get_all(
		"Stage Transition",
		filters={"opportunity": opportunity, **filters},
		fields=["*"],
		order_by="creation asc, transitioned_on asc",
	)


def lost_reason(name: str = "_SM Too Expensive") -> str:
	if not frappe.db.exists("Opportunity Lost Reason", name):
		frappe.get_doc({"doctype": "Opportunity Lost Reason", "lost_reason": name}).insert()
	return name


def gate_refusal(doc) -> str:
	"""The gate's message when saving `doc` is refused; an AssertionError when it is saved."""
	from sales_modes.gate import StageGateError

	try:
		doc.save()
	except StageGateError as refused:
		return str(refused)
	raise AssertionError(f"{doc.doctype} {doc.name} was saved: the gate should have refused it")


def login_sid(user: str) -> str:
	"""A committed session of `user`, for REST calls made through FrappeAPITestCase."""
	from frappe.auth import CookieManager, LoginManager
	from frappe.utils import set_request

	set_request(path="/")
	frappe.local.cookie_manager = CookieManager()
	frappe.local.login_manager = LoginManager()
	frappe.local.login_manager.login_as(user)
	sid = frappe.session.sid
	frappe.db.commit()  # nosemgrep: the session must be visible to the API's connection
	frappe.set_user("Administrator")
	return sid
