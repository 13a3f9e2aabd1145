"""The gate on Opportunity: one invariant, held on every save, on top of core.gates.

A deal standing in a stage of its mode's pipeline meets every rule of that stage and of the
stages before it (skipped ones included), and a deal closed as Won or Lost every rule of that
outcome, unless an override logged for that stage (or outcome) stands. It runs in
Opportunity.validate, so the desk, REST, bulk edit, Kanban, Data Import and scripts all pass
through it; `db_set` from server code (ERPNext sets the status that way) passes through
`check_system_change`.

What a save must meet (core.gates.rules_to_enforce): entering a stage (a move forward or back, a
new deal, a new mode) meets every rule in force; closing as Won or Lost meets that outcome's
rules; any other save meets the rules that read a field it changes. A deal that stood in its stage
before a rule existed (grandfathered) can be edited wherever no unmet rule reads, and carries
`requirements_not_met`.

validate writes one GateOutcome; stage_log reads it once, in on_change, and logs it.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

import frappe
from frappe import _
from frappe.model import child_table_fields, default_fields
from frappe.utils import cstr, flt, get_datetime, getdate, now_datetime

from sales_modes.core import gates
from sales_modes.core.deal_states import gated_outcome
from sales_modes.expressions import describe_unmet, evaluate_expression
from sales_modes.pipelines import doc_values, document_counter, get_pipeline
from sales_modes.settings import can_override_gates, get_override_role, get_settings

# ERPNext's default probability on a new Opportunity: treated as "not set by the user"
ERPNEXT_DEFAULT_PROBABILITY = 100

# Set by the server only: a client's values (desk, REST, import) are replaced by the stored ones
SERVER_OWNED_FIELDS = (
	"buying_phase",
	"stage_entered_on",
	"gate_override_stage",
	"gate_override_outcome",
	"requirements_not_met",
)

NUMERIC_FIELDTYPES = ("Int", "Float", "Currency", "Percent", "Check", "Rating", "Duration")
ROW_BOOKKEEPING = {*default_fields, *child_table_fields}


class StageGateError(frappe.ValidationError):
	pass


class DealState(NamedTuple):
	mode: str | None
	stage: str | None
	status: str | None


@dataclass
class Passage:
	"""How a deal came to stand somewhere with rules unmet: which rules, and what let it through."""

	unmet: tuple[str, ...] = ()
	overridden: bool = False  # the override role gave a reason
	imported: bool = False  # Data Import with gating switched off
	system: bool = False  # server code bypassing validate (ERPNext's conversion): logged, not blocked


@dataclass
class GateOutcome:
	"""What the gate decided about one save of an opportunity; stage_log logs it once."""

	before: DealState | None  # None for a new deal
	after: DealState
	stage: Passage = field(default_factory=Passage)  # the stage part: an entry, a mode change, an edit
	outcome: Passage = field(default_factory=Passage)  # the Won / Lost part
	override_reason: str | None = None
	stage_since: object = None  # when the deal entered the stage it stood in before this save
	system: bool = False  # decided outside validate (db_set, a save with ignore_validate)
	logged: bool = False

	@property
	def mode_changed(self) -> bool:
		return bool(self.before and self.before.mode and self.before.mode != self.after.mode)


def pending_outcome(doc) -> GateOutcome | None:
	"""The outcome of the save being finished, or None when it was logged already (or never made)."""
	outcome = doc.flags.get("sales_modes_gate")
	return None if outcome is None or outcome.logged else outcome


def last_outcome(doc) -> GateOutcome | None:
	return doc.flags.get("sales_modes_gate")


def state_of(doc) -> DealState | None:
	return DealState(doc.sales_mode or None, doc.sales_stage or None, doc.status or None) if doc else None


# validate
def apply_stage_gate(doc) -> None:
	"""Hold the invariant for this save, set the server-owned fields, and leave one GateOutcome."""
	before = doc.get_doc_before_save()
	keep_server_owned(doc, before)
	reason = (doc.gate_override_reason or "").strip() or None
	# The reason belongs to this save (and its log): it must not carry over to the next one
	doc.gate_override_reason = None
	doc.flags.sales_modes_gate = decide(doc, before, state_of(before), reason)


def keep_server_owned(doc, before) -> None:
	for fieldname in SERVER_OWNED_FIELDS:
		doc.set(fieldname, before.get(fieldname) if before else None)
	doc.requirements_not_met = doc.requirements_not_met or 0


# db_set (before_change) and saves that skipped validate (on_change)
def check_system_change(doc) -> GateOutcome:
	"""Server code changed the deal without validate. Stage and mode moves are held to the gate
	(ERPNext never makes them that way); a status ERPNext sets (a submitted sales order converts
	the deal, a lost quotation loses it) is never blocked: it is logged with what it lacked."""
	previous = last_outcome(doc)
	before = doc.get_doc_before_save()
	# ERPNext's set_status calls db_set twice on one object against one doc_before_save: what
	# this object already logged is where the next change starts from
	start = previous.after if previous and previous.logged else state_of(before)
	outcome = decide(doc, before, start, None, system=True)
	doc.flags.sales_modes_gate = outcome
	return outcome


def decide(doc, before, start: DealState | None, reason: str | None, system: bool = False) -> GateOutcome:
	after = state_of(doc)
	outcome = GateOutcome(before=start, after=after, override_reason=reason, system=system)
	if start is not None:
		outcome.stage_since = doc.stage_entered_on or doc.creation
	if outcome.mode_changed:
		check_mode_change(doc, start, reason, system)
	pipeline = get_pipeline(doc.sales_mode) if doc.sales_mode else None
	if not pipeline or not pipeline.stages or not doc.sales_stage:
		clear_gate_fields(doc)
		return outcome
	stage = pipeline.stage(doc.sales_stage)
	stage_changed = start is None or start.stage != after.stage
	if stage is None:
		if stage_changed or outcome.mode_changed:
			frappe.throw(
				_("Stage {0} is not part of the {1} pipeline. Its stages are: {2}").format(
					frappe.bold(doc.sales_stage),
					doc.sales_mode,
					", ".join(_(s.name) for s in pipeline.stages),
				),
				StageGateError,
				title=_("Invalid Stage"),
			)
		# A deal left outside the pipeline (e.g. from before the install) may still be edited
		clear_gate_fields(doc)
		return outcome

	closed_as = gated_outcome(doc.status)
	entered_stage = stage_changed or outcome.mode_changed
	entered_outcome = bool(closed_as) and (
		start is None or start.status != after.status or outcome.mode_changed
	)
	if entered_stage:
		doc.gate_override_stage = None
	if entered_outcome or not closed_as or outcome.mode_changed:
		doc.gate_override_outcome = None

	in_force = pipeline.rules_in_force(doc.sales_stage, closed_as)
	changed = [] if entered_stage else changed_fields(doc, before, in_force)
	to_enforce = gates.rules_to_enforce(
		in_force, entered_stage=entered_stage, entered_outcome=entered_outcome, changed_fields=changed
	)
	doc.buying_phase = stage.phase
	if entered_stage:
		doc.stage_entered_on = now_datetime()
	if stage_changed:
		follow_stage_probability(doc, before if start else None, stage)
	if not in_force:
		doc.requirements_not_met = 0
	if not to_enforce:
		return outcome  # most saves: nothing a rule reads changed, nothing to evaluate

	missing = unmet_by_rule(doc, in_force)
	doc.requirements_not_met = 1 if missing else 0
	enforced = {id(r) for r in to_enforce}
	blocking = [
		reported
		for rule, reported in missing
		if id(rule) in enforced and not override_stands(doc, rule, closed_as)
	]
	if blocking:
		let_through(doc, outcome, blocking, closed_as, entering=entered_stage or entered_outcome)
	return outcome


def unmet_by_rule(doc, rules) -> list[tuple[gates.Requirement, gates.Requirement]]:
	"""Each unmet rule with the requirement the engine reported for it (which may say that the
	rule could not be evaluated): rules are matched by identity, never by equality."""
	values, count = doc_values(doc), document_counter(saved_name(doc))
	missing = []
	for rule in rules:
		reported = gates.unmet([rule], values, evaluate_expression, count)
		if reported:
			missing.append((rule, reported[0]))
	return missing


def saved_name(doc) -> str | None:
	return None if doc.is_new() else doc.name


def clear_gate_fields(doc) -> None:
	doc.buying_phase = None
	doc.gate_override_stage = doc.gate_override_outcome = None
	doc.requirements_not_met = 0


def override_stands(doc, requirement: gates.Requirement, closed_as: str | None) -> bool:
	"""An override logged for the deal's stage (or outcome) stands until it leaves it."""
	if requirement.applies_to == gates.APPLIES_TO_STAGE:
		return bool(doc.gate_override_stage) and doc.gate_override_stage == doc.sales_stage
	return bool(closed_as) and doc.gate_override_outcome == closed_as


