# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class StageRequirement(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		applies_to: DF.Literal["Stage", "Won", "Lost"]
		check_type: DF.Literal[
			"Field Is Set", "Minimum Value", "Minimum Rows", "Expression", "Submitted Documents"
		]
		document_types: DF.Data | None
		effective_from: DF.Datetime | None
		expression: DF.Code | None
		fieldname: DF.Autocomplete | None
		filter_field: DF.Autocomplete | None
		filter_value: DF.Autocomplete | None
		message: DF.SmallText
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		rule_summary: DF.SmallText | None
		sales_stage: DF.Link | None
		value: DF.Data | None
	# end: auto-generated types
	pass
