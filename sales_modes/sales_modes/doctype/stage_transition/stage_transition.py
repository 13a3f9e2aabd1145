# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from sales_modes.core.defaults import DELETED_DEAL_READERS


class StageTransition(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		days_in_previous_stage: DF.Float
		event: DF.Literal[
			"Stage Change", "Won", "Lost", "Reopened", "Closed", "Status Change", "Mode Change", "Override"
		]
		from_mode: DF.Link | None
		from_phase: DF.Data | None
		from_stage: DF.Link | None
		gate_overridden: DF.Check
		imported: DF.Check
		opportunity: DF.Link
		opportunity_deleted: DF.Check
		override_reason: DF.SmallText | None
		reconstructed: DF.Check
		sales_mode: DF.Link | None
		status: DF.Data | None
		system_change: DF.Check
		to_mode: DF.Link | None
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


READ_PTYPES = (None, "read", "select", "report", "export", "print", "email")


def has_permission(doc, ptype=None, user=None, debug=False):
	"""Readable wherever its opportunity is (a deleted one's: managers only); never writable
	through the permission system."""
	if ptype not in READ_PTYPES:
		return False
	if doc.opportunity_deleted or not frappe.db.exists("Opportunity", doc.opportunity):
		return reads_deleted_deals(user)
	return frappe.has_permission("Opportunity", "read", doc.opportunity, user=user)


def get_permission_query_conditions(user=None, doctype=None):
	user = user or frappe.session.user
	table = "`tabStage Transition`"
	if frappe.has_permission("Opportunity", "read", user=user):
		readable = frappe.get_list("Opportunity", fields=["name"], user=user, run=0, order_by=None)
		live = f"{table}.`opportunity` in ({readable})"
	else:  # e.g. a System Manager without a sales role: no deal of theirs to read
		live = "1=0"
	condition = f"(ifnull({table}.`opportunity_deleted`, 0) = 0 and {live})"
	if reads_deleted_deals(user):
		condition += f" or {table}.`opportunity_deleted` = 1"
	return f"({condition})"


def reads_deleted_deals(user: str | None = None) -> bool:
	return bool(set(DELETED_DEAL_READERS) & set(frappe.get_roles(user)))