def let_through(doc, outcome: GateOutcome, blocking, closed_as: str | None, entering: bool) -> None:
	"""The save lacks `blocking`: refuse it, or let it through on the record."""
	stage_rules = [r for r in blocking if r.applies_to == gates.APPLIES_TO_STAGE]
	outcome_rules = [r for r in blocking if r.applies_to != gates.APPLIES_TO_STAGE]
	stage_unmet, outcome_unmet = tuple(unmet_messages(stage_rules)), tuple(unmet_messages(outcome_rules))
	if outcome.system and not stage_rules:
		outcome.outcome = Passage(outcome_unmet, system=True)
		return
	if frappe.flags.in_import and not get_settings().gate_data_import:
		outcome.stage = Passage(stage_unmet, imported=bool(stage_unmet))
		outcome.outcome = Passage(outcome_unmet, imported=bool(outcome_unmet))
		return
	if outcome.override_reason:
		require_override_role(_("override a stage gate"))
		outcome.stage = Passage(stage_unmet, overridden=bool(stage_unmet))
		outcome.outcome = Passage(outcome_unmet, overridden=bool(outcome_unmet))
		if stage_unmet:
			doc.gate_override_stage = doc.sales_stage
		if outcome_unmet:
			doc.gate_override_outcome = closed_as
		return
	hint = None
	if can_override_gates() and not outcome.system:
		hint = _("To save the deal anyway, give a Gate Override Reason.")
	subject = _("Opportunity {0}").format(doc.name) if not doc.is_new() else _("This opportunity")
	targets = ([_(doc.sales_stage)] if stage_rules else []) + ([_(closed_as)] if outcome_rules else [])
	throw_unmet(subject, " / ".join(targets), [*stage_unmet, *outcome_unmet], hint, entering=entering)


