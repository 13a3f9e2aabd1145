"""The Stage Transition log: one row per stage, mode and status change of an opportunity, and
per override given without a move. It outlives the deal."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import flt, get_datetime, now_datetime, time_diff_in_seconds

from sales_modes import close_date, gate
from sales_modes.core.deal_states import (
	GATE_OVERRIDE,
	LOST_EVENT,
	MODE_CHANGE,
	STAGE_CHANGE,
	WON,
	status_event,
)
from sales_modes.core.defaults import DELETE_WITH_HISTORY_ROLES
from sales_modes.pipelines import get_pipeline

# Who may delete an opportunity that has a logged history (its rows stay, marked as of a deleted deal)


def record_transitions(doc) -> None:
	"""Log the gate's outcome of this save, once, in the saving transaction."""
	if doc.flags.in_delete:  # delete_doc runs on_change too; on_trash marks the rows instead
		return
	outcome = gate.pending_outcome(doc)
	if outcome is None:
		# A save that skipped validate (flags.ignore_validate): held to the gate here
		outcome = gate.check_system_change(doc)
	outcome.logged = True
	if outcome.system:
		# db_set wrote one field: the fields the gate keeps in step are written here
		frappe.db.set_value(
			"Opportunity",
			doc.name,
			{fieldname: doc.get(fieldname) for fieldname in gate.SERVER_OWNED_FIELDS},
			update_modified=False,
		)
	rows = transition_rows(outcome)
	if not rows:
		return
	pipeline = get_pipeline(doc.sales_mode) if doc.sales_mode else None
	now = now_datetime()
	days_left = (
		flt(time_diff_in_seconds(now, outcome.stage_since) / 86400.0, 2) if outcome.stage_since else None
	)
	for row in rows:
		passage = row.pop("passage")
		at = event_time(doc, row["event"], now)
		frappe.get_doc(
			{
				"doctype": "Stage Transition",
				**transition_values(
					opportunity=doc.name,
					sales_mode=doc.sales_mode,
					status=doc.status,
					pipeline=pipeline,
					transitioned_on=at,
					user=frappe.session.user,
					# For an event that keeps the deal in its stage: the time so far in that stage
					days_in_previous_stage=days_left
					if row["event"] in (STAGE_CHANGE, MODE_CHANGE)
					else stage_days_so_far(doc, at),
					overridden=passage.overridden,
					imported=passage.imported,
					system_change=passage.system,
					override_reason=outcome.override_reason
					if passage.overridden or row["event"] == MODE_CHANGE
					else None,
					unmet=list(passage.unmet),
					**row,
				),
			}
		).insert(ignore_permissions=True)


CLOSE_EVENTS = (WON, LOST_EVENT)


def event_time(doc, event: str, now):
	"""When an event happened: now, except a win or loss loaded through Data Import with its own
	close date (a 2019 win imported today is a 2019 win, for cycle times and the trend months)."""
	if event in CLOSE_EVENTS and doc.get(close_date.FIELD) and close_date.imported_close_dates_allowed():
		return get_datetime(doc.get(close_date.FIELD))
	return now


def transition_rows(outcome: "gate.GateOutcome") -> list[dict]:
	"""The rows one save is logged as: a mode change, a stage change, a status event, each with the
	part of the gate it passed; an override given without any of them gets a row of its own."""
	before, after = outcome.before, outcome.after
	no_passage = gate.Passage()
	rows = []
	moved = bool(after.stage) and (before is None or after.stage != before.stage)
	if outcome.mode_changed:
		rows.append(
			{
				"event": MODE_CHANGE,
				"from_stage": before.stage,
				"to_stage": before.stage,
				"from_mode": before.mode,
				"to_mode": after.mode,
				"passage": no_passage if moved else outcome.stage,
			}
		)
	if moved:
		rows.append(
			{
				"event": STAGE_CHANGE,
				"from_stage": before.stage if before else None,
				"to_stage": after.stage,
				"passage": outcome.stage,
			}
		)
	event = status_event(before.status if before else None, after.status)
	if event:
		rows.append(
			{"event": event, "from_stage": after.stage, "to_stage": after.stage, "passage": outcome.outcome}
		)
	carried = {id(row["passage"]) for row in rows}
	left = [p for p in (outcome.stage, outcome.outcome) if p.unmet and id(p) not in carried]
	if left:
		rows.append(
			{
				"event": GATE_OVERRIDE,
				"from_stage": after.stage,
				"to_stage": after.stage,
				"passage": gate.Passage(
					unmet=tuple(m for p in left for m in p.unmet),
					overridden=any(p.overridden for p in left),
					imported=any(p.imported for p in left),
					system=any(p.system for p in left),
				),
			}
		)
	return rows


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
	from_mode: str | None = None,
	to_mode: str | None = None,
	system_change: bool = False,
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
		"from_mode": from_mode,
		"to_mode": to_mode,
		"transitioned_on": transitioned_on,
		"user": user,
		"days_in_previous_stage": days_in_previous_stage,
		"gate_overridden": 1 if overridden else 0,
		"imported": 1 if imported else 0,
		"system_change": 1 if system_change else 0,
		"override_reason": override_reason,
		"unmet_requirements": "\n".join(unmet) if unmet else None,
	}


def stage_days_so_far(doc, now) -> float | None:
	entered = doc.stage_entered_on or doc.creation
	days = flt(time_diff_in_seconds(now, entered) / 86400.0, 2) if entered else None
	# An imported close dated before the deal reached the app: its time in the stage is unknown
	return days if days is None or days >= 0 else None


def keep_transitions_of_deleted(doc) -> None:
	"""The log outlives the deal: its rows stay, marked, readable by managers only. Deleting a
	deal with a logged history is for a Sales Manager or System Manager."""
	transition = DocType("Stage Transition")
	if not frappe.db.exists("Stage Transition", {"opportunity": doc.name}):
		return
	if not (set(DELETE_WITH_HISTORY_ROLES) & set(frappe.get_roles())):
		frappe.throw(
			_("Opportunity {0} has a logged stage history: only a {1} or {2} may delete it.").format(
				doc.name, _(DELETE_WITH_HISTORY_ROLES[0]), _(DELETE_WITH_HISTORY_ROLES[1])
			),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	frappe.qb.update(transition).set(transition.opportunity_deleted, 1).where(
		transition.opportunity == doc.name
	).run()
