# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

MODE_FIELDS = ("company_mode", "partnership_mode", "individual_mode", "fallback_mode")


class SalesModesSettings(Document):
	def validate(self):
		self.validate_mode_mapping()

	def validate_mode_mapping(self):
		for fieldname in MODE_FIELDS:
			mode = self.get(fieldname)
			if not mode:
				continue
			enabled = frappe.db.get_value("Sales Mode", mode, "enabled")
			label = _(self.meta.get_label(fieldname))
			if enabled is None:
				frappe.throw(
					_("{0}: Sales Mode {1} does not exist.").format(label, frappe.bold(mode)),
					frappe.LinkValidationError,
					title=_("Unknown Sales Mode"),
				)
			if not enabled:
				frappe.throw(
					_("{0}: Sales Mode {1} is disabled.").format(label, frappe.bold(mode)),
					title=_("Disabled Sales Mode"),
				)
