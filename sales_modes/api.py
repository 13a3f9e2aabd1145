"""Whitelisted endpoints for the desk scripts."""

import frappe
from frappe import _

from sales_modes.core import gates
from sales_modes.expressions import describe_unmet, evaluate_expression
from sales_modes.gate import current_unmet
from sales_modes.pipelines import doc_values, document_counter, get_pipeline
from sales_modes.settings import can_override_gates


def stage_state(index: int, current: int | None, stage: str, skipped_unless_entered: set[str] | None) -> str:
	"""current, done, skipped or todo.

	Where the mode allows skipping, an earlier stage the deal never entered was skipped; where it
	does not, a move enters every stage it passes over (their requirements included), so they are
	done. A deal without any logged stage change (older than the app) counts them as done.
	"""
	if index == current:
		return "current"
	if current is None or index > current:
		return "todo"
	return "skipped" if skipped_unless_entered and stage not in skipped_unless_entered else "done"


def entered_stages(opportunity: str) -> set[str]:
	return set(
		frappe.get_all(
			"Stage Transition",
			filters={"opportunity": opportunity, "to_stage": ("is", "set")},
			pluck="to_stage",
			distinct=True,
		)
	)


@frappe.whitelist()
def get_stage_readiness(opportunity: str) -> dict:
	"""The mode's path with the current stage marked, what the deal lacks for the next stage, and
	what it lacks where it stands (`unmet_current`: grandfathered or overridden rules)."""
	doc = frappe.get_doc("Opportunity", opportunity)
	doc.check_permission("read")
	if not doc.sales_mode:
		return {
			"sales_mode": None,
			"stages": [],
			"missing": [],
			"unmet_current": [],
			"requirements_not_met": False,
			"can_override": False,
		}
	pipeline = get_pipeline(doc.sales_mode)
	current = pipeline.index(doc.sales_stage)
	next_stage, missing = gates.readiness(
		pipeline, doc.sales_stage, doc_values(doc), evaluate_expression, document_counter(doc.name)
	)
	mode = frappe.get_cached_doc("Sales Mode", doc.sales_mode)
	guidance = {row.sales_stage: row.guidance for row in mode.stages}
	entered = entered_stages(doc.name) if mode.allow_stage_skipping else None
	return {
		"sales_mode": doc.sales_mode,
		"family": mode.family,
		"allow_stage_skipping": bool(mode.allow_stage_skipping),
		"stages": [
			{
				"stage": s.name,
				"label": _(s.name),
				"phase": s.phase,
				"phase_label": _(s.phase) if s.phase else None,
				"probability": s.probability,
				"state": stage_state(i, current, s.name, entered),
				"guidance": _(guidance.get(s.name) or "") or None,
			}
			for i, s in enumerate(pipeline.stages)
		],
		"current_stage": doc.sales_stage if current is not None else None,
		"current_guidance": _(guidance.get(doc.sales_stage) or "") or None,
		"next_stage": next_stage.name if next_stage else None,
		"missing": [describe_unmet(r) for r in missing],
		"unmet_current": [describe_unmet(r) for r in current_unmet(doc)],
		"requirements_not_met": bool(doc.requirements_not_met),
		"override_stage": doc.gate_override_stage or None,
		"override_outcome": doc.gate_override_outcome or None,
		"can_override": can_override_gates(),
	}


@frappe.whitelist()
def check_stage_move(doc: str | dict) -> dict:
	"""What the deal as it stands in the form lacks to move from its saved stage to the one in
	the form: exactly what an override would bypass. Nothing is saved."""
	doc = frappe.get_doc(frappe.parse_json(doc))
	if doc.doctype != "Opportunity":
		frappe.throw(
			_("Only opportunities have a sales path."), frappe.ValidationError, title=_("Not an Opportunity")
		)
	saved = None
	if doc.name and frappe.db.exists("Opportunity", doc.name):
		saved = frappe.db.get_value("Opportunity", doc.name, ["sales_mode", "sales_stage"], as_dict=True)
		frappe.get_doc("Opportunity", doc.name).check_permission("write")
	else:
		frappe.has_permission("Opportunity", "create", throw=True)
	moves = not saved or (saved.sales_mode, saved.sales_stage) != (doc.sales_mode, doc.sales_stage)
	# Entering a stage meets every rule in force there: the gate's own list (gate.current_unmet)
	missing = current_unmet(doc) if moves else []
	return {
		"stage": doc.sales_stage,
		"missing": [describe_unmet(r) for r in missing],
		"can_override": can_override_gates(),
	}


@frappe.whitelist()
def get_party_mode(party_doctype: str, party_name: str) -> dict:
	"""The mode a deal with this party would be inferred to, and that mode's family."""
	from sales_modes.mode_resolution import infer_party_mode

	frappe.has_permission(party_doctype, "read", party_name, throw=True)
	mode = infer_party_mode(party_doctype, party_name)
	family = frappe.db.get_value("Sales Mode", mode, "family", cache=True) if mode else None
	return {"sales_mode": mode, "family": family}
