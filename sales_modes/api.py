"""Whitelisted endpoints for the desk scripts."""

import frappe
from frappe import _

from sales_modes.core import gates
from sales_modes.expressions import describe_unmet, evaluate_expression
from sales_modes.gate import current_unmet
from sales_modes.pipelines import doc_values, document_counter, get_pipeline
from sales_modes.settings import can_override_gates


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
				"state": "current"
				if i == current
				else ("done" if current is not None and i < current else "todo"),
				"guidance": _(guidance.get(s.name) or "") or None,
			}
			for i, s in enumerate(pipeline.stages)
		],
		"current_stage": doc.sales_stage if current is not None else None,
		"next_stage": next_stage.name if next_stage else None,
		"missing": [describe_unmet(r) for r in missing],
		"unmet_current": [describe_unmet(r) for r in current_unmet(doc)],
		"requirements_not_met": bool(doc.requirements_not_met),
		"override_stage": doc.gate_override_stage or None,
		"override_outcome": doc.gate_override_outcome or None,
		"can_override": can_override_gates(),
	}
