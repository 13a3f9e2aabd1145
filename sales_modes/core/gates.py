"""The stage-gate engine: a document, a pipeline and its rules -> the requirements still unmet.

The engine knows nothing of Frappe. Documents are plain mappings (child tables are lists of
mappings), so the same rules run on a saved Opportunity, a Data Import row or a test dict.
Expressions are evaluated by a callable the caller injects (the Frappe layer passes
`sales_modes.expressions.evaluate_expression`), so this module never evaluates code itself. A rule
whose expression raises is not silently "unmet": `is_met` raises RuleError, and `unmet` lists it
as an Unevaluated requirement carrying the error, so callers can say so.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import Enum

from sales_modes.core.deal_states import LOST_EVENT, WON

FIELD_IS_SET = "Field Is Set"
MINIMUM_VALUE = "Minimum Value"
MINIMUM_ROWS = "Minimum Rows"
EXPRESSION = "Expression"
# Facts beyond the deal's own fields: how many submitted documents of the listed doctypes the deal
# has (e.g. a quotation or a sales order). The caller counts them (DocumentCounter).
SUBMITTED_DOCUMENTS = "Submitted Documents"
CHECK_TYPES = (FIELD_IS_SET, MINIMUM_VALUE, MINIMUM_ROWS, EXPRESSION, SUBMITTED_DOCUMENTS)

# What a rule gates: a stage, or closing the deal as won or lost
APPLIES_TO_STAGE = "Stage"
APPLIES_TO_WON = WON
APPLIES_TO_LOST = LOST_EVENT
APPLIES_TO = (APPLIES_TO_STAGE, APPLIES_TO_WON, APPLIES_TO_LOST)

AWARENESS = "Awareness"
CONSIDERATION = "Consideration"
DECISION = "Decision"
BUYING_PHASES = (AWARENESS, CONSIDERATION, DECISION)

# The Sales Stages ERPNext's setup wizard creates, in their natural order
ERPNEXT_SALES_STAGES = (
	"Prospecting",
	"Qualification",
	"Needs Analysis",
	"Value Proposition",
	"Identifying Decision Makers",
	"Perception Analysis",
	"Proposal/Price Quote",
	"Negotiation/Review",
)

ExpressionEvaluator = Callable[[str, Mapping], object]
DocumentCounter = Callable[[str], int]  # doctype -> the deal's submitted documents of that doctype


class MoveKind(str, Enum):
	ENTRY = "entry"  # a new deal, or one whose mode changed: it enters its stage from outside
	FORWARD = "forward"
	BACK = "back"
	SAME = "same"
	UNKNOWN = "unknown"  # the target stage is not in the pipeline


@dataclass(frozen=True)
class Stage:
	name: str
	phase: str | None = None
	probability: float | None = None
	stall_after_days: int | None = None


@dataclass(frozen=True)
class Requirement:
	check_type: str
	message: str
	stage: str | None = None  # None for rules that gate something other than a stage (lead qualification)
	fieldname: str | None = None
	value: str | None = None
	filter_field: str | None = None
	filter_value: str | None = None
	expression: str | None = None
	applies_to: str = APPLIES_TO_STAGE
	document_types: tuple[str, ...] = ()  # for Submitted Documents: any of these doctypes counts


@dataclass(frozen=True)
class Unevaluated(Requirement):
	"""A requirement whose expression raised: unmet, and reported as "could not be evaluated"."""

	error: str = ""


class RuleError(Exception):
	"""An expression requirement could not be evaluated on a document."""

	def __init__(self, requirement: Requirement, error: BaseException):
		super().__init__(f"{requirement.message}: {error}")
		self.requirement = requirement
		self.error = error

	def unevaluated(self) -> Unevaluated:
		detail = str(self.error) or type(self.error).__name__
		return Unevaluated(**asdict(self.requirement), error=detail)


@dataclass(frozen=True)
class Pipeline:
	stages: tuple[Stage, ...]
	requirements: tuple[Requirement, ...] = ()
	allow_skipping: bool = False  # the desk offers later stages directly; rules accumulate anyway

	def index(self, stage: str | None) -> int | None:
		for i, s in enumerate(self.stages):
			if s.name == stage:
				return i
		return None

	def stage(self, name: str | None) -> Stage | None:
		i = self.index(name)
		return None if i is None else self.stages[i]

	def next_stage(self, name: str | None) -> Stage | None:
		i = self.index(name)
		if i is None or i + 1 >= len(self.stages):
			return None
		return self.stages[i + 1]

	def requirements_for(self, stage_names: Iterable[str]) -> list[Requirement]:
		wanted = set(stage_names)
		return [r for r in self.requirements if r.applies_to == APPLIES_TO_STAGE and r.stage in wanted]

	def stages_up_to(self, stage: str | None) -> tuple[str, ...]:
		i = self.index(stage)
		return () if i is None else tuple(s.name for s in self.stages[: i + 1])

	def rules_in_force(self, stage: str | None, closed_as: str | None = None) -> list[Requirement]:
		"""Every rule a deal standing in `stage` must meet: the rules of that stage and of every
		stage before it (skipped or not: skipping skips a stage, not its rules), plus the rules of
		Won or Lost when the deal is closed as such."""
		rules = self.requirements_for(self.stages_up_to(stage))
		if closed_as:
			rules += [r for r in self.requirements if r.applies_to == closed_as]
		return rules


@dataclass(frozen=True)
class Move:
	kind: MoveKind
	entered: tuple[str, ...] = ()  # the stages whose requirements the move must satisfy


def plan_move(pipeline: Pipeline, from_stage: str | None, to_stage: str | None) -> Move:
	"""Classify a stage change and list the stages whose rules it must meet.

	A forward move (or an entry) must meet the rules of every stage it passes over as well as
	the target's, in every mode: where skipping is allowed a deal may pass over a stage, never
	over its rules, so requirements accumulate along the pipeline.
	"""
	to_index = pipeline.index(to_stage)
	if to_index is None:
		return Move(MoveKind.UNKNOWN)
	from_index = pipeline.index(from_stage)
	if from_index is None:
		kind, start = MoveKind.ENTRY, 0
	elif to_index == from_index:
		return Move(MoveKind.SAME)
	elif to_index < from_index:
		return Move(MoveKind.BACK)
	else:
		kind, start = MoveKind.FORWARD, from_index + 1
	return Move(kind, tuple(s.name for s in pipeline.stages[start : to_index + 1]))


def is_blank(value: object) -> bool:
	if value is None or value is False:
		return True
	if isinstance(value, str):
		return not value.strip()
	if isinstance(value, int | float):
		return value == 0
	if isinstance(value, Sequence | Mapping):
		return len(value) == 0
	return False


def _number(value: object) -> float | None:
	try:
		return float(value)  # type: ignore[arg-type]
	except (TypeError, ValueError):
		return None


def matching_rows(rows: object, filter_field: str | None, filter_value: str | None) -> list[Mapping]:
	if not isinstance(rows, Sequence) or isinstance(rows, str):
		return []
	rows = [r for r in rows if isinstance(r, Mapping)]
	if not filter_field:
		return rows
	return [
		r
		for r in rows
		if str(r.get(filter_field) if r.get(filter_field) is not None else "") == (filter_value or "")
	]


def is_met(
	requirement: Requirement,
	doc: Mapping,
	evaluate_expression: ExpressionEvaluator | None = None,
	count_documents: DocumentCounter | None = None,
) -> bool:
	check = requirement.check_type
	if check == SUBMITTED_DOCUMENTS:
		if count_documents is None:
			raise ValueError("a submitted-documents requirement needs a document counter")
		minimum = _number(requirement.value)
		minimum = 1 if minimum is None else minimum
		return sum(count_documents(doctype) for doctype in requirement.document_types) >= minimum
	if check == FIELD_IS_SET:
		return not is_blank(doc.get(requirement.fieldname or ""))
	if check == MINIMUM_VALUE:
		actual, minimum = _number(doc.get(requirement.fieldname or "")), _number(requirement.value)
		return actual is not None and minimum is not None and actual >= minimum
	if check == MINIMUM_ROWS:
		minimum = _number(requirement.value)
		minimum = 1 if minimum is None else minimum
		rows = matching_rows(
			doc.get(requirement.fieldname or ""), requirement.filter_field, requirement.filter_value
		)
		return len(rows) >= minimum
	if check == EXPRESSION:
		if evaluate_expression is None:
			raise ValueError("an expression requirement needs an evaluator")
		try:
			return bool(evaluate_expression(requirement.expression or "", doc))
		except Exception as e:
			# Never a silent "unmet": the caller must be able to tell a broken rule from a gap
			raise RuleError(requirement, e) from e
	raise ValueError(f"unknown check type {check!r}")


def unmet(
	requirements: Iterable[Requirement],
	doc: Mapping,
	evaluate_expression: ExpressionEvaluator | None = None,
	count_documents: DocumentCounter | None = None,
) -> list[Requirement]:
	"""The requirements the document does not meet, in order; a rule that raised is listed as
	Unevaluated (still a Requirement, so it blocks like any other gap)."""
	missing = []
	for requirement in requirements:
		try:
			if not is_met(requirement, doc, evaluate_expression, count_documents):
				missing.append(requirement)
		except RuleError as e:
			missing.append(e.unevaluated())
	return missing


def fields_read(requirement: Requirement) -> frozenset[str] | None:
	"""The document fields a rule reads, or None when that cannot be told (it may read any).

	An expression reads the fields it names as `doc.x`, `doc["x"]` or `doc.get("x")`; one that
	uses `doc` any other way (passes it to a function, iterates it) may read anything.
	"""
	if requirement.check_type == SUBMITTED_DOCUMENTS:
		return frozenset()
	if requirement.check_type != EXPRESSION:
		return frozenset([requirement.fieldname]) if requirement.fieldname else frozenset()
	try:
		tree = ast.parse(requirement.expression or "", mode="eval")
	except SyntaxError:
		return None
	named: set[str] = set()
	understood: set[int] = set()  # ids of the `doc` Name nodes used in a way we can read
	for node in ast.walk(tree):
		if isinstance(node, ast.Attribute) and _is_doc(node.value) and node.attr != "get":
			named.add(node.attr)
			understood.add(id(node.value))
		elif isinstance(node, ast.Subscript) and _is_doc(node.value) and _constant_str(node.slice):
			named.add(_constant_str(node.slice))
			understood.add(id(node.value))
		elif (
			isinstance(node, ast.Call)
			and isinstance(node.func, ast.Attribute)
			and node.func.attr == "get"
			and _is_doc(node.func.value)
			and node.args
			and _constant_str(node.args[0])
		):
			named.add(_constant_str(node.args[0]))
			understood.add(id(node.func.value))
	every_use = {id(n) for n in ast.walk(tree) if _is_doc(n)}
	return frozenset(named) if every_use <= understood else None


def _is_doc(node: ast.AST) -> bool:
	return isinstance(node, ast.Name) and node.id == "doc"


def _constant_str(node: ast.AST) -> str | None:
	return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def reads_any(requirement: Requirement, fieldnames: Iterable[str]) -> bool:
	"""Whether a rule reads one of the fields; a rule that may read anything reads any change."""
	changed = frozenset(fieldnames)
	read = fields_read(requirement)
	return bool(changed) if read is None else not read.isdisjoint(changed)


def rules_to_enforce(
	in_force: Iterable[Requirement],
	*,
	entered_stage: bool,
	entered_outcome: bool,
	changed_fields: Iterable[str],
) -> list[Requirement]:
	"""Which rules in force a save must meet.

	A deal entering a stage (a move, a new deal, a new mode) meets every rule in force; one being
	closed as won or lost meets every rule of that outcome. Any other save meets the rules that
	read a field it changes: data a rule relies on cannot be removed once the rule was met, while
	a deal that stands in its stage from before a rule (grandfathered) can still be edited
	elsewhere.
	"""
	changed = frozenset(changed_fields)
	return [
		r
		for r in in_force
		if entered_stage or (entered_outcome and r.applies_to != APPLIES_TO_STAGE) or reads_any(r, changed)
	]


def unmet_for_move(
	pipeline: Pipeline,
	from_stage: str | None,
	to_stage: str | None,
	doc: Mapping,
	evaluate_expression: ExpressionEvaluator | None = None,
	count_documents: DocumentCounter | None = None,
) -> tuple[Move, list[Requirement]]:
	"""The move and what the stages it enters still lack (nothing for a move back or no move)."""
	move = plan_move(pipeline, from_stage, to_stage)
	return move, unmet(pipeline.requirements_for(move.entered), doc, evaluate_expression, count_documents)


def readiness(
	pipeline: Pipeline,
	stage: str | None,
	doc: Mapping,
	evaluate_expression: ExpressionEvaluator | None = None,
	count_documents: DocumentCounter | None = None,
) -> tuple[Stage | None, list[Requirement]]:
	"""The next stage after `stage` and what the document still lacks to enter it."""
	nxt = pipeline.next_stage(stage) if stage else (pipeline.stages[0] if pipeline.stages else None)
	if nxt is None:
		return None, []
	_move, missing = unmet_for_move(pipeline, stage, nxt.name, doc, evaluate_expression, count_documents)
	return nxt, missing
