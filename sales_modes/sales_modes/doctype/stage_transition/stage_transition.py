# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class StageTransition(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		days_in_previous_stage: DF.Float
		event: DF.Literal["Stage Change", "Won", "Lost", "Reopened", "Closed", "Status Change"]
		from_phase: DF.Data | None
		from_stage: DF.Link | None
		gate_overridden: DF.Check
		imported: DF.Check
		opportunity: DF.Link
		override_reason: DF.SmallText | None
		reconstructed: DF.Check
		sales_mode: DF.Link | None
		status: DF.Data | None
		to_phase: DF.Data | None
		to_stage: DF.Link | None
		transitioned_on: DF.Datetime | None
		unmet_requirements: DF.SmallText | None
		user: DF.Link | None
	# end: auto-generated types
	"""An append-only log row, written by sales_modes.stage_log in the opportunity's transaction."""

	def validate(self):
		if not self.is_new():
			frappe.throw(_("Stage Transitions are a log and cannot be edited."), title=_("Not Allowed"))

	def on_trash(self):
		if not frappe.flags.in_uninstall:
			frappe.throw(_("Stage Transitions are a log and cannot be deleted."), title=_("Not Allowed"))


def has_permission(doc, ptype=None, user=None, debug=False):
	"""Readable wherever its opportunity is; never writable through the permission system."""
	if ptype not in (None, "read", "select", "report", "export", "print", "email"):
		return False
	return frappe.has_permission("Opportunity", "read", doc.opportunity, user=user)


def get_permission_query_conditions(user=None, doctype=None):
	readable = frappe.get_list("Opportunity", fields=["name"], user=user, run=0, order_by=None)
	return f"`tabStage Transition`.`opportunity` in ({readable})"
