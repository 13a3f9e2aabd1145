"""Large scales, set-based: the same plan as scale 1, written with multi-row INSERTs.

Hundreds of thousands of documents cannot go through the document flow in minutes, so rows
are built in Python, chunk by chunk (never the whole set in memory), and written with
frappe.db.bulk_insert. Each deal carries the values the plan derived from the Sales Mode
records (what its stage, and its win or loss, ask for: see rules.py); what the flow derives is
computed by the app's own definitions: phase and probability from the pipeline, the family from
the Sales Mode record, the company-currency amount by the Opportunity validate's
`set_base_amount`, and each Stage Transition row by the live log's `transition_values`.
Invoices are submitted headers with one item row and no ledger entries: the reports read the
headers. All rows are owned by the demo user (see common.py), so `--clear` removes exactly these.
"""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.model import numeric_fieldtypes
from frappe.utils import add_days, flt, getdate

from sales_modes import sale_ledger
from sales_modes.backfill import Batching
from sales_modes.core.deal_states import OPEN, STAGE_CHANGE
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
	ensure_masters,
	get_company,
	no_progress,
	site_plan,
	territory,
)
from sales_modes.events.opportunity import set_base_amount
from sales_modes.follow import mark_sources
from sales_modes.gate import unmet_messages
from sales_modes.setup.indexes import add_indexes
from sales_modes.stage_log import transition_values

CHUNK = 10_000
MODES = (demo_plan.B2B, demo_plan.B2C)
LEAD_CONVERTED = "Converted"  # ERPNext's Lead status once a customer was made from the lead


