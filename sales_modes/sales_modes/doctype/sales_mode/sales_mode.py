# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cstr, now_datetime

from sales_modes.core import gates
from sales_modes.core.rule_text import RuleLabels, describe, suggest_fields
from sales_modes.expressions import ExpressionError, evaluate
from sales_modes.pipelines import doc_values, requirement_from_row

NUMERIC_FIELDTYPES = ("Int", "Float", "Currency", "Percent", "Check", "Rating", "Duration")
TABLE_FIELDTYPES = ("Table", "Table MultiSelect")
EXPRESSION_AUTHOR_ROLE = "System Manager"
# The doctype each requirements table reads its fields from
RULE_TABLES = {"requirements": "Opportunity", "lead_requirements": "Lead"}


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

	def before_validate(self):
		self.set_rule_summaries()

	def onload(self):
		# The plain-words rules in the reader's language
		self.set_rule_summaries()

	def set_rule_summaries(self):
		for table, doctype in RULE_TABLES.items():
			meta = frappe.get_meta(doctype)
			for row in self.get(table):
				row.rule_summary = rule_summary(row, meta)

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
	field = known_field(row, meta, row.fieldname)
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
		if row.filter_field:
			column = known_field(row, frappe.get_meta(field.options), row.filter_field)
			known_option(row, column, row.filter_value)


def is_number(value) -> bool:
	try:
		float(value)
		return True
	except (TypeError, ValueError):
		return False


def rule_location(row) -> str:
	"""Where a rule sits, as the manager sees it: "Row 3 (Perception Analysis)"."""
	if row.parentfield == "lead_requirements":
		return _("Lead Qualification row {0}").format(row.idx)
	# The stage it gates, or what else it applies to (Won, Lost) where the row says so
	gated = row.get("sales_stage") or (row.get("applies_to") if row.get("applies_to") != "Stage" else None)
	if gated:
		return _("Row {0} ({1})").format(row.idx, _(gated))
	return _("Row {0}").format(row.idx)


def known_field(row, meta, fieldname: str | None):
	"""The field of `meta` a rule names, or an error naming the row and the closest fields."""
	field = meta.get_field(fieldname) if fieldname else None
	if field and field.fieldtype not in frappe.model.display_fieldtypes:
		return field
	message = _("{0}: {1} has no field {2}.").format(
		rule_location(row), _(meta.name), frappe.bold(fieldname or _("(empty)"))
	)
	labels = field_labels(meta)
	suggestions = suggest_fields(fieldname, labels)
	if suggestions:
		message += " " + _("Did you mean {0}?").format(
			_(" or ").join(f"{frappe.bold(name)} ({labels[name]})" for name in suggestions)
		)
	else:
		message += " " + _("Pick the field by its label from the list in the Field box.")
	frappe.throw(message, title=_("Invalid Requirement"))


def column_values(column) -> list[dict]:
	"""The values a row condition on this column can match, with their labels: a Select's options,
	a Check's 1 (Yes) and 0 (No); empty for a column of free values."""
	if column.fieldtype == "Check":
		return [{"label": _("Yes"), "value": "1"}, {"label": _("No"), "value": "0"}]
	if column.fieldtype == "Select":
		return [
			{"label": _(option), "value": option} for option in (column.options or "").split("\n") if option
		]
	return []


def known_option(row, column, value: str | None):
	"""A row condition's value must be one the column can hold, or no row would ever match."""
	allowed = {option["value"]: option["label"] for option in column_values(column)}
	if not value or not allowed or value in allowed:
		return
	message = _("{0}: {1} has no value {2}.").format(rule_location(row), _(column.label), frappe.bold(value))
	suggestions = suggest_fields(value, allowed)
	if suggestions:
		message += " " + _("Did you mean {0}?").format(_(" or ").join(frappe.bold(s) for s in suggestions))
	else:
		message += " " + _("Choose one of: {0}").format(", ".join(allowed.values()))
	frappe.throw(message, title=_("Invalid Requirement"))


