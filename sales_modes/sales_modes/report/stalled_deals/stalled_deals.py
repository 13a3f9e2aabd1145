# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""Open opportunities past their stage's stall_after_days, longest in stage first, with what each
still lacks to enter its next stage.

Every deal stuck today, however old: the period is optional and empty by default. When set, it
keeps the deals opened (opportunity date) in it, as the Stage Funnel's "Stalled Now" counts them.
"""

import frappe
from frappe import _
from frappe.model.utils import is_virtual_doctype
from frappe.query_builder import DocType, Order
from frappe.query_builder.functions import Coalesce
from frappe.utils import now_datetime

from sales_modes.core import gates
from sales_modes.expressions import describe_unmet, evaluate_expression
from sales_modes.figures.deals import stalled_deal_totals, stalled_deals
from sales_modes.pipelines import doc_values, get_pipeline
from sales_modes.reports import (
	chart_or_none,
	get_filters,
	get_message,
	get_modes,
	mode_column,
	mode_label,
	report_notes,
)
from sales_modes.stalled import days_in_stage

# Readiness loads each deal: the list shows the longest-stalled deals up to this many
ROW_LIMIT = 500
READS = ("Opportunity",)


def execute(filters=None):
	filters = get_filters(filters, optional_period=True)
	opportunity = DocType("Opportunity")
	stalled = stalled_deals(filters)
	totals = stalled_deal_totals(filters)
	deals = (
		stalled.orderby(Coalesce(opportunity.stage_entered_on, opportunity.creation), order=Order.asc)
		.limit(ROW_LIMIT)
		.run(as_dict=True)
	)
	currency = frappe.get_cached_value("Company", filters.company, "default_currency")
	now = now_datetime()
	loaded = load_deals([deal.opportunity for deal in deals])
	pipelines: dict[str, gates.Pipeline] = {}
	data = [make_row(deal, now, currency, loaded[deal.opportunity], pipelines) for deal in deals]
	notes = report_notes(filters, READS)
	total = sum(count for count, _amount in totals.values())
	if total > len(data):
		notes.append(
			_("Showing the {0} deals longest in their stage, of {1} stalled deals.").format(len(data), total)
		)
	message = get_message(notes, bool(data), _("No stalled deals for these filters."))
	return get_columns(), data, message, get_chart(totals, filters), get_summary(totals, filters, currency)


def make_row(deal: dict, now, currency: str, values: dict, pipelines: dict) -> dict:
	if deal.sales_mode not in pipelines:
		pipelines[deal.sales_mode] = get_pipeline(deal.sales_mode)
	next_stage, missing = get_readiness(pipelines[deal.sales_mode], deal.sales_stage, values)
	return {
		"opportunity": deal.opportunity,
		"customer_name": deal.customer_name,
		"sales_mode": deal.sales_mode,
		# Stage names are Sales Stage records, shown as Data (see get_columns): translated here
		"sales_stage": _(deal.sales_stage) if deal.sales_stage else None,
		"owner": deal.owner,
		"days_in_stage": days_in_stage(deal.stage_entered_on, now),
		"stall_after_days": deal.stall_after_days,
		"amount": deal.base_opportunity_amount,
		"currency": currency,
		"next_stage": _(next_stage) if next_stage else None,
		"missing": "; ".join(missing) if missing else None,
	}


def get_readiness(pipeline: gates.Pipeline, stage: str, values: dict) -> tuple[str | None, list[str]]:
	nxt, missing = gates.readiness(pipeline, stage, values, evaluate_expression)
	return (nxt.name if nxt else None), [describe_unmet(r) for r in missing]


def load_deals(names: list[str]) -> dict[str, dict]:
	"""{name: doc_values} of the listed deals, each as `frappe.get_doc` loads it (Document.load_from_db:
	the row, then each child table ordered by idx), in one query per table instead of one per
	table and deal: the gates read any field or child row of the deal."""
	if not names:
		return {}
	meta = frappe.get_meta("Opportunity")
	rows = frappe.db.get_values("Opportunity", {"name": ("in", names)}, "*", as_dict=True, order_by=None)
	children: dict[tuple[str, str], list] = {}
	table_fields = [df for df in meta.get_table_fields() if not is_virtual_doctype(df.options)]
	for df in table_fields:
		for child in frappe.db.get_values(
			df.options,
			{"parent": ("in", names), "parenttype": "Opportunity", "parentfield": df.fieldname},
			"*",
			as_dict=True,
			order_by="idx asc",
		):
			children.setdefault((child.parent, df.fieldname), []).append(child)
	loaded = {}
	for row in rows:
		doc = frappe.get_doc({**row, "doctype": "Opportunity"})
		for df in meta.get_table_fields():
			doc.set(df.fieldname, children.get((row.name, df.fieldname), []))
		if hasattr(doc, "__setup__"):
			doc.__setup__()
		loaded[row.name] = doc_values(doc)
	return loaded


def get_columns() -> list[dict]:
	return [
		{
			"fieldname": "opportunity",
			"label": _("Opportunity"),
			"fieldtype": "Link",
			"options": "Opportunity",
			"width": 150,
		},
		{"fieldname": "customer_name", "label": _("Customer / Lead Name"), "fieldtype": "Data", "width": 170},
		mode_column(100),
		{
			"fieldname": "sales_stage",
			"label": _("Stage"),
			# Not a Link: Frappe checks read permission on every linked doctype of a report's rows,
			# and ERPNext lets only a Sales Manager read Sales Stage
			"fieldtype": "Data",
			"width": 160,
		},
		{"fieldname": "owner", "label": _("Owner"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "days_in_stage", "label": _("Days in Stage"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "stall_after_days",
			"label": _("Stalled After (Days)"),
			"fieldtype": "Int",
			"width": 130,
		},
		{
			"fieldname": "amount",
			"label": _("Amount"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{
			"fieldname": "next_stage",
			"label": _("Next Stage"),
			# Not a Link: Frappe checks read permission on every linked doctype of a report's rows,
			# and ERPNext lets only a Sales Manager read Sales Stage
			"fieldtype": "Data",
			"width": 160,
		},
		{"fieldname": "missing", "label": _("Missing to Advance"), "fieldtype": "Small Text", "width": 320},
	]


def ordered_modes(totals: dict, filters) -> list:
	modes = [mode for mode in get_modes(filters) if mode in totals]
	return modes + [mode for mode in totals if mode not in modes]


def get_chart(totals: dict, filters) -> dict | None:
	modes = ordered_modes(totals, filters)
	return chart_or_none(
		[mode_label(mode) for mode in modes],
		[{"name": _("Stalled Deals"), "values": [totals[mode][0] for mode in modes]}],
	)


def get_summary(totals: dict, filters, currency: str) -> list[dict] | None:
	summary = []
	for mode in ordered_modes(totals, filters):
		count, amount = totals[mode]
		summary += [
			{
				"value": count,
				"label": _("{0} Stalled Deals").format(mode_label(mode)),
				"datatype": "Int",
				"indicator": "Red",
			},
			{
				"value": amount,
				"label": _("{0} Stalled Amount").format(mode_label(mode)),
				"datatype": "Currency",
				"currency": currency,
				"indicator": "Orange",
			},
		]
	return summary or None
