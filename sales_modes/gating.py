"""The stage gate on Opportunity and the Stage Transition log, on top of core.gates.

Runs in Opportunity.validate, so the desk, REST, Data Import and scripts all pass through it.
"""

import frappe
from frappe import _
from frappe.utils import flt, now_datetime, time_diff_in_seconds

from sales_modes.core import gates
from sales_modes.settings import can_override_gates, get_override_role, get_settings

# ERPNext's default probability on a new Opportunity: treated as "not set by the user"
ERPNEXT_DEFAULT_PROBABILITY = 100
OPEN_STATUSES = ("Open", "Replied", "Quotation")
STATUS_EVENTS = {"Converted": "Won", "Lost": "Lost", "Closed": "Closed"}
CLOSED_STATUSES = tuple(STATUS_EVENTS)
# Set by apply_stage_gate in validate, read (once) by record_transitions in on_change
GATE_FLAGS = ("gate_overridden", "gate_imported", "gate_override_reason", "gate_unmet")


class StageGateError(frappe.ValidationError):
	pass


def requirement_from_row(row) -> gates.Requirement:
	return gates.Requirement(
		check_type=row.check_type,
		message=row.message,
		stage=row.get("sales_stage") or None,
		fieldname=row.fieldname or None,
		value=row.value or None,
		filter_field=row.filter_field or None,
		filter_value=row.filter_value or None,
		expression=row.expression or None,
	)


def get_pipeline(mode: str) -> gates.Pipeline:
	mode_doc = frappe.get_cached_doc("Sales Mode", mode)
	return gates.Pipeline(
		stages=tuple(
			gates.Stage(row.sales_stage, row.buying_phase, row.probability, row.stall_after_days)
			for row in mode_doc.stages
		),
		requirements=tuple(requirement_from_row(row) for row in mode_doc.requirements),
		allow_skipping=bool(mode_doc.allow_stage_skipping),
	)


def get_lead_requirements(mode: str) -> list[gates.Requirement]:
	return [requirement_from_row(row) for row in frappe.get_cached_doc("Sales Mode", mode).lead_requirements]


def evaluate_expression(expression: str, doc) -> object:
	return frappe.safe_eval(expression, None, {"doc": frappe._dict(doc)})


def doc_values(doc) -> dict:
	return doc.as_dict(convert_dates_to_str=True)


def unmet_messages(requirements) -> list[str]:
	return [_(r.message) for r in requirements]


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


def status_event(old_status: str | None, new_status: str | None) -> str | None:
	if old_status == new_status or new_status is None:
		return None
	if new_status in STATUS_EVENTS:
		return STATUS_EVENTS[new_status]
	if old_status in CLOSED_STATUSES:
		return "Reopened"
	if old_status is None:
		return None
	return "Status Change"


def record_transitions(doc) -> None:
	"""One Stage Transition row per stage change and per status change, in the saving transaction."""
	if doc.flags.in_delete:  # delete_doc runs on_change too; the log goes with the opportunity
		return
	# Flags belong to one save: a later db_set on the same object must not log them again
	gate = {flag: doc.flags.pop(flag, None) for flag in GATE_FLAGS}
	before = doc.get_doc_before_save()
	# ERPNext's set_status(update=True) calls db_set twice on one object, and each call runs
	# on_change against the same doc_before_save: what this object already logged comes first.
	logged = doc.flags.get("logged_state") or (
		(before.sales_stage, before.status) if before else (None, None)
	)
	doc.flags.logged_state = (doc.sales_stage, doc.status)
	previous_stage, previous_status = logged
	rows = []
	if doc.sales_stage and doc.sales_stage != previous_stage:
		rows.append({"event": "Stage Change", "from_stage": previous_stage, "to_stage": doc.sales_stage})
	event = status_event(previous_status, doc.status)
	if event:
		rows.append({"event": event, "from_stage": doc.sales_stage, "to_stage": doc.sales_stage})
	if not rows:
		return

	pipeline = get_pipeline(doc.sales_mode) if doc.sales_mode else None
	now = now_datetime()
	phase_of = lambda stage: pipeline.stage(stage).phase if pipeline and pipeline.stage(stage) else None  # noqa: E731
	entered_previous = (before.stage_entered_on or before.creation) if before else None
	days_in_previous = (
		flt(time_diff_in_seconds(now, entered_previous) / 86400.0, 2) if entered_previous else None
	)

	for row in rows:
		leaves_stage = row["event"] == "Stage Change"
		frappe.get_doc(
			{
				"doctype": "Stage Transition",
				"opportunity": doc.name,
				"sales_mode": doc.sales_mode,
				"status": doc.status,
				"from_phase": phase_of(row["from_stage"]),
				"to_phase": phase_of(row["to_stage"]),
				"transitioned_on": now,
				"user": frappe.session.user,
				# For a status event the deal stays in its stage: the time so far in that stage
				"days_in_previous_stage": days_in_previous if leaves_stage else stage_days_so_far(doc, now),
				"gate_overridden": 1 if leaves_stage and gate["gate_overridden"] else 0,
				"imported": 1 if leaves_stage and gate["gate_imported"] else 0,
				"override_reason": gate["gate_override_reason"] if leaves_stage else None,
				"unmet_requirements": "\n".join(gate["gate_unmet"] or []) if leaves_stage else None,
				**row,
			}
		).insert(ignore_permissions=True)


def stage_days_so_far(doc, now) -> float | None:
	entered = doc.stage_entered_on or doc.creation
	return flt(time_diff_in_seconds(now, entered) / 86400.0, 2) if entered else None


def delete_transitions(opportunity: str) -> None:
	frappe.db.delete("Stage Transition", {"opportunity": opportunity})
