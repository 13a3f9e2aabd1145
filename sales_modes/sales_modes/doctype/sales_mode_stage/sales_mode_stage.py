# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SalesModeStage(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		buying_phase: DF.Literal["Awareness", "Consideration", "Decision"]
		guidance: DF.SmallText | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		probability: DF.Percent
		sales_stage: DF.Link
		stall_after_days: DF.Int
	# end: auto-generated types
	pass
