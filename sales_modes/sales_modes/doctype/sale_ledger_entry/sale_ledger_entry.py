# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SaleLedgerEntry(Document):
	"""Written by sales_modes.sale_ledger only (on submit and cancel, and by its rebuild), never
	through this controller: the doctype is read-only for every role. Its name is the voucher's
	("Sales Invoice:ACC-SINV-2026-00001"), so a rebuild writes the same rows as the hooks did."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		base_net_total: DF.Currency
		company: DF.Link
		customer: DF.Link | None
		customer_first_sale_date: DF.Date | None
		first_sale_in_mode_date: DF.Date | None
		is_return: DF.Check
		next_sale_date: DF.Date | None
		posting_date: DF.Date | None
		previous_sale_date: DF.Date | None
		sales_mode: DF.Link | None
		voucher_no: DF.DynamicLink
		voucher_type: DF.Link
	# end: auto-generated types

	pass
