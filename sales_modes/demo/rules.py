"""What a demo deal must carry: read from the Sales Mode records, decided by the gate engine.

Frappe-free. The shipped default records are read here so the plan (and its pure tests) need
no site; on a site the generators pass the pipelines `sales_modes.pipelines.get_pipeline`
builds from the Sales Mode records instead. Nothing here knows which stage asks for what: the
records say it, `core.gates` decides whether a set of values meets it, and `satisfy` takes the
missing values from what the deal has to give (its profile), generically per check type. A
rule it cannot meet from the profile raises UnsupportedRequirement: the demo never writes a
deal the gate would refuse.
"""

from __future__ import annotations

import json
import re
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, fields
from pathlib import Path

from sales_modes.core import gates
from sales_modes.core.deal_states import LOST_EVENT, WON

DEFAULT_MODES = Path(__file__).resolve().parent.parent / "default_records" / "sales_modes.json"
# The Stage Requirement column each engine field is read from, where the names differ
RECORD_COLUMNS = {"stage": "sales_stage"}
OUTCOME_EVENTS = (WON, LOST_EVENT)
# A Stage Requirement's "applies to" column, where the records have it (Stage, Won or Lost)
APPLIES_TO = "applies_to"
DOC_FIELD = re.compile(r"\bdoc\.([A-Za-z_]\w*)")
DOC_NAME = re.compile(r"\bdoc\b")
DOC_CALL_OR_INDEX = re.compile(r"\bdoc\s*(\.\s*\w+\s*\(|\[)")
MEMO_SIZE = 50_000

Evaluator = Callable[[str, Mapping], object] | None


class UnsupportedRequirement(Exception):
	"""A rule the demo cannot meet from what a deal has: fix the profile or the rule."""

	def __init__(self, requirement: gates.Requirement, why: str):
		super().__init__(f"{why}: {requirement}")
		self.requirement = requirement


def requirement_from_record(row: Mapping) -> gates.Requirement:
	"""Every engine field from its Stage Requirement column: a column the engine gains is read too.
	A blank column takes the engine's default; a list field (document types) is comma-separated."""
	values = {}
	for f in fields(gates.Requirement):
		value = row.get(RECORD_COLUMNS.get(f.name, f.name))
		if value in (None, ""):
			values[f.name] = None if f.default is MISSING else f.default
		elif isinstance(f.default, tuple):
			values[f.name] = tuple(part.strip() for part in str(value).split(",") if part.strip())
		else:
			values[f.name] = str(value)
	return gates.Requirement(**values)


def document_counter(documents: Sequence[str] = ()) -> gates.DocumentCounter:
	"""The engine's counter of the deal's submitted documents (by doctype), for Submitted Documents rules."""
	return lambda doctype: sum(1 for d in documents if d == doctype)


def pipeline_from_record(record: Mapping) -> gates.Pipeline:
	return gates.Pipeline(
		stages=tuple(
			gates.Stage(
				s["sales_stage"], s.get("buying_phase"), s.get("probability"), s.get("stall_after_days")
			)
			for s in record.get("stages", ())
		),
		requirements=tuple(requirement_from_record(r) for r in record.get("requirements", ())),
		allow_skipping=bool(record.get("allow_stage_skipping")),
	)


def default_pipelines(path: Path = DEFAULT_MODES) -> dict[str, gates.Pipeline]:
	"""The pipelines of the shipped default Sales Mode records, by mode name."""
	records = json.loads(path.read_text(encoding="utf-8"))
	return {record["mode_name"]: pipeline_from_record(record) for record in records}


def applies_to(requirement: gates.Requirement) -> str | None:
	return getattr(requirement, APPLIES_TO, None)


def stage_requirements(pipeline: gates.Pipeline, stage: str) -> list[gates.Requirement]:
	"""What a deal resting in `stage` must meet: the rules of that stage and of every stage before
	it, skipped ones included (the gate's invariant, which implies what each single move checks)."""
	index = pipeline.index(stage)
	if index is None:
		return []
	return pipeline.requirements_for(s.name for s in pipeline.stages[: index + 1])


def outcome_requirements(pipeline: gates.Pipeline, event: str | None) -> list[gates.Requirement]:
	"""The rules a deal must meet to be won or lost (Stage Requirements that apply to the event)."""
	return [r for r in pipeline.requirements if event and applies_to(r) == event]


def unplaced_requirements(pipeline: gates.Pipeline) -> list[gates.Requirement]:
	"""Rules the demo cannot tell when to apply: neither a pipeline stage's nor a win's or a loss's."""
	names = {s.name for s in pipeline.stages}
	placed = set(pipeline.requirements_for(names)) | {
		r for event in OUTCOME_EVENTS for r in outcome_requirements(pipeline, event)
	}
	return [r for r in pipeline.requirements if r not in placed]