def check_mode_change(doc, start: DealState, reason: str | None, system: bool) -> None:
	"""Past its first stage, a deal changes mode only by the override role, with a reason."""
	if frappe.flags.in_import and not get_settings().gate_data_import:
		return
	if not start.stage or not frappe.db.exists("Sales Mode", start.mode):
		return
	old_stages = get_pipeline(start.mode).stages
	if old_stages and start.stage == old_stages[0].name:
		return
	require_override_role(_("change the mode of a deal past its first stage"))
	if not reason or system:
		frappe.throw(
			_("Give a Gate Override Reason to move a deal past its first stage from {0} to {1}.").format(
				frappe.bold(start.mode), frappe.bold(doc.sales_mode)
			),
			StageGateError,
			title=_("Reason Required"),
		)


def require_override_role(action: str) -> None:
	if not can_override_gates():
		frappe.throw(
			_("Only users with the role {0} may {1}.").format(frappe.bold(_(get_override_role())), action),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


def changed_fields(doc, before, rules) -> list[str]:
	"""The fields the rules read whose value this save changes (every field, for a rule that may
	read anything). Compared in memory against the saved document: no query."""
	read = [gates.fields_read(r) for r in rules]
	if any(r is None for r in read):
		candidates = {df.fieldname for df in doc.meta.fields if df.fieldname not in SERVER_OWNED_FIELDS}
	else:
		candidates = set().union(*read) if read else set()
	if before is None:
		return sorted(candidates)
	return sorted(f for f in candidates if signature(doc, f) != signature(before, f))


def signature(doc, fieldname: str):
	"""A value as stored, so "1" from a client and 1 from the database compare equal."""
	value = doc.get(fieldname)
	if isinstance(value, list):
		return tuple(
			tuple(
				sorted(
					(key, normalise(row.meta.get_field(key), v))
					for key, v in row.as_dict().items()
					if key not in ROW_BOOKKEEPING and not key.startswith("__")
				)
			)
			for row in value
		)
	return normalise(doc.meta.get_field(fieldname), value)


def normalise(df, value):
	fieldtype = df.fieldtype if df else None
	if fieldtype in NUMERIC_FIELDTYPES:
		return flt(value)
	if value in (None, ""):
		return None
	if fieldtype == "Date":
		return str(getdate(value))
	if fieldtype == "Datetime":
		return str(get_datetime(value))
	return cstr(value)


def unmet_messages(requirements) -> list[str]:
	return [describe_unmet(r) for r in requirements]


def throw_unmet(
	subject: str, target: str, messages: list[str], hint: str | None = None, entering: bool = True
) -> None:
	items = "".join(f"<li>{frappe.utils.escape_html(m)}</li>" for m in messages)
	if entering:
		lead = _("{0} cannot enter {1} yet:").format(subject, frappe.bold(target))
	else:
		lead = _("{0} must keep meeting the requirements of {1}:").format(subject, frappe.bold(target))
	message = lead + f"<ul>{items}</ul>"
	if hint:
		message += f"<p>{hint}</p>"
	frappe.throw(message, StageGateError, title=_("Requirements Not Met"))


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


def current_unmet(doc) -> list[gates.Requirement]:
	"""The rules in force the deal does not meet now (what an override would have to bypass)."""
	if not doc.sales_mode or not doc.sales_stage:
		return []
	pipeline = get_pipeline(doc.sales_mode)
	if pipeline.index(doc.sales_stage) is None:
		return []
	in_force = pipeline.rules_in_force(doc.sales_stage, gated_outcome(doc.status))
	return gates.unmet(in_force, doc_values(doc), evaluate_expression, document_counter(saved_name(doc)))


def refresh_requirement_flags(sales_mode: str | None = None) -> int:
	"""Re-evaluate `requirements_not_met` on open deals after their mode's rules changed (or after
	the install gave legacy deals a mode). Returns how many flags changed."""
	from sales_modes.core.deal_states import OPEN_STATUSES

	filters = {"sales_stage": ("is", "set"), "status": ("in", OPEN_STATUSES)}
	filters["sales_mode"] = sales_mode if sales_mode else ("is", "set")
	changed = 0
	for name in frappe.get_all("Opportunity", filters=filters, pluck="name", order_by="name"):
		doc = frappe.get_doc("Opportunity", name)
		flag = 1 if current_unmet(doc) else 0
		if flag != doc.requirements_not_met:
			frappe.db.set_value("Opportunity", name, "requirements_not_met", flag, update_modified=False)
			changed += 1
	return changed
