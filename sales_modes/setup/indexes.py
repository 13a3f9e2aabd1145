"""Indexes the reports need, added through the app (never by hand) and dropped on uninstall.

`sales_mode` alone is indexed through its custom field (search_index). The reports filter by
date range and group by mode, so each document gets (date, sales_mode); the sales passes
(figures/sales.py, on Sales Invoice and POS Invoice) group by mode and customer, so their indexes
cover every column those queries read and MariaDB never touches the rows.
Names are explicit: MariaDB cuts index names at 64 characters.
"""

import frappe

INDEXES: dict[str, tuple[str, list[str]]] = {
	"sales_modes_transaction_date_sales_mode": ("Opportunity", ["transaction_date", "sales_mode"]),
	"sales_modes_posting_date_sales_mode": ("Sales Invoice", ["posting_date", "sales_mode"]),
	"sales_modes_creation_sales_mode": ("Lead", ["creation", "sales_mode"]),
	# Each deal's Won event (and its date) and its Stage Change rows
	"sales_modes_opportunity_event_transitioned_on": (
		"Stage Transition",
		["opportunity", "event", "transitioned_on"],
	),
	"sales_modes_pos_posting_date_sales_mode": ("POS Invoice", ["posting_date", "sales_mode"]),
	# The stage funnel (figures/deals.py) joins each deal to its Stage Change rows and reads the
	# stages and days from the index alone, never the log's rows
	"sales_modes_transition_stages": (
		"Stage Transition",
		["opportunity", "event", "to_stage", "from_stage", "days_in_previous_stage"],
	),
	# Deals opened in the period (counts, funnel, open by stage) and open deals now (Stalled Deals,
	# the Open Deals cards): company equal, opportunity date ranged or not, the rest (how long a
	# deal has been in its stage, its amount) read from the index
	"sales_modes_opportunity_opened": (
		"Opportunity",
		[
			"company",
			"transaction_date",
			"status",
			"sales_mode",
			"sales_stage",
			"stage_entered_on",
			"creation",
			"base_opportunity_amount",
		],
	),
	# Deals closed in the period (won, lost, won value, cycle, committees, the win-rate cards)
	"sales_modes_opportunity_closed": (
		"Opportunity",
		["company", "closed_on", "status", "sales_mode", "transaction_date", "base_opportunity_amount"],
	),
	# The buying committees of the period's wins, counted from the index alone
	"sales_modes_committee_parent": (
		"Buying Committee Member",
		["parent", "parenttype", "parentfield"],
	),
	# Leads created in the period (counts, qualification, disqualification reasons, the chart)
	"sales_modes_lead_created": (
		"Lead",
		["company", "creation", "sales_mode", "qualification_status", "disqualified"],
	),
	# Sales scans (figures/sales.py): company, docstatus (and is_consolidated) equal; grouped by
	# mode and customer; returns summed, so is_return is read, not filtered on
	"sales_modes_invoice_mode_customer": (
		"Sales Invoice",
		[
			"company",
			"docstatus",
			"is_consolidated",
			"sales_mode",
			"customer",
			"posting_date",
			"is_return",
			"base_net_total",
		],
	),
	"sales_modes_pos_invoice_mode_customer": (
		"POS Invoice",
		["company", "docstatus", "sales_mode", "customer", "posting_date", "is_return", "base_net_total"],
	),
	# "Had this customer bought before the period?" from the index alone
	"sales_modes_invoice_customer_history": (
		"Sales Invoice",
		["customer", "company", "docstatus", "is_return", "posting_date"],
	),
	"sales_modes_pos_invoice_customer_history": (
		"POS Invoice",
		["customer", "company", "docstatus", "is_return", "posting_date"],
	),
	# The sale ledger (sales_modes.sale_ledger): a period's figures read from this index alone, one
	# range per mode and kind (sale or return) in index order, so grouping by them needs no
	# temporary table
	"sales_modes_ledger_period": (
		"Sale Ledger Entry",
		[
			"company",
			"sales_mode",
			"is_return",
			"posting_date",
			"base_net_total",
			"previous_sale_date",
			"next_sale_date",
			"customer_first_sale_date",
			"first_sale_in_mode_date",
		],
	),
	# A customer's sales in a mode, in order: the neighbours of a sale submitted or cancelled, and
	# the walk-in party's rows, which the customer figures leave out
	"sales_modes_ledger_customer": (
		"Sale Ledger Entry",
		[
			"company",
			"customer",
			"sales_mode",
			"is_return",
			"posting_date",
			"previous_sale_date",
			"next_sale_date",
			"customer_first_sale_date",
			"first_sale_in_mode_date",
		],
	),
}


def index_columns(doctype: str, name: str) -> list[str]:
	"""The columns of index `name` on the doctype's table, in order; [] when there is none."""
	rows = frappe.db.sql(f"SHOW INDEX FROM `tab{doctype}` WHERE Key_name = %s", name, as_dict=True)
	return [row.Column_name for row in sorted(rows, key=lambda row: row.Seq_in_index)]


def add_indexes() -> None:
	"""Each index as defined: added when missing, rebuilt when its columns changed, else untouched."""
	for name, (doctype, columns) in INDEXES.items():
		existing = index_columns(doctype, name)
		if existing == columns:
			continue
		if existing:
			frappe.db.sql_ddl(f"ALTER TABLE `tab{doctype}` DROP INDEX `{name}`")
		frappe.db.add_index(doctype, columns, index_name=name)


def drop_indexes() -> None:
	"""Only the indexes on ERPNext's tables: our own doctypes' tables go with the app."""
	for name, (doctype, _columns) in INDEXES.items():
		if frappe.db.get_value("DocType", doctype, "module") == "Sales Modes":
			continue
		if frappe.db.table_exists(doctype) and frappe.db.has_index(f"tab{doctype}", name):
			frappe.db.sql_ddl(f"ALTER TABLE `tab{doctype}` DROP INDEX `{name}`")
