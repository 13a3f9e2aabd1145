"""A sale ledger built before its rows carried the customer's first sale in the mode is rebuilt:
marked not whole here, so the migrate's `after_migrate` (sale_ledger.rebuild_if_not_ready) rebuilds
it (in the background on big sites); the reports read the invoices until then."""

import frappe

from sales_modes import sale_ledger


def execute():
	if frappe.db.exists(sale_ledger.LEDGER, {"is_return": 0, "first_sale_in_mode_date": ("is", "not set")}):
		sale_ledger.set_ready(False)
