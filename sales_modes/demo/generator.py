"""Scale 1 through the real document flow: every gate, hook and ERPNext mapper runs.

Leads are qualified through the lead gate or disqualified with a reason; qualified leads become
customers (with their buying committee as contacts); deals walk their pipeline one save per
stage (a few B2B moves forced through with a manager's override reason); won deals become a
submitted Quotation, Sales Order and Sales Invoice(s) through ERPNext's own mappers, lost ones
are declared lost with reasons and competitors. Everything runs as the demo user (see
common.py). Afterwards the timestamps are moved back to the planned dates with a few UPDATEs, so
cycles look as they do in life (weeks to months for B2B, minutes to days for B2C).
"""

import frappe
from frappe import _
from frappe.utils import add_days, getdate

from sales_modes.core.deal_states import LOST_EVENT, STAGE_CHANGE, WON
from sales_modes.demo import plan as demo_plan
from sales_modes.demo.common import (
	B2B_ITEM,
	B2C_ITEM,
	DEMO_USER,
	Progress,
	check_mode_map,
	customer_group,
	days_between,
	ensure_demo_user,
	ensure_fiscal_years,
	ensure_masters,
	get_company,
	no_progress,
	site_plan,
	territory,
)


class RealFlowGenerator:
	def __init__(self, plan: demo_plan.Plan, progress: Progress | None = None):
		self.plan = plan
		self.progress = progress or no_progress
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
		"""One save per stage with what the plan says the deal carries there; the app's own
		validate sets the rest (mode, phase, probability, stage entry, base amount) and logs."""
		contacts = self.contacts[opp.customer]
		first = opp.steps[0]
		doc = frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Customer",
				"party_name": self.customers[opp.customer],
				"company": self.company,
				"currency": self.currency,
				"transaction_date": opp.created.date(),
				"sales_stage": first.stage,
				"opportunity_type": "Sales",
				"opportunity_owner": DEMO_USER,
				"contact_person": contacts[0]["contact"],
			}
		)
		self.record(doc, {}, first.values, contacts)
		doc.insert(ignore_permissions=True)
		current = first.values
		for step in opp.steps[1:]:
			self.record(doc, current, step.values, contacts)
			doc.sales_stage = step.stage
			doc.gate_override_reason = demo_plan.OVERRIDE_REASON if step.overridden else None
			doc.save(ignore_permissions=True)
			current = step.values
		if opp.event == WON:
			if self.record(doc, current, opp.closing, contacts):
				doc.save(ignore_permissions=True)
			self.win(doc, opp)
		elif opp.event == LOST_EVENT:
			# ERPNext's "declare lost" writes the reasons, the competitors and the note itself
			written_by_erpnext = demo_plan.CLOSING_FIELDS[LOST_EVENT]
			rest = {k: v for k, v in opp.closing.items() if k not in written_by_erpnext}
			if self.record(doc, current, rest, contacts):
				doc.save(ignore_permissions=True)
			doc.reload()
			doc.declare_enquiry_lost(
				opp.closing["lost_reasons"], opp.closing["competitors"], opp.closing["order_lost_reason"]
			)
		return doc.name

	def record(self, doc, current: dict, values: dict, contacts: list[dict]) -> bool:
		"""Write on the deal what changed since `current`: the rep does the work the gate expects."""
		contact_of = {member["email"]: member["contact"] for member in contacts}
		changed = False
		for fieldname, value in values.items():
			if current.get(fieldname) == value:
				continue
			if isinstance(value, list):
				# a committee member's row points at their Contact
				value = [
					{
						**{k: v for k, v in row.items() if k != "email"},
						"contact": contact_of.get(row.get("email")),
					}
					if "email" in row
					else row
					for row in value
				]
			doc.set(fieldname, value)
			changed = True
		return changed

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
			if row.event == STAGE_CHANGE and i < len(stage_times):
				at = stage_times[i]
				i += 1
			else:
				at = last
			# days in the stage left (stage change) or spent so far in the stage (status event)
			since = previous if row.event == STAGE_CHANGE else stage_times[max(i - 1, 0)]
			days = days_between(since, at) if since else 0  # a new deal left no stage
			frappe.db.set_value(
				"Stage Transition",
				row.name,
				{"transitioned_on": at, "days_in_previous_stage": days, "creation": at, "modified": at},
				update_modified=False,
			)
			if row.event == STAGE_CHANGE:
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
	plan = site_plan(seed=seed, scale=scale, today=getdate(today) if today else None)
	generator = RealFlowGenerator(plan, progress)
	generator.run()
	return {
		"leads": len(generator.leads),
		"customers": len(generator.customers),
		"opportunities": len(generator.opportunities),
	}