class BulkGenerator:
	def __init__(self, plan: demo_plan.Plan, progress: Progress | None = None):
		self.plan = plan
		self.progress = progress or no_progress
		self.company = get_company()
		company = frappe.get_cached_doc("Company", self.company)
		self.currency = company.default_currency
		self.debit_to = company.default_receivable_account
		self.income_account = company.default_income_account
		self.cost_center = company.cost_center
		self.territory = territory()
		self.groups = {mode: customer_group(mode) for mode in MODES}
		# Opportunity.sales_mode_family is fetched from the Sales Mode record
		self.families = {mode: frappe.get_cached_value("Sales Mode", mode, "family") for mode in MODES}
		meta = frappe.get_meta("Opportunity")
		self.tables = {
			df.fieldname: (df.options, set(frappe.get_meta(df.options).get_valid_columns()))
			for df in meta.get_table_fields()
		}
		template = frappe.new_doc("Opportunity")
		template.currency = self.currency
		self.amount_precision = template.precision("base_opportunity_amount")
		self.counts: dict[str, int] = {}
		self.serial = 0
		# Called after each chunk is written: the CLI commits there, keeping transactions small
		self.after_chunk: Callable[[], None] | None = None

	def total_steps(self) -> int:
		counts = self.plan.counts
		return counts.leads + counts.customers * 2 + counts.opportunities

	def summary(self) -> dict[str, int]:
		return dict(self.counts)

	def run(self, with_indexes: bool = True) -> None:
		check_mode_map()
		ensure_demo_user()
		user = frappe.session.user
		frappe.set_user(DEMO_USER)
		try:
			ensure_masters(demo_plan.COMPETITORS)
		finally:
			frappe.set_user(user)
		self.customer_names = [self.plan.customer(i).customer_name for i in range(self.plan.counts.customers)]
		self.write("Lead", self.lead_rows())
		self.write("Customer", self.customer_rows())
		self.write_opportunities()
		self.write_invoices()
		# Whether each mode was inferred or chosen, by the upgrade's own set-based rule, in the
		# load's transaction (the caller commits; a test rolls it back)
		mark_sources(Batching(commit=False))
		# The invoices went in with SQL, past the hooks that keep the sale ledger
		sale_ledger.rebuild(commit=self.after_chunk is not None)
		# The reports' indexes, through the app's own setup: a site installed before a patch
		# added one still gets it; building them once after the load beats keeping them up row by row
		if with_indexes:  # DDL commits: not inside a test's transaction
			add_indexes()

	# Writing
	def base(self, name: str, at: datetime) -> dict:
		return {
			"name": name,
			"owner": DEMO_USER,
			"modified_by": DEMO_USER,
			"creation": at,
			"modified": at,
			"docstatus": 0,
			"idx": 0,
		}

	def child(self, parent: str, parenttype: str, parentfield: str, idx: int, at: datetime) -> dict:
		self.serial += 1
		return {
			**self.base(f"demo{self.serial:010d}", at),
			"parent": parent,
			"parenttype": parenttype,
			"parentfield": parentfield,
			"idx": idx,
		}

	def insert(self, doctype: str, rows: list[dict]) -> None:
		if not rows:
			return
		fields = list(rows[0])
		frappe.db.bulk_insert(
			doctype, fields, [tuple(row[f] for f in fields) for row in rows], chunk_size=CHUNK
		)
		self.counts[doctype] = self.counts.get(doctype, 0) + len(rows)
		if self.after_chunk:
			self.after_chunk()

	def write(self, doctype: str, rows: Iterator[dict]) -> None:
		chunk = []
		for row in rows:
			chunk.append(row)
			if len(chunk) >= CHUNK:
				self.insert(doctype, chunk)
				self.progress(len(chunk), _(doctype))
				chunk = []
		self.insert(doctype, chunk)
		self.progress(len(chunk), _(doctype))

	# Leads
	def lead_name(self, mode: str, index: int) -> str:
		return f"CRM-LEAD-DEMO-{mode}-{index + 1:07d}"

	def lead_rows(self) -> Iterator[dict]:
		plan = self.plan
		for mode, count in ((demo_plan.B2B, plan.b2b_lead_count()), (demo_plan.B2C, plan.b2c_lead_count())):
			for i in range(count):
				lead = plan.lead(mode, i)
				qualified = lead.outcome == "Qualified"
				disqualified = lead.outcome == "Disqualified"
				b2b = mode == demo_plan.B2B
				yield {
					**self.base(self.lead_name(mode, i), lead.created),
					"modified": lead.decided or lead.created,
					"naming_series": "CRM-LEAD-.YYYY.-",
					"first_name": lead.first_name,
					"last_name": lead.last_name,
					"lead_name": f"{lead.first_name} {lead.last_name}",
					"company_name": lead.company_name,
					"email_id": lead.email,
					"status": LEAD_CONVERTED if qualified else "Lead",
					"type": "Client",
					"company": self.company,
					"territory": self.territory,
					"source": "Campaign" if b2b else "Advertisement",
					"sales_mode": mode,
					"need_description": lead.need,
					"budget_status": (
						"No Budget" if lead.disqualification_reason == "No Budget" else "Confirmed"
					)
					if b2b
					else None,
					"budget_amount": lead.budget_amount,
					"decision_maker_known": 1 if b2b and qualified else 0,
					"purchase_timeline": lead.timeline,
					"qualification_status": "Qualified" if qualified else "Unqualified",
					"qualified_by": DEMO_USER if qualified else None,
					"qualified_on": lead.decided.date() if qualified else None,
					"disqualified": 1 if disqualified else 0,
					"disqualification_reason": lead.disqualification_reason,
					"disqualified_by": DEMO_USER if disqualified else None,
					"disqualified_on": lead.decided if disqualified else None,
				}

	# Customers
	def customer_rows(self) -> Iterator[dict]:
		for index in range(self.plan.counts.customers):
			customer = self.plan.customer(index)
			lead = self.lead_name(customer.mode, customer.lead) if customer.lead is not None else None
			yield {
				**self.base(customer.customer_name, customer.created),
				"naming_series": "CUST-.YYYY.-",
				"customer_name": customer.customer_name,
				"customer_type": customer.customer_type,
				"customer_group": self.groups[customer.mode],
				"territory": self.territory,
				"sales_mode": customer.mode,
				"lead_name": lead,
				"email_id": customer.email,
				"language": "en",
			}

	# Opportunities, their committee, lost reasons and stage log
	def opportunity_name(self, index: int) -> str:
		return f"CRM-OPP-DEMO-{index + 1:07d}"

	def write_opportunities(self) -> None:
		batches: dict[str, list[dict]] = {}
		for index in range(self.plan.counts.opportunities):
			opp = self.plan.opportunity(index)
			for doctype, row in self.opportunity_rows(opp):
				batches.setdefault(doctype, []).append(row)
			if len(batches["Opportunity"]) >= CHUNK:
				self.flush(batches)
		self.flush(batches)

	def flush(self, batches: dict[str, list[dict]]) -> None:
		# A deal carries the fields its stage asks for: one INSERT per table, the others left blank
		for doctype, rows in batches.items():
			columns = list(dict.fromkeys(column for row in rows for column in row))
			blank = {column: self.blank(doctype, column) for column in columns}
			self.insert(doctype, [{**blank, **row} for row in rows])
		self.progress(len(batches.get("Opportunity", [])), _("Opportunity"))
		batches.clear()

	def blank(self, doctype: str, fieldname: str) -> object:
		"""What a document leaves in a field it was not given: its default, or 0 for a number."""
		df = frappe.get_meta(doctype).get_field(fieldname)
		if df is None:
			return None
		if df.fieldtype in numeric_fieldtypes:
			return flt(df.default)
		return df.default or None

	def opportunity_rows(self, opp: demo_plan.Opportunity) -> Iterator[tuple[str, dict]]:
		"""The deal as the document flow leaves it: the plan's values, fields the app derives computed
		by the app's own definitions, and the stage log through the log's own row definition."""
		name = self.opportunity_name(opp.index)
		customer = self.plan.customer(opp.customer)
		pipeline = self.plan.pipelines[opp.mode]
		last = opp.steps[-1]
		stage = pipeline.stage(last.stage)
		values = opp.values
		scalars = {k: v for k, v in values.items() if not isinstance(v, list)}
		yield (
			"Opportunity",
			{
				**self.base(name, opp.created),
				"modified": opp.closed or last.at,
				"naming_series": "CRM-OPP-.YYYY.-",
				"opportunity_from": "Customer",
				"party_name": self.customer_names[opp.customer],
				"customer_name": customer.customer_name,
				"title": customer.customer_name,
				"status": opp.status,
				"opportunity_type": "Sales",
				"opportunity_owner": DEMO_USER,
				"sales_stage": last.stage,
				"sales_mode": opp.mode,
				"sales_mode_family": self.families[opp.mode],
				"buying_phase": stage.phase,
				"stage_entered_on": last.at,
				"probability": stage.probability or 0,
				"transaction_date": opp.created.date(),
				# Won and lost deals carry their close date, as the server sets it at the close
				"closed_on": opp.closed.date() if opp.closed else None,
				"currency": self.currency,
				"conversion_rate": 1,
				"company": self.company,
				"territory": self.territory,
				"customer_group": self.groups[opp.mode],
				"language": "en",
				**scalars,
				"base_opportunity_amount": self.base_amount(scalars.get("opportunity_amount")),
			},
		)
		for table, rows in values.items():
			if not isinstance(rows, list):
				continue
			doctype, columns = self.tables[table]
			at = self.first_written(opp, table)
			for idx, row in enumerate(rows, 1):
				yield (
					doctype,
					{
						**self.child(name, "Opportunity", table, idx, at),
						**{k: v for k, v in row.items() if k in columns},
					},
				)
		yield from self.transition_rows(name, opp, pipeline)

	def first_written(self, opp: demo_plan.Opportunity, fieldname: str) -> datetime:
		for step in opp.steps:
			if step.values.get(fieldname):
				return step.at
		return opp.closed or opp.steps[-1].at

	def base_amount(self, amount) -> float:
		"""The company-currency amount, by the Opportunity validate's own rule."""
		doc = frappe._dict(
			opportunity_amount=amount, conversion_rate=1, precision=lambda _f: self.amount_precision
		)
		set_base_amount(doc)
		return doc.base_opportunity_amount

	def transition_rows(self, name: str, opp: demo_plan.Opportunity, pipeline) -> Iterator[tuple[str, dict]]:
		"""A Stage Change per stage entered and a Won or Lost on closing, as the live log writes them."""
		previous = None
		for step in opp.steps:
			yield self.transition(
				step.at,
				opportunity=name,
				sales_mode=opp.mode,
				status=OPEN,
				event=STAGE_CHANGE,
				from_stage=previous.stage if previous else None,
				to_stage=step.stage,
				pipeline=pipeline,
				# a new deal left no stage: the log's Float column stores that as 0
				days_in_previous_stage=days_between(previous.at, step.at) if previous else 0,
				overridden=step.overridden,
				override_reason=demo_plan.OVERRIDE_REASON if step.overridden else None,
				unmet=unmet_messages(step.unmet),
			)
			previous = step
		if opp.event:
			yield self.transition(
				opp.closed,
				opportunity=name,
				sales_mode=opp.mode,
				status=opp.status,
				event=opp.event,
				from_stage=previous.stage,
				to_stage=previous.stage,
				pipeline=pipeline,
				days_in_previous_stage=days_between(previous.at, opp.closed),
			)

	def transition(self, at: datetime, **fields) -> tuple[str, dict]:
		self.serial += 1
		row = transition_values(transitioned_on=at, user=DEMO_USER, **fields)
		return "Stage Transition", {**self.base(f"demost{self.serial:010d}", at), **row}

	# Invoices
	def write_invoices(self) -> None:
		headers, items = [], []
		number = 0
		for index in range(self.plan.counts.customers):
			customer_name = self.customer_names[index]
			for invoice in self.plan.invoices_for_customer(index):
				number += 1
				header, item = self.invoice_rows(number, customer_name, invoice)
				headers.append(header)
				items.append(item)
			if len(headers) >= CHUNK:
				self.insert("Sales Invoice", headers)
				self.insert("Sales Invoice Item", items)
				self.progress(0, _("Sales Invoice"))
				headers, items = [], []
			self.progress(1, _("Sales Invoice"))
		self.insert("Sales Invoice", headers)
		self.insert("Sales Invoice Item", items)

	def invoice_rows(self, number: int, customer_name: str, invoice: demo_plan.Invoice) -> tuple[dict, dict]:
		name = f"ACC-SINV-DEMO-{number:08d}"
		at = datetime.combine(invoice.posting_date, datetime.min.time()) + timedelta(hours=12)
		b2b = invoice.mode == demo_plan.B2B
		due = add_days(invoice.posting_date, 30 if b2b else 0)
		paid = not b2b or (self.plan.today - invoice.posting_date).days > 45
		amount = invoice.amount
		header = {
			**self.base(name, at),
			"docstatus": 1,
			"naming_series": "ACC-SINV-.YYYY.-",
			"title": customer_name,
			"customer": customer_name,
			"customer_name": customer_name,
			"company": self.company,
			"posting_date": invoice.posting_date,
			"posting_time": "12:00:00",
			"set_posting_time": 1,
			"due_date": due,
			"is_pos": 1 if invoice.is_pos else 0,
			"is_return": 0,
			"currency": self.currency,
			"conversion_rate": 1,
			"selling_price_list": "Standard Selling",
			"price_list_currency": self.currency,
			"plc_conversion_rate": 1,
			"total_qty": 1,
			"base_total": amount,
			"total": amount,
			"base_net_total": amount,
			"net_total": amount,
			"base_grand_total": amount,
			"grand_total": amount,
			"base_rounded_total": amount,
			"rounded_total": amount,
			"outstanding_amount": 0 if paid else amount,
			"paid_amount": amount if invoice.is_pos else 0,
			"base_paid_amount": amount if invoice.is_pos else 0,
			"status": "Paid" if paid else ("Overdue" if getdate(due) < self.plan.today else "Unpaid"),
			"debit_to": self.debit_to,
			"territory": self.territory,
			"customer_group": self.groups[invoice.mode],
			"sales_mode": invoice.mode,
			"language": "en",
		}
		item_code = B2B_ITEM if b2b else B2C_ITEM
		item = {
			**self.child(name, "Sales Invoice", "items", 1, at),
			"docstatus": 1,
			"item_code": item_code,
			"item_name": item_code,
			"description": item_code,
			"qty": 1,
			"stock_qty": 1,
			"uom": "Nos",
			"stock_uom": "Nos",
			"conversion_factor": 1,
			"rate": amount,
			"amount": amount,
			"base_rate": amount,
			"base_amount": amount,
			"net_rate": amount,
			"net_amount": amount,
			"base_net_rate": amount,
			"base_net_amount": amount,
			"income_account": self.income_account,
			"cost_center": self.cost_center,
		}
		return header, item


def generate(
	seed: int = 42, scale: float = 2, progress: Progress | None = None, with_indexes=True
) -> dict[str, int]:
	generator = BulkGenerator(site_plan(seed=seed, scale=scale), progress)
	generator.run(with_indexes=with_indexes)
	return generator.summary()
