# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class StageTransition(Document):
	"""An append-only log row, written by sales_modes.gating in the opportunity's transaction."""

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
