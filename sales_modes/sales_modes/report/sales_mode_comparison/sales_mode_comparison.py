# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""Leads, pipeline, won deals and invoicing of each sales mode side by side: one row per mode, or
(layout "Metrics as Rows") one row per metric with a column per mode and the difference."""

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Count, Sum
from frappe.utils import fmt_money
from pypika.terms import ExistsCriterion

from sales_modes.core.deal_states import CONVERTED, LOST
from sales_modes.core.metrics import percent, ratio
from sales_modes.reports import (
	apply_filters,
	chart_or_none,
	get_filters,
	get_message,
	get_modes,
	histogram_percentile,
	mode_label,
	report_notes,
	won_cycle_histograms,
)

# The doctypes whose figures the report shows
READS = ("Lead", "Opportunity", "Sales Invoice")
FIGURES = (
	"leads", "qualified_leads", "disqualified_leads", "opportunities", "won", "lost", "won_amount",
	"committee_members", "customers", "new_customers", "repeat_customers", "invoices", "revenue",
)  # fmt: skip


METRICS_AS_ROWS = "Metrics as Rows"
# Shown to a decimal: rates in percent, days, committee sizes
PRECISION = {"Percent": 1, "Float": 1}


def header_width(label: str) -> int:
	"""Pixels a datatable header needs for label: wide (CJK) characters count double."""
	units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in label)
	return 8 * units + 40


def execute(filters=None):
	report = SalesModeComparison(filters)
	columns, data, message, chart, summary = report.run()
	if report.filters.get("layout") == METRICS_AS_ROWS:
		columns, data = report.transpose(columns, data)
	return columns, data, message, chart, summary


class SalesModeComparison:
	def __init__(self, filters=None):
		self.filters = get_filters(filters)
		self.currency = frappe.get_cached_value("Company", self.filters.company, "default_currency")

	def run(self):
		figures = self.get_figures()
		cycles = won_cycle_histograms(self.filters)
		has_data = any(any(f.values()) for f in figures.values())
		modes = get_modes(self.filters)
		if None in figures and None not in modes and not self.filters.sales_mode:
			modes.append(None)
		data = (
			[self.make_row(mode, figures.get(mode, {}), cycles.get(mode)) for mode in modes]
			if has_data
			else []
		)
		return (
			self.get_columns(),
			data,
			get_message(report_notes(self.filters, READS), has_data),
			self.get_chart(data),
			self.get_summary(data),
		)

	def get_figures(self) -> dict[str | None, dict[str, float]]:
		figures: dict[str | None, dict[str, float]] = {}
		for rows in (
			self.lead_figures(),
			self.opportunity_figures(),
			self.committee_figures(),
			self.invoice_figures(),
		):
			for row in rows:
				figures.setdefault(row.pop("sales_mode"), {}).update(row)
		return figures

	def lead_figures(self):
		lead = DocType("Lead")
		query = (
			frappe.qb.from_(lead)
			.select(
				lead.sales_mode,
				Count("*").as_("leads"),
				Sum(Case().when(lead.qualification_status == "Qualified", 1).else_(0)).as_("qualified_leads"),
				Sum(Case().when(lead.disqualified == 1, 1).else_(0)).as_("disqualified_leads"),
			)
			.groupby(lead.sales_mode)
		)
		return apply_filters(query, lead, "Lead", self.filters).run(as_dict=True)

	def opportunity_figures(self):
		opportunity = DocType("Opportunity")
		won = opportunity.status == CONVERTED
		query = (
			frappe.qb.from_(opportunity)
			.select(
				opportunity.sales_mode,
				Count("*").as_("opportunities"),
				Sum(Case().when(won, 1).else_(0)).as_("won"),
				Sum(Case().when(opportunity.status == LOST, 1).else_(0)).as_("lost"),
				Sum(Case().when(won, opportunity.base_opportunity_amount).else_(0)).as_("won_amount"),
			)
			.groupby(opportunity.sales_mode)
		)
		return apply_filters(query, opportunity, "Opportunity", self.filters).run(as_dict=True)

	def committee_figures(self):
		opportunity, member = DocType("Opportunity"), DocType("Buying Committee Member")
		query = (
			frappe.qb.from_(opportunity)
			.join(member)
			.on(
				(member.parent == opportunity.name)
				& (member.parenttype == "Opportunity")
				& (member.parentfield == "buying_committee")
			)
			.select(opportunity.sales_mode, Count(member.name).as_("committee_members"))
			.where(opportunity.status == CONVERTED)
			.groupby(opportunity.sales_mode)
		)
		return apply_filters(query, opportunity, "Opportunity", self.filters).run(as_dict=True)

	def invoice_figures(self):
		"""Per mode: invoices, revenue, customers, new and repeat customers, from one grouped pass."""
		invoice, earlier = DocType("Sales Invoice"), DocType("Sales Invoice").as_("earlier")
		# A customer is new when no submitted invoice of theirs in the company predates the period
		invoiced_before = ExistsCriterion(
			frappe.qb.from_(earlier)
			.select(earlier.name)
			.where(earlier.customer == invoice.customer)
			.where(earlier.company == self.filters.company)
			.where(earlier.docstatus == 1)
			.where(earlier.is_return == 0)
			.where(earlier.posting_date < self.filters.from_date)
		)
		per_customer = (
			frappe.qb.from_(invoice)
			.select(
				invoice.sales_mode,
				invoice.customer,
				Count("*").as_("invoices"),
				Sum(invoice.base_net_total).as_("revenue"),
				Case().when(invoiced_before, 0).else_(1).as_("is_new"),
			)
			.where(invoice.docstatus == 1)
			.where(invoice.is_return == 0)
			.groupby(invoice.sales_mode, invoice.customer)
		)
		per_customer = apply_filters(per_customer, invoice, "Sales Invoice", self.filters).as_("per_customer")
		return (
			frappe.qb.from_(per_customer)
			.select(
				per_customer.sales_mode,
				Count("*").as_("customers"),
				Sum(per_customer.is_new).as_("new_customers"),
				Sum(Case().when(per_customer.invoices >= 2, 1).else_(0)).as_("repeat_customers"),
				Sum(per_customer.invoices).as_("invoices"),
				Sum(per_customer.revenue).as_("revenue"),
			)
			.groupby(per_customer.sales_mode)
			.run(as_dict=True)
		)

	def make_row(self, mode: str | None, figures: dict, cycle: dict | None) -> dict:
		f = {key: figures.get(key) or 0 for key in FIGURES}
		return {
			"sales_mode": mode,
			"leads": int(f["leads"]),
			"qualified_leads": int(f["qualified_leads"]),
			"disqualified_leads": int(f["disqualified_leads"]),
			"qualification_rate": percent(f["qualified_leads"], f["leads"]),
			"opportunities": int(f["opportunities"]),
			"won": int(f["won"]),
			"lost": int(f["lost"]),
			"win_rate": percent(f["won"], f["won"] + f["lost"]),
			"avg_deal_size": ratio(f["won_amount"], f["won"]),
			"median_cycle_days": histogram_percentile(cycle, 50),
			"avg_committee_size": ratio(f["committee_members"], f["won"]),
			"customers": int(f["customers"]),
			"new_customers": int(f["new_customers"]),
			"repeat_customers": int(f["repeat_customers"]),
			"repeat_rate": percent(f["repeat_customers"], f["customers"]),
			"invoices": int(f["invoices"]),
			"revenue": f["revenue"],
			"avg_order_value": ratio(f["revenue"], f["invoices"]),
			"currency": self.currency,
		}

	def get_columns(self) -> list[dict]:
		def column(fieldname, label, fieldtype="Int", width=110, **extra):
			if fieldtype in PRECISION:
				extra.setdefault("precision", PRECISION[fieldtype])
			# Wide enough for the whole (translated) header at the desk's font
			width = max(width, header_width(label))
			return {"fieldname": fieldname, "label": label, "fieldtype": fieldtype, "width": width, **extra}

		return [
			column("sales_mode", _("Sales Mode"), "Link", 120, options="Sales Mode"),
			column("leads", _("Leads")),
			column("qualified_leads", _("Qualified Leads")),
			column("disqualified_leads", _("Disqualified Leads")),
			column("qualification_rate", _("Qualification Rate"), "Percent"),
			column("opportunities", _("Opportunities")),
			column("won", _("Won")),
			column("lost", _("Lost")),
			column("win_rate", _("Win Rate"), "Percent"),
			column("avg_deal_size", _("Average Deal Size"), "Currency", 130, options="currency"),
			column("median_cycle_days", _("Median Cycle (Days)"), "Float", 130),
			column("avg_committee_size", _("Average Buying Committee"), "Float", 130),
			column("customers", _("Customers")),
			column("new_customers", _("New Customers")),
			column("repeat_customers", _("Repeat Customers")),
			column("repeat_rate", _("Repeat Rate"), "Percent"),
			column("invoices", _("Invoices")),
			column("revenue", _("Revenue"), "Currency", 140, options="currency"),
			column("avg_order_value", _("Average Order Value"), "Currency", 130, options="currency"),
		]

	def transpose(self, columns: list[dict], data: list[dict]) -> tuple[list[dict], list[dict]]:
		"""A row per metric, a column per mode and, with two modes, their difference (first - second)."""
		modes = [row["sales_mode"] for row in data]
		keys = [f"mode_{i}" for i in range(len(modes))]
		out_columns = [{"fieldname": "metric", "label": _("Metric"), "fieldtype": "Data", "width": 240}]
		out_columns += [
			{"fieldname": key, "label": mode_label(mode), "fieldtype": "Data", "width": 160}
			for key, mode in zip(keys, modes, strict=True)
		]
		with_difference = len(modes) == 2
		if with_difference:
			out_columns.append(
				{
					"fieldname": "difference",
					"label": _("Difference ({0} - {1})").format(mode_label(modes[0]), mode_label(modes[1])),
					"fieldtype": "Data",
					"width": 200,
				}
			)
		rows = []
		for column in columns[1:]:
			values = [row[column["fieldname"]] for row in data]
			row = {
				"metric": column["label"],
				"fieldname": column["fieldname"],
				"fieldtype": column["fieldtype"],
				"precision": column.get("precision"),
				"currency": self.currency,
				**dict(zip(keys, values, strict=True)),
			}
			if with_difference:
				row["difference"] = None if None in values else values[0] - values[1]
			rows.append(row)
		return out_columns, rows

	def get_chart(self, data: list[dict]) -> dict | None:
		rates = (
			("qualification_rate", _("Qualification Rate")),
			("win_rate", _("Win Rate")),
			("repeat_rate", _("Repeat Rate")),
		)
		return chart_or_none(
			[mode_label(row["sales_mode"]) for row in data],
			[{"name": label, "values": [row[key] or 0 for row in data]} for key, label in rates],
			fieldtype="Percent",
		)

	def get_summary(self, data: list[dict]) -> list[dict] | None:
		if not data:
			return None
		summary = []
		for row in data:
			mode = mode_label(row["sales_mode"])
			summary += [
				{
					# Formatted here: the desk formats a summary's Percent with the site's float
					# precision (75.000%) and takes no precision of its own
					"value": "{}%".format(fmt_money(row["win_rate"], precision=1))
					if row["win_rate"] is not None
					else _("N/A"),
					"label": _("{0} Win Rate").format(mode),
					"datatype": "Data",
					"indicator": "Blue",
				},
				{
					"value": row["revenue"],
					"label": _("{0} Revenue").format(mode),
					"datatype": "Currency",
					"currency": self.currency,
					"indicator": "Green",
				},
			]
		return summary


@frappe.whitelist()
@frappe.read_only()
def get_win_rate_this_quarter(filters: str | dict | None = None) -> dict:
	"""Number card (type Custom): won / (won + lost) of the deals closed this quarter, for one mode.

	A deal counts in the quarter of its close date (`closed_on`), whenever it was opened: a B2B
	deal opened last year and won this month is this quarter's win.
	Filters: sales_mode (set on the card), company (the user's by default).
	"""
	from frappe.utils import get_quarter_ending, get_quarter_start, today

	frappe.has_permission("Opportunity", "read", throw=True)
	filters = frappe._dict(frappe.parse_json(filters) or {})
	report = SalesModeComparison(
		{
			"company": filters.company,
			"sales_mode": filters.sales_mode,
			"from_date": get_quarter_start(today()),
			"to_date": get_quarter_ending(today()),
		}
	)
	opportunity = DocType("Opportunity")
	query = (
		frappe.qb.from_(opportunity)
		.select(
			Sum(Case().when(opportunity.status == CONVERTED, 1).else_(0)).as_("won"),
			Sum(Case().when(opportunity.status == LOST, 1).else_(0)).as_("lost"),
		)
		.where(opportunity.closed_on >= report.filters.from_date)
		.where(opportunity.closed_on <= report.filters.to_date)
	)
	(closed,) = apply_filters(query, opportunity, "Opportunity", report.filters, period=False).run(
		as_dict=True
	)
	won, lost = closed.won or 0, closed.lost or 0
	return {
		"value": percent(won, won + lost),
		"fieldtype": "Percent",
		"precision": 1,  # the card formats with this df: 75.0%, not 75.000%
		"route": ["query-report", "Sales Mode Comparison"],
		"route_options": {
			"company": report.filters.company,
			"sales_mode": filters.sales_mode,
			"from_date": str(report.filters.from_date),
			"to_date": str(report.filters.to_date),
		},
	}
