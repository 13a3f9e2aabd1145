"""Scale 1 through the real document flow: every gate, hook and ERPNext mapper runs.

Leads are qualified through the lead gate or disqualified with a reason; qualified leads become
customers (with their buying committee as contacts); deals walk their pipeline one save per
stage (a few B2B moves forced through with a manager's override reason); won deals become a
submitted Quotation, Sales Order and Sales Invoice(s) through ERPNext's own mappers, lost ones
are declared lost with reasons and competitors. Everything runs as the demo user (see
common.py). Afterwards the timestamps are moved back to the planned dates with a few UPDATEs, so
cycles look as they do in life (weeks to months for B2B, minutes to days for B2C).
"""

from collections.abc import Callable

import frappe
from frappe import _
from frappe.utils import add_days, flt, getdate

from sales_modes.demo import plan as demo_plan
from sales_modes.demo.common import (
	B2B_ITEM,
	B2C_ITEM,
	DEMO_USER,
	check_mode_map,
	customer_group,
	ensure_demo_user,
	ensure_fiscal_years,
	ensure_masters,
	get_company,
	territory,
)

Progress = Callable[[int, str], None]

ROI_SUMMARY = "Payback in under a year from lower operating costs; the buyer's finance team agreed the model."
OVERRIDE_REASON = "Manager approved: the buyer confirmed this by phone, paperwork follows."


