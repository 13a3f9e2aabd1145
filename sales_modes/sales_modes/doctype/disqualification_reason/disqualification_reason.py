# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DisqualificationReason(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		enabled: DF.Check
		reason: DF.Data
	# end: auto-generated types
	pass
