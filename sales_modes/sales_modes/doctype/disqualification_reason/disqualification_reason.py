# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DisqualificationReason(Document):
	pass
