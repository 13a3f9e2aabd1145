# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""Leads, pipeline, won deals and invoicing of each sales mode side by side: one row per mode, or
(layout "Metrics as Rows") one row per metric with a column per mode and the difference."""

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Count, Sum
from frappe.utils import fmt_money

from sales_modes.core.metrics import percent, ratio
from sales_modes.figures import deals, sales
from sales_modes.reports import (
	apply_filters,
	chart_or_none,
	get_filters,
	get_message,
	get_modes,
	histogram_percentile,
	mode_label,
	report_notes,
)

# The doctypes whose figures the report shows
READS = ("Lead", "Opportunity", *sales.READS)
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
		cycles = deals.won_cycle_histograms(self.filters)
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
			get_message(report_notes(self.filters, READS) + sales.customer_notes(), has_data),
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

	# The lead and deal figures are defined once, in sales_modes.figures.deals: leads by creation,
	# opportunities by their date, wins, losses, won value and committees by the close date
	def lead_figures(self):
		return deals.lead_counts(self.filters)

	def opportunity_figures(self):
		return deals.opportunity_counts(self.filters) + deals.closed_deal_counts(self.filters)

	def committee_figures(self):
		return deals.committee_members(self.filters)

	def invoice_figures(self):
		"""Per mode: orders, net revenue, customers, new and repeat customers (figures/sales.py)."""
		return [
			{
				"sales_mode": mode,
				"customers": f.customers,
				"new_customers": f.new_customers,
				"repeat_customers": f.repeat_customers,
				"invoices": f.orders,
				"revenue": f.net_revenue,
			}
			for mode, f in sales.mode_figures(self.filters).items()
		]

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
			"win_rate": deals.win_rate(f["won"], f["lost"]),
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
			column("invoices", _("Orders")),
			column("revenue", _("Net Revenue"), "Currency", 140, options="currency"),
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
					"label": _("{0} Net Revenue").format(mode),
					"datatype": "Currency",
					"currency": self.currency,
					"indicator": "Green",
				},
			]
		return summary