class RealFlowGenerator:
	def __init__(self, plan: demo_plan.Plan, progress: Progress | None = None):
		self.plan = plan
		self.progress = progress or (lambda n, label: None)
		self.company = get_company()
		self.currency = frappe.get_cached_value("Company", self.company, "default_currency")
		self.territory = territory()
		self.leads: dict[tuple[str, int], str] = {}
		self.customers: dict[int, str] = {}
		self.contacts: dict[int, list[dict]] = {}
		self.opportunities: dict[int, str] = {}
		self.orders: dict[int, str] = {}
		self.quotations: dict[str, object] = {}

	def summary(self) -> dict[str, int]:
		from sales_modes.demo.clear import count_demo_records

		return {
			doctype: n for doctype, n in count_demo_records().items() if n and not doctype.startswith("_")
		}

	def total_steps(self) -> int:
		counts = self.plan.counts
		return counts.leads + counts.customers + counts.opportunities + counts.customers + 1

	def run(self) -> None:
		check_mode_map()
		ensure_fiscal_years(self.plan.start.date(), self.plan.today)
		ensure_demo_user()
		user = frappe.session.user
		frappe.set_user(DEMO_USER)
		try:
			ensure_masters(demo_plan.COMPETITORS)
			self.make_leads()
			self.make_customers()
			self.make_opportunities()
			self.make_invoices()
			self.progress(1, _("Dating the history"))
			self.backdate()
		finally:
			frappe.set_user(user)

	# Leads
	def make_leads(self) -> None:
		for mode, count in (
			(demo_plan.B2B, self.plan.b2b_lead_count()),
			(demo_plan.B2C, self.plan.b2c_lead_count()),
		):
			for i in range(count):
				lead = self.plan.lead(mode, i)
				self.leads[(mode, i)] = self.make_lead(lead)
				self.progress(1, _("Leads"))

	def make_lead(self, lead: demo_plan.Lead) -> str:
		b2b = lead.mode == demo_plan.B2B
		doc = frappe.get_doc(
			{
				"doctype": "Lead",
				"first_name": lead.first_name,
				"last_name": lead.last_name,
				"company_name": lead.company_name,
				"email_id": lead.email,
				"company": self.company,
				"territory": self.territory,
				"source": "Campaign" if b2b else "Advertisement",
				"need_description": lead.need,
				"budget_status": ("No Budget" if lead.disqualification_reason == "No Budget" else "Confirmed")
				if b2b
				else None,
				"budget_amount": lead.budget_amount if b2b else 0,
				"decision_maker_known": 1 if b2b and lead.outcome == "Qualified" else 0,
				"purchase_timeline": lead.timeline,
			}
		)
		doc.insert(ignore_permissions=True)
		if lead.outcome == "Qualified":
			doc.qualification_status = "Qualified"
			doc.save(ignore_permissions=True)
		elif lead.outcome == "Disqualified":
			doc.disqualified = 1
			doc.disqualification_reason = lead.disqualification_reason
			doc.disqualification_note = _("Found out in the first call.")
			doc.save(ignore_permissions=True)
		return doc.name

	# Customers and their contacts
	def make_customers(self) -> None:
		for index in range(self.plan.counts.customers):
			customer = self.plan.customer(index)
			lead = self.leads.get((customer.mode, customer.lead)) if customer.lead is not None else None
			doc = frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": customer.customer_name,
					"customer_type": customer.customer_type,
					"customer_group": customer_group(customer.mode),
					"territory": self.territory,
					"lead_name": lead,
				}
			).insert(ignore_permissions=True)
			self.customers[index] = doc.name
			members = customer.committee or [
				{
					"first_name": customer.customer_name.rsplit(" ", 1)[0],
					"last_name": "",
					"email": customer.email,
				}
			]
			self.contacts[index] = [self.make_contact(doc.name, member) for member in members]
			self.progress(1, _("Customers"))

	def make_contact(self, customer: str, member: dict) -> dict:
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": member["first_name"],
				"last_name": member.get("last_name"),
				"email_ids": [{"email_id": member["email"], "is_primary": 1}],
				"links": [{"link_doctype": "Customer", "link_name": customer}],
			}
		).insert(ignore_permissions=True)
		return {**member, "contact": contact.name, "full_name": contact.full_name or member["first_name"]}

	# Opportunities
	def make_opportunities(self) -> None:
		for index in range(self.plan.counts.opportunities):
			opp = self.plan.opportunity(index)
			self.opportunities[index] = self.walk_pipeline(opp)
			self.progress(1, _("Opportunities"))

	def walk_pipeline(self, opp: demo_plan.Opportunity) -> str:
		customer = self.customers[opp.customer]
		contacts = self.contacts[opp.customer]
		doc = frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Customer",
				"party_name": customer,
				"company": self.company,
				"currency": self.currency,
				"transaction_date": opp.created.date(),
				"sales_stage": opp.steps[0].stage,
				"opportunity_type": "Sales",
				"opportunity_owner": DEMO_USER,
				"purchase_driver": opp.purchase_driver,
				"contact_person": contacts[0]["contact"],
				"contact_email": contacts[0]["email"] if opp.mode == demo_plan.B2C else None,
				# B2B reps put an estimate on a deal from the start; consumers name a price at the end
				"opportunity_amount": opp.amount if opp.mode == demo_plan.B2B else 0,
			}
		)
		self.set_base_amount(doc)
		doc.insert(ignore_permissions=True)
		pending: list[str] = []
		for step in opp.steps[1:]:
			doc.sales_stage = step.stage
			fields = [] if step.overridden else [demo_plan.B2B_STAGE_FIELDS.get(step.stage)]
			for field in pending + fields:
				self.fill_requirement(doc, opp, field, contacts)
			if opp.mode == demo_plan.B2C and step.stage == "Negotiation/Review":
				doc.opportunity_amount = opp.amount
			pending = [demo_plan.B2B_STAGE_FIELDS[step.stage]] if step.overridden else []
			doc.gate_override_reason = OVERRIDE_REASON if step.overridden else None
			self.save(doc)
		if opp.outcome == "Won":
			self.win(doc, opp)
		elif opp.outcome == "Lost":
			reasons = [{"lost_reason": opp.lost_reason}]
			competitors = [{"competitor": opp.competitor}] if opp.competitor else []
			doc.reload()
			doc.declare_enquiry_lost(reasons, competitors, _("Told us on the last call."))
		return doc.name

	def set_base_amount(self, doc) -> None:
		"""ERPNext sets base_opportunity_amount only in the desk form's script: do what it does."""
		doc.base_opportunity_amount = flt(doc.opportunity_amount) * flt(doc.conversion_rate or 1)

	def save(self, doc) -> None:
		self.set_base_amount(doc)
		doc.save(ignore_permissions=True)

	def fill_requirement(
		self, doc, opp: demo_plan.Opportunity, field: str | None, contacts: list[dict]
	) -> None:
		"""Fill what the stage asks for: the rep does the work the gate expects."""
		if field == "contact_email":
			doc.contact_email = contacts[0]["email"]
		elif field == "need_description":
			doc.need_description = frappe.db.get_value(
				"Lead", {"name": self.lead_of(opp)}, "need_description"
			) or _("Replace spreadsheets with one system.")
		elif field == "value_driver":
			doc.value_driver = opp.value_driver
		elif field == "buying_committee":
			if not doc.buying_committee:
				for member in contacts:
					doc.append(
						"buying_committee",
						{
							"contact": member["contact"],
							"full_name": member["full_name"],
							"decision_role": member["role"],
							"stance": member["stance"],
							"engaged": 0,
						},
					)
		elif field == "budget_confirmed":
			doc.budget_confirmed = 1
			doc.budget_amount = opp.amount
			doc.roi_summary = ROI_SUMMARY
		elif field == "expected_closing":
			doc.expected_closing = opp.expected_closing
			doc.opportunity_amount = opp.amount
		elif field == "engaged":
			for row, member in zip(doc.buying_committee, contacts, strict=False):
				row.engaged = member["engaged"]

	def lead_of(self, opp: demo_plan.Opportunity) -> str | None:
		customer = self.plan.customer(opp.customer)
		return self.leads.get((customer.mode, customer.lead)) if customer.lead is not None else None

	def item_code(self, mode: str) -> str:
		return B2B_ITEM if mode == demo_plan.B2B else B2C_ITEM

	def win(self, doc, opp: demo_plan.Opportunity) -> None:
		"""Quotation -> Sales Order through ERPNext's mappers; the order marks the deal Converted."""
		from erpnext.crm.doctype.opportunity.opportunity import make_quotation
		from erpnext.selling.doctype.quotation.quotation import make_sales_order

		closed = opp.closed.date()
		quotation = make_quotation(doc.name)
		quotation.transaction_date = closed
		# ERPNext refuses to order an expired quotation: valid until today now, dated back later
		quotation.valid_till = add_days(getdate(), 30)
		quotation.set("items", [])
		quotation.append("items", {"item_code": self.item_code(opp.mode), "qty": 1, "rate": opp.amount})
		quotation.insert(ignore_permissions=True)
		quotation.flags.ignore_permissions = True
		quotation.submit()
		order = make_sales_order(quotation.name)
		order.transaction_date = closed
		order.delivery_date = add_days(closed, 14 if opp.mode == demo_plan.B2B else 2)
		for row in order.items:
			row.delivery_date = order.delivery_date
		order.insert(ignore_permissions=True)
		order.flags.ignore_permissions = True
		order.submit()
		self.orders[opp.index] = order.name
		self.quotations[quotation.name] = add_days(closed, 30)

	# Invoices: the deals' (from their orders) and every other purchase
	def make_invoices(self) -> None:
		from erpnext.selling.doctype.sales_order.sales_order import make_sales_invoice

		for index in range(self.plan.counts.customers):
			for invoice in self.plan.invoices_for_customer(index):
				if invoice.opportunity is not None and invoice.opportunity in self.orders:
					doc = make_sales_invoice(self.orders[invoice.opportunity])
					for row in doc.items:
						row.qty, row.rate = 1, invoice.amount
				else:
					doc = frappe.get_doc(
						{
							"doctype": "Sales Invoice",
							"customer": self.customers[index],
							"items": [
								{"item_code": self.item_code(invoice.mode), "qty": 1, "rate": invoice.amount}
							],
						}
					)
				self.submit_invoice(doc, invoice)
			self.progress(1, _("Invoices"))

	def submit_invoice(self, doc, invoice: demo_plan.Invoice) -> None:
		doc.company = self.company
		doc.set_posting_time = 1
		doc.posting_date = invoice.posting_date
		doc.due_date = add_days(invoice.posting_date, 30 if invoice.mode == demo_plan.B2B else 0)
		if invoice.is_pos:
			doc.is_pos = 1
			doc.flags.ignore_pos_profile = True
			doc.set("payments", [])
			doc.append("payments", {"mode_of_payment": "Cash", "amount": invoice.amount, "default": 1})
		doc.insert(ignore_permissions=True)
		if invoice.is_pos and doc.payments:
			doc.payments[0].amount = doc.rounded_total or doc.grand_total
			doc.paid_amount = doc.payments[0].amount
			doc.save(ignore_permissions=True)
		doc.flags.ignore_permissions = True
		doc.submit()

	# Move the history to the planned dates
	def backdate(self) -> None:
		for (mode, i), name in self.leads.items():
			lead = self.plan.lead(mode, i)
			values = {"creation": lead.created, "modified": lead.decided or lead.created}
			if lead.outcome == "Qualified":
				values["qualified_on"] = lead.decided.date()
			elif lead.outcome == "Disqualified":
				values["disqualified_on"] = lead.decided
			frappe.db.set_value("Lead", name, values, update_modified=False)
		for index, name in self.customers.items():
			created = self.plan.customer(index).created
			frappe.db.set_value(
				"Customer", name, {"creation": created, "modified": created}, update_modified=False
			)
		for index, name in self.opportunities.items():
			self.backdate_opportunity(name, self.plan.opportunity(index))
		for name, valid_till in self.quotations.items():
			frappe.db.set_value("Quotation", name, "valid_till", valid_till, update_modified=False)

	def backdate_opportunity(self, name: str, opp: demo_plan.Opportunity) -> None:
		rows = frappe.get_all(
			"Stage Transition",
			filters={"opportunity": name},
			fields=["name", "event"],
			order_by="creation asc",
		)
		stage_times = [step.at for step in opp.steps]
		last = opp.closed or stage_times[-1]
		previous, i = None, 0
		for row in rows:
			if row.event == "Stage Change" and i < len(stage_times):
				at = stage_times[i]
				i += 1
			else:
				at = last
			# days in the stage left (stage change) or spent so far in the stage (status event)
			since = previous if row.event == "Stage Change" else stage_times[max(i - 1, 0)]
			days = flt((at - since).total_seconds() / 86400, 2) if since else 0
			frappe.db.set_value(
				"Stage Transition",
				row.name,
				{"transitioned_on": at, "days_in_previous_stage": days, "creation": at, "modified": at},
				update_modified=False,
			)
			if row.event == "Stage Change":
				previous = at
		frappe.db.set_value(
			"Opportunity",
			name,
			{
				"creation": opp.created,
				"modified": last,
				"stage_entered_on": stage_times[-1],
				"transaction_date": opp.created.date(),
			},
			update_modified=False,
		)


def generate(seed: int = 42, scale: float = 1, progress: Progress | None = None, today=None) -> dict:
	plan = demo_plan.Plan(seed=seed, scale=scale, today=getdate(today) if today else None)
	generator = RealFlowGenerator(plan, progress)
	generator.run()
	return {
		"leads": len(generator.leads),
		"customers": len(generator.customers),
		"opportunities": len(generator.opportunities),
	}
