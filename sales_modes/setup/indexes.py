"""Composite indexes the reports need, added through the app (never by hand).

`sales_mode` alone is indexed through its custom field (search_index); reports filter by date
range and group by mode, so each document gets (date, sales_mode).
"""

import frappe

INDEXES = {
	"Opportunity": ["transaction_date", "sales_mode"],
	"Sales Invoice": ["posting_date", "sales_mode"],
	"Lead": ["creation", "sales_mode"],
}


def index_name(columns: list[str]) -> str:
	return "sales_modes_" + "_".join(columns)


def add_indexes() -> None:
	for doctype, columns in INDEXES.items():
		frappe.db.add_index(doctype, columns, index_name=index_name(columns))


def drop_indexes() -> None:
	for doctype, columns in INDEXES.items():
		name = index_name(columns)
		if frappe.db.has_index(f"tab{doctype}", name):
			frappe.db.sql_ddl(f"ALTER TABLE `tab{doctype}` DROP INDEX `{name}`")
