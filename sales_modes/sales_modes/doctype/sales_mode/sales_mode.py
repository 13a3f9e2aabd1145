# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cstr, now_datetime

from sales_modes.core import gates
from sales_modes.expressions import ExpressionError, evaluate
from sales_modes.pipelines import doc_values

NUMERIC_FIELDTYPES = ("Int", "Float", "Currency", "Percent", "Check", "Rating", "Duration")
TABLE_FIELDTYPES = ("Table", "Table MultiSelect")
EXPRESSION_AUTHOR_ROLE = "System Manager"


class SalesMode(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from sales_modes.sales_modes.doctype.sales_mode_stage.sales_mode_stage import SalesModeStage
		from sales_modes.sales_modes.doctype.stage_requirement.stage_requirement import StageRequirement

		allow_stage_skipping: DF.Check
		description: DF.SmallText | None
		enabled: DF.Check
		family: DF.Literal["Business", "Consumer"]
		lead_requirements: DF.Table[StageRequirement]
		mode_name: DF.Data
		requirements: DF.Table[StageRequirement]
		stages: DF.Table[SalesModeStage]

	# end: auto-generated types
	def validate(self):
		self.validate_stages()
		# Before any expression is evaluated: code from someone who may not write it never runs
		self.validate_expression_author()
		self.validate_requirements("requirements", "Opportunity", gated_by_stage=True)
		self.validate_requirements("lead_requirements", "Lead", gated_by_stage=False)
		self.validate_gated_outcomes()
		self.stamp_rules_in_force()

	def on_update(self):
		self.refresh_deal_flags()

	def validate_stages(self):
		seen = set()
		for row in self.stages:
			if row.sales_stage in seen:
				frappe.throw(
					_("Row {0}: Stage {1} is listed twice in the pipeline.").format(
						row.idx, frappe.bold(row.sales_stage)
					),
					title=_("Duplicate Stage"),
				)
			seen.add(row.sales_stage)
			if row.stall_after_days and row.stall_after_days < 0:
				frappe.throw(
					_("Row {0}: Stalled After (Days) cannot be negative.").format(row.idx),
					title=_("Invalid Pipeline"),
				)

	def validate_requirements(self, table: str, doctype: str, gated_by_stage: bool):
		pipeline_stages = {row.sales_stage for row in self.stages}
		meta = frappe.get_meta(doctype)
		for row in self.get(table):
			label = _("{0} row {1}").format(_(self.meta.get_label(table)), row.idx)
			applies_to_stage = (row.get("applies_to") or gates.APPLIES_TO_STAGE) == gates.APPLIES_TO_STAGE
			if gated_by_stage and applies_to_stage and row.sales_stage not in pipeline_stages:
				frappe.throw(
					_("{0}: Stage {1} is not part of this mode's pipeline.").format(
						label, frappe.bold(row.sales_stage or _("(empty)"))
					),
					title=_("Invalid Requirement"),
				)
			if not gated_by_stage or not applies_to_stage:
				row.sales_stage = None
			if row.check_type == gates.EXPRESSION:
				validate_expression(label, row.expression, self.blank_deal(doctype, row.sales_stage))
			elif row.check_type != gates.SUBMITTED_DOCUMENTS:  # see validate_gated_outcomes
				validate_field_check(label, row, meta)

	def blank_deal(self, doctype: str, stage: str | None) -> dict:
		"""A new, empty document of this mode (at the rule's stage): what a rule must survive."""
		doc = frappe.new_doc(doctype)
		doc.sales_mode = self.name
		if stage:
			doc.sales_stage = stage
		return doc_values(doc)

	def validate_expression_author(self):
		"""Expressions run on every save of every deal: only a System Manager may write them.

		Others may keep, move or remove the expressions the mode already has, and put back the
		ones the app ships for it (Restore Defaults): they write no code of their own.
		"""
		if EXPRESSION_AUTHOR_ROLE in frappe.get_roles():
			return
		before = self.get_doc_before_save()
		allowed = {
			(row.expression or "").strip()
			for table in ("requirements", "lead_requirements")
			for row in (before.get(table) if before else [])
			if row.check_type == gates.EXPRESSION
		} | shipped_expressions(self.name)
		for table in ("requirements", "lead_requirements"):
			for row in self.get(table):
				if row.check_type == gates.EXPRESSION and (row.expression or "").strip() not in allowed:
					frappe.throw(
						_("Only a {0} may write or change an expression requirement.").format(
							_(EXPRESSION_AUTHOR_ROLE)
						),
						frappe.PermissionError,
						title=_("Not Permitted"),
					)

	def validate_gated_outcomes(self):
		"""What a rule applies to (a stage, Won, Lost), and the documents a Submitted Documents rule counts."""
		for table in ("requirements", "lead_requirements"):
			for row in self.get(table):
				label = _("{0} row {1}").format(_(self.meta.get_label(table)), row.idx)
				if table == "lead_requirements":
					row.applies_to = gates.APPLIES_TO_STAGE
				elif (row.applies_to or gates.APPLIES_TO_STAGE) not in gates.APPLIES_TO:
					frappe.throw(
						_("{0}: A rule applies to a Stage, to Won or to Lost, not to {1}.").format(
							label, frappe.bold(row.applies_to)
						),
						title=_("Invalid Requirement"),
					)
				row.applies_to = row.applies_to or gates.APPLIES_TO_STAGE
				if row.check_type == gates.SUBMITTED_DOCUMENTS:
					validate_document_check(label, row, table)
				else:
					row.document_types = None

	def stamp_rules_in_force(self):
		"""Each rule remembers since when it is in force, as written: a rule that is new or changed
		starts now, an unchanged one (also when Restore Defaults writes it again) keeps its date.
		A deal that entered its stage before that date is grandfathered in the rule."""
		before = self.get_doc_before_save()
		since = {rule_key(row): row.effective_from for row in rule_rows(before)} if before else {}
		now = now_datetime()
		for row in rule_rows(self):
			row.effective_from = since.get(rule_key(row)) or now

	def refresh_deal_flags(self):
		"""When the rules change, open deals of this mode get their "requirements not met" flag again."""
		before = self.get_doc_before_save()
		if before and {rule_key(r) for r in rule_rows(before)} == {rule_key(r) for r in rule_rows(self)}:
			return
		if frappe.flags.in_install or frappe.flags.in_test:
			return
		frappe.enqueue(
			"sales_modes.gate.refresh_requirement_flags",
			queue="long",
			enqueue_after_commit=True,
			sales_mode=self.name,
		)


RULE_FIELDS = (
	"applies_to",
	"sales_stage",
	"check_type",
	"fieldname",
	"value",
	"filter_field",
	"filter_value",
	"document_types",
	"expression",
)


def rule_rows(doc) -> list:
	return [*doc.get("requirements"), *doc.get("lead_requirements")]


def rule_key(row) -> tuple:
	return (row.parentfield, *(cstr(row.get(f)) for f in RULE_FIELDS))


def validate_document_check(label: str, row, table: str):
	from sales_modes.pipelines import COUNTABLE_DOCTYPES, parse_document_types

	doctypes = parse_document_types(row.document_types)
	unknown = [d for d in doctypes if d not in COUNTABLE_DOCTYPES]
	if table == "lead_requirements" or not doctypes or unknown:
		frappe.throw(
			_("{0}: Submitted Documents counts an opportunity's {1}; list them in Document Types.").format(
				label, ", ".join(_(d) for d in COUNTABLE_DOCTYPES)
			)
			if table != "lead_requirements"
			else _("{0}: Submitted Documents applies to opportunities only.").format(label),
			title=_("Invalid Requirement"),
		)
	if row.value and not (is_number(row.value) and float(row.value) >= 1 and float(row.value).is_integer()):
		frappe.throw(
			_("{0}: The minimum number of documents must be a whole number of at least 1.").format(label),
			title=_("Invalid Requirement"),
		)
	row.document_types = ", ".join(doctypes)


def shipped_expressions(mode_name: str | None) -> set[str]:
	from sales_modes.setup.defaults import load_default_records

	return {
		(row.get("expression") or "").strip()
		for mode in load_default_records("sales_modes.json")
		if mode["mode_name"] == mode_name
		for table in ("requirements", "lead_requirements")
		for row in mode.get(table, [])
		if row.get("check_type") == gates.EXPRESSION
	}


def validate_expression(label: str, expression: str | None, blank_deal: dict):
	"""Refuse an expression that is not allowed, or that fails on a blank deal of its mode."""
	if not (expression or "").strip():
		frappe.throw(
			_("{0}: Enter the expression to evaluate.").format(label), title=_("Invalid Requirement")
		)
	try:
		evaluate(expression, blank_deal)
	except ExpressionError as e:
		frappe.throw(_("{0}: {1}").format(label, e), title=_("Invalid Requirement"))
	except Exception as e:
		frappe.throw(
			_("{0}: The expression fails on a blank {1} of this mode: {2}").format(
				label, _(blank_deal.get("doctype")), f"{type(e).__name__}: {e}"
			),
			title=_("Invalid Requirement"),
		)


def validate_field_check(label: str, row, meta):
	field = meta.get_field(row.fieldname) if row.fieldname else None
	if not field:
		frappe.throw(
			_("{0}: {1} has no field {2}.").format(
				label, _(meta.name), frappe.bold(row.fieldname or _("(empty)"))
			),
			title=_("Invalid Requirement"),
		)
	if row.check_type == gates.MINIMUM_VALUE:
		if field.fieldtype not in NUMERIC_FIELDTYPES:
			frappe.throw(
				_("{0}: Minimum Value needs a numeric field; {1} is a {2}.").format(
					label, frappe.bold(row.fieldname), field.fieldtype
				),
				title=_("Invalid Requirement"),
			)
		if not is_number(row.value):
			frappe.throw(
				_("{0}: The minimum value must be a number.").format(label), title=_("Invalid Requirement")
			)
	if row.check_type == gates.MINIMUM_ROWS:
		if field.fieldtype not in TABLE_FIELDTYPES:
			frappe.throw(
				_("{0}: Minimum Rows needs a table field; {1} is a {2}.").format(
					label, frappe.bold(row.fieldname), field.fieldtype
				),
				title=_("Invalid Requirement"),
			)
		if row.value and not (
			is_number(row.value) and float(row.value) >= 1 and float(row.value).is_integer()
		):
			frappe.throw(
				_("{0}: The minimum number of rows must be a whole number of at least 1.").format(label),
				title=_("Invalid Requirement"),
			)
		if row.filter_field and not frappe.get_meta(field.options).get_field(row.filter_field):
			frappe.throw(
				_("{0}: {1} has no column {2}.").format(
					label, _(field.options), frappe.bold(row.filter_field)
				),
				title=_("Invalid Requirement"),
			)


def is_number(value) -> bool:
	try:
		float(value)
		return True
	except (TypeError, ValueError):
		return False


@frappe.whitelist()
def restore_default_pipeline(mode: str) -> None:
	"""Put back the pipeline and rules the app ships for a default mode (B2B, B2C)."""
	from sales_modes.core.defaults import RESTORE_DEFAULTS_ROLES
	from sales_modes.setup.defaults import restore_mode_defaults

	frappe.only_for(RESTORE_DEFAULTS_ROLES)

	restore_mode_defaults(mode)


@frappe.whitelist()
def get_mode_family(mode: str) -> str | None:
	"""The family of a mode, for the mode indicator on the forms of every desk role.

	frappe.client.get_value needs read permission on Sales Mode, which an Accounts or Stock User
	does not have; every desk user may select a Sales Mode (it is a link on their documents).
	"""
	if not frappe.has_permission("Sales Mode", "select"):
		return None
	return frappe.db.get_value("Sales Mode", mode, "family")