def check_pipeline(pipeline: gates.Pipeline) -> None:
	"""Refuse, before anything is written, a pipeline with a rule the demo cannot place or check."""
	for requirement in pipeline.requirements:
		if requirement.check_type not in gates.CHECK_TYPES:
			raise UnsupportedRequirement(requirement, "unknown check type")
	for requirement in unplaced_requirements(pipeline):
		raise UnsupportedRequirement(
			requirement, "applies neither to a stage of the pipeline nor to a win or loss"
		)


def remembering(evaluate: Evaluator) -> Evaluator:
	"""The evaluator, remembering each result by the values of the fields the expression reads.

	Only for expressions that touch the deal through `doc.<field>` alone; one that calls a method
	of doc or indexes it is evaluated every time. The plan asks the same rule about the same deal
	at each stage, and frappe.safe_eval compiles the expression anew on every call.
	"""
	if evaluate is None:
		return None
	memo: dict[tuple, object] = {}

	def run(expression: str, doc: Mapping) -> object:
		fieldnames = DOC_FIELD.findall(expression)
		if DOC_CALL_OR_INDEX.search(expression) or len(DOC_NAME.findall(expression)) != len(fieldnames):
			return evaluate(expression, doc)
		key = (expression, repr([doc.get(f) for f in fieldnames]))
		if key not in memo:
			if len(memo) >= MEMO_SIZE:
				memo.clear()
			memo[key] = evaluate(expression, doc)
		return memo[key]

	return run


def satisfy(
	values: Mapping,
	requirements: Iterable[gates.Requirement],
	profile: Mapping,
	evaluate: Evaluator = None,
	blank: Mapping | None = None,
	documents: Sequence[str] = (),
) -> dict:
	"""A copy of `values` that meets every requirement, filling what is missing from `profile`.

	Only what an unmet rule reads is filled, so a deal carries what its stage asks and no more.
	The rules see the deal as the gate does: `blank` (a new document's fields) under `values`.
	"""
	requirements = list(requirements)
	values, filled = dict(values), False
	doc = ChainMap(values, blank or {})
	count_documents = document_counter(documents)
	for requirement in requirements:
		if not gates.is_met(requirement, doc, evaluate, count_documents):
			fill(values, doc, requirement, profile)
			filled = True
	# Filling one rule may not undo another (a row condition set, say): check them all again
	missing = gates.unmet(requirements, doc, evaluate, count_documents) if filled else []
	if missing:
		raise UnsupportedRequirement(missing[0], "the deal's profile cannot meet this rule")
	return values


def fill(values: dict, doc: Mapping, requirement: gates.Requirement, profile: Mapping) -> None:
	"""Write into `values` what `requirement` lacks on `doc` (values over a blank document)."""
	check = requirement.check_type
	if check == gates.FIELD_IS_SET:
		take(values, requirement, profile, requirement.fieldname)
	elif check == gates.MINIMUM_VALUE:
		take(values, requirement, profile, requirement.fieldname)
		minimum = float(requirement.value or 0)
		if float(values[requirement.fieldname] or 0) < minimum:
			values[requirement.fieldname] = minimum
	elif check == gates.MINIMUM_ROWS:
		fill_rows(values, doc, requirement, profile)
	elif check == gates.EXPRESSION:
		# An expression cannot be solved in general: give it every field it reads, then it is checked
		for fieldname in DOC_FIELD.findall(requirement.expression or ""):
			if gates.is_blank(doc.get(fieldname)) and not gates.is_blank(profile.get(fieldname)):
				values[fieldname] = profile[fieldname]


def take(values: dict, requirement: gates.Requirement, profile: Mapping, fieldname: str | None) -> None:
	if not fieldname or gates.is_blank(profile.get(fieldname)):
		raise UnsupportedRequirement(requirement, "the deal's profile has no value for this field")
	values[fieldname] = profile[fieldname]


def fill_rows(values: dict, doc: Mapping, requirement: gates.Requirement, profile: Mapping) -> None:
	"""The table gets every row the deal has (a rep lists the whole committee once asked); if too few
	match the rule's row condition, the condition is set on rows that lack it."""
	table = requirement.fieldname or ""
	pool = profile.get(table)
	if not isinstance(pool, Sequence) or isinstance(pool, str):
		raise UnsupportedRequirement(requirement, "the deal's profile has no rows for this table")
	rows = list(doc.get(table) or [])
	rows += [row for row in pool if row not in rows]
	minimum = int(float(requirement.value or 1))
	short = minimum - len(gates.matching_rows(rows, requirement.filter_field, requirement.filter_value))
	if short > 0 and requirement.filter_field:
		for i, row in enumerate(rows):
			if short and row not in gates.matching_rows(
				[row], requirement.filter_field, requirement.filter_value
			):
				field = requirement.filter_field
				rows[i] = {**row, field: typed_like(requirement.filter_value, row.get(field))}
				short -= 1
	values[table] = rows


def typed_like(value: str | None, existing: object) -> object:
	"""A row condition's value (text in the record) as a number where the row holds a number."""
	if isinstance(existing, int | float) and not isinstance(existing, bool):
		try:
			return type(existing)(float(value or 0))
		except ValueError:
			return value
	return value