def field_labels(meta) -> dict[str, str]:
	"""fieldname -> translated label of every field a rule may read."""
	return {
		df.fieldname: _(df.label or df.fieldname)
		for df in meta.fields
		if df.fieldtype not in frappe.model.display_fieldtypes
	}


def rule_summary(row, meta) -> str:
	"""The rule in plain words, labels translated for the current user."""
	return describe(requirement_from_row(row), rule_labels(row, meta), translate=_)


def rule_labels(row, meta) -> RuleLabels:
	field = meta.get_field(row.fieldname) if row.fieldname else None
	if not field:
		return RuleLabels()
	column = None
	if row.filter_field and field.fieldtype in TABLE_FIELDTYPES:
		column = frappe.get_meta(field.options).get_field(row.filter_field)
	if not column:
		return RuleLabels(field=_(field.label))
	return RuleLabels(
		field=_(field.label), filter_field=_(column.label), filter_value=filter_value_label(row, column)
	)


def filter_value_label(row, column) -> str | None:
	"""The row condition's value as the form shows it: a Select option translated, a Check Yes/No."""
	value = row.filter_value
	if value and column.fieldtype == "Select":
		return _(value)
	if value and column.fieldtype == "Check" and value.strip() in ("0", "1"):
		return _("Yes") if value.strip() == "1" else _("No")
	return value


@frappe.whitelist()
def restore_default_pipeline(mode: str) -> None:
	"""Put back the pipeline and rules the app ships for a default mode (B2B, B2C)."""
	from sales_modes.core.defaults import RESTORE_DEFAULTS_ROLES
	from sales_modes.setup.defaults import restore_mode_defaults

	frappe.only_for(RESTORE_DEFAULTS_ROLES)

	restore_mode_defaults(mode)


def rule_meta(table: str):
	"""The meta of the doctype a requirements table reads (Opportunity or Lead)."""
	frappe.has_permission("Sales Mode", "read", throw=True)
	if table not in RULE_TABLES:
		frappe.throw(_("Unknown requirements table {0}").format(table), title=_("Invalid Requirement"))
	return frappe.get_meta(RULE_TABLES[table])


@frappe.whitelist()
def describe_requirement(requirement: str | dict, table: str = "requirements") -> str:
	"""The plain-words preview of a rule being edited in the form (the same words saving stores)."""
	meta = rule_meta(table)
	row = frappe._dict(frappe.parse_json(requirement))
	row.message = row.message or ""
	return rule_summary(row, meta)


@frappe.whitelist()
def get_rule_fields(table: str, check_type: str | None = None, table_field: str | None = None) -> list[dict]:
	"""The choices of a rule's Field box by label: the fields the check type can read, or (given
	table_field) the columns of that table, for Only Rows Where. The value is the fieldname."""
	meta = rule_meta(table)
	wanted = {gates.MINIMUM_VALUE: NUMERIC_FIELDTYPES, gates.MINIMUM_ROWS: TABLE_FIELDTYPES}.get(check_type)
	if table_field:
		field = meta.get_field(table_field)
		if not field or field.fieldtype not in TABLE_FIELDTYPES:
			return []
		meta, wanted = frappe.get_meta(field.options), None
	labels = field_labels(meta)
	fields = [df for df in meta.fields if df.fieldname in labels and (not wanted or df.fieldtype in wanted)]
	repeated = {label for label in labels.values() if list(labels.values()).count(label) > 1}
	options = [
		{
			# The box shows the label and maps it back to the fieldname: a label must be unique
			"label": f"{labels[df.fieldname]} ({df.fieldname})"
			if labels[df.fieldname] in repeated
			else labels[df.fieldname],
			"value": df.fieldname,
			"description": df.fieldname,
			"options": column_values(df),
		}
		for df in fields
	]
	return sorted(options, key=lambda option: option["label"].lower())
