"""The stage gate on Opportunity, on top of core.gates.

Runs in Opportunity.validate, so the desk, REST, Data Import and scripts all pass through it.
"""

import frappe
from frappe import _
from frappe.utils import flt, now_datetime

from sales_modes.core import gates
from sales_modes.expressions import describe_unmet, evaluate_expression
from sales_modes.pipelines import doc_values, get_pipeline
from sales_modes.settings import can_override_gates, get_override_role, get_settings

# ERPNext's default probability on a new Opportunity: treated as "not set by the user"
ERPNEXT_DEFAULT_PROBABILITY = 100

# Set by apply_stage_gate in validate, read (once) by stage_log.record_transitions in on_change
GATE_FLAGS = ("gate_overridden", "gate_imported", "gate_override_reason", "gate_unmet")


class StageGateError(frappe.ValidationError):
	pass


def unmet_messages(requirements) -> list[str]:
	return [describe_unmet(r) for r in requirements]


def throw_unmet(subject: str, target: str, messages: list[str], hint: str | None = None) -> None:
	items = "".join(f"<li>{frappe.utils.escape_html(m)}</li>" for m in messages)
	message = _("{0} cannot enter {1} yet:").format(subject, frappe.bold(target)) + f"<ul>{items}</ul>"
	if hint:
		message += f"<p>{hint}</p>"
	frappe.throw(message, StageGateError, title=_("Requirements Not Met"))


def apply_stage_gate(doc) -> None:
	"""Validate the move to doc.sales_stage and set phase, probability and stage timestamp."""
	pipeline = get_pipeline(doc.sales_mode) if doc.sales_mode else None
	if not pipeline or not pipeline.stages or not doc.sales_stage:
		doc.buying_phase = None
		return

	before = doc.get_doc_before_save()
	mode_changed = bool(before and before.sales_mode != doc.sales_mode)
	# A new deal, or one that changed mode, enters its stage from outside the pipeline
	from_stage = None if (before is None or mode_changed) else before.sales_stage
	move = gates.plan_move(pipeline, from_stage, doc.sales_stage)
	stage_changed = before is None or before.sales_stage != doc.sales_stage
	if move.kind == gates.MoveKind.UNKNOWN and not (stage_changed or mode_changed):
		# A deal left outside the pipeline (e.g. from before the install) may still be edited
		doc.buying_phase = None
		return
	if move.kind == gates.MoveKind.UNKNOWN:
		frappe.throw(
			_("Stage {0} is not part of the {1} pipeline. Its stages are: {2}").format(
				frappe.bold(doc.sales_stage), doc.sales_mode, ", ".join(_(s.name) for s in pipeline.stages)
			),
			StageGateError,
			title=_("Invalid Stage"),
		)

	# Most saves do not move the deal: only a move into gated stages pays for evaluating rules
	requirements = pipeline.requirements_for(move.entered)
	missing = gates.unmet(requirements, doc_values(doc), evaluate_expression) if requirements else []
	doc.flags.gate_unmet = unmet_messages(missing)
	override_reason = (doc.gate_override_reason or "").strip()
	if missing:
		pass_or_override(doc, override_reason)
	# The reason is consumed by this move (and logged); it must not carry over to the next one
	doc.gate_override_reason = None

	stage = pipeline.stage(doc.sales_stage)
	doc.buying_phase = stage.phase
	if stage_changed:
		doc.stage_entered_on = now_datetime()
		follow_stage_probability(doc, before, stage)
	elif not doc.stage_entered_on:
		doc.stage_entered_on = doc.creation or now_datetime()


def pass_or_override(doc, override_reason: str) -> None:
	if frappe.flags.in_import and not get_settings().gate_data_import:
		doc.flags.gate_imported = True
		return
	if override_reason:
		if not can_override_gates():
			frappe.throw(
				_("Only users with the role {0} may override a stage gate.").format(
					frappe.bold(_(get_override_role()))
				),
				frappe.PermissionError,
				title=_("Not Permitted"),
			)
		doc.flags.gate_overridden = True
		doc.flags.gate_override_reason = override_reason
		return
	hint = None
	if can_override_gates():
		hint = _("To move the deal anyway, give a Gate Override Reason.")
	subject = _("Opportunity {0}").format(doc.name) if not doc.is_new() else _("This opportunity")
	throw_unmet(subject, _(doc.sales_stage), doc.flags.gate_unmet, hint)


def follow_stage_probability(doc, before, stage: gates.Stage) -> None:
	"""Probability follows the stage default unless the user set it in this same save."""
	if stage.probability is None:
		return
	if before is None:
		user_set = doc.probability not in (None, "", ERPNEXT_DEFAULT_PROBABILITY)
	else:
		user_set = flt(doc.probability) != flt(before.probability)
	if not user_set:
		doc.probability = stage.probability
