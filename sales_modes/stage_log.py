"""The Stage Transition log: one row per stage and status change of an opportunity."""

import frappe
from frappe.utils import flt, now_datetime, time_diff_in_seconds

from sales_modes.core.deal_states import STAGE_CHANGE, status_event
from sales_modes.gate import GATE_FLAGS
from sales_modes.pipelines import get_pipeline


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
		rows.append({"event": STAGE_CHANGE, "from_stage": previous_stage, "to_stage": doc.sales_stage})
	event = status_event(previous_status, doc.status)
	if event:
		rows.append({"event": event, "from_stage": doc.sales_stage, "to_stage": doc.sales_stage})
	if not rows:
		return

	pipeline = get_pipeline(doc.sales_mode) if doc.sales_mode else None
	now = now_datetime()
	entered_previous = (before.stage_entered_on or before.creation) if before else None
	days_in_previous = (
		flt(time_diff_in_seconds(now, entered_previous) / 86400.0, 2) if entered_previous else None
	)

	for row in rows:
		leaves_stage = row["event"] == STAGE_CHANGE
		frappe.get_doc(
			{
				"doctype": "Stage Transition",
				**transition_values(
					opportunity=doc.name,
					sales_mode=doc.sales_mode,
					status=doc.status,
					event=row["event"],
					from_stage=row["from_stage"],
					to_stage=row["to_stage"],
					pipeline=pipeline,
					transitioned_on=now,
					user=frappe.session.user,
					# For a status event the deal stays in its stage: the time so far in that stage
					days_in_previous_stage=days_in_previous if leaves_stage else stage_days_so_far(doc, now),
					overridden=leaves_stage and bool(gate["gate_overridden"]),
					imported=leaves_stage and bool(gate["gate_imported"]),
					override_reason=gate["gate_override_reason"] if leaves_stage else None,
					unmet=gate["gate_unmet"] if leaves_stage else None,
				),
			}
		).insert(ignore_permissions=True)


def transition_values(
	*,
	opportunity: str,
	sales_mode: str | None,
	status: str | None,
	event: str,
	from_stage: str | None,
	to_stage: str | None,
	pipeline,
	transitioned_on,
	user: str,
	days_in_previous_stage: float | None,
	overridden: bool = False,
	imported: bool = False,
	override_reason: str | None = None,
	unmet: list[str] | None = None,
) -> dict:
	"""The fields of one Stage Transition row: the one definition the log and the demo's bulk load share."""

	def phase_of(stage):
		found = pipeline.stage(stage) if pipeline and stage else None
		return found.phase if found else None

	return {
		"opportunity": opportunity,
		"sales_mode": sales_mode,
		"status": status,
		"event": event,
		"from_stage": from_stage,
		"to_stage": to_stage,
		"from_phase": phase_of(from_stage),
		"to_phase": phase_of(to_stage),
		"transitioned_on": transitioned_on,
		"user": user,
		"days_in_previous_stage": days_in_previous_stage,
		"gate_overridden": 1 if overridden else 0,
		"imported": 1 if imported else 0,
		"override_reason": override_reason,
		"unmet_requirements": "\n".join(unmet) if unmet else None,
	}


def stage_days_so_far(doc, now) -> float | None:
	entered = doc.stage_entered_on or doc.creation
	return flt(time_diff_in_seconds(now, entered) / 86400.0, 2) if entered else None


def delete_transitions(opportunity: str) -> None:
	frappe.db.delete("Stage Transition", {"opportunity": opportunity})
