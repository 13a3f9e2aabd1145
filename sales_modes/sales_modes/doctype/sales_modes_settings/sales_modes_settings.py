# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.permissions import AUTOMATIC_ROLES

MODE_FIELDS = (
	"company_mode",
	"partnership_mode",
	"individual_mode",
	"fallback_mode",
	"walk_in_customer_mode",
)


class SalesModesSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		company_mode: DF.Link | None
		copy_mode_to_transactions: DF.Check
		fallback_mode: DF.Link | None
		gate_data_import: DF.Check
		individual_mode: DF.Link | None
		override_role: DF.Link | None
		partnership_mode: DF.Link | None
		stall_alerts_enabled: DF.Check
		walk_in_customer_mode: DF.Link | None

	# end: auto-generated types
	def validate(self):
		self.validate_mode_mapping()
		self.validate_override_role()

	def on_update(self):
		# Inferred modes follow the mapping (set-based; in a background job on big sites). Not while
		# the app installs: Frappe creates this single before the custom fields exist, and the
		# install's backfill infers every mode afterwards
		if self.flags.in_insert or frappe.flags.in_install == "sales_modes":
			return
		if any(self.has_value_changed(fieldname) for fieldname in MODE_FIELDS):
			from sales_modes import follow

			follow.settings_changed(self)

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

	def validate_override_role(self):
		"""The override role must be granted on purpose: never one Frappe gives every user (Guest,
		All, Desk User), the Administrator's own role, or a role without desk access."""
		role = self.override_role
		if not role:
			return
		if role in AUTOMATIC_ROLES:
			frappe.throw(
				_(
					"{0} cannot override stage gates: Frappe gives it automatically. Choose a role you grant on purpose, such as Sales Manager."
				).format(frappe.bold(_(role))),
				title=_("Invalid Override Role"),
			)
		if not frappe.db.get_value("Role", role, "desk_access"):
			frappe.throw(
				_("{0} cannot override stage gates: it has no desk access.").format(frappe.bold(_(role))),
				title=_("Invalid Override Role"),
			)
