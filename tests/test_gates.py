"""The stage-gate engine: table-driven cases and the defining property."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_modes.core import gates
from sales_modes.core.gates import MoveKind, Pipeline, Requirement, Stage

STAGES = tuple(
	Stage(n, p) for n, p in [("A", "Awareness"), ("B", "Consideration"), ("C", "Decision"), ("D", "Decision")]
)


def req(stage, fieldname, check=gates.FIELD_IS_SET, **kw):
	return Requirement(
		check_type=check, message=f"{stage}:{fieldname}", stage=stage, fieldname=fieldname, **kw
	)


STRICT = Pipeline(STAGES, (req("B", "need"), req("C", "budget"), req("D", "amount")), allow_skipping=False)
SKIPPING = Pipeline(STAGES, STRICT.requirements, allow_skipping=True)


@pytest.mark.parametrize(
	"pipeline, from_stage, to_stage, kind, entered",
	[
		(STRICT, "A", "B", MoveKind.FORWARD, ("B",)),
		(STRICT, "A", "D", MoveKind.FORWARD, ("B", "C", "D")),
		(SKIPPING, "A", "D", MoveKind.FORWARD, ("D",)),
		(STRICT, "C", "A", MoveKind.BACK, ()),
		(STRICT, "B", "B", MoveKind.SAME, ()),
		(STRICT, None, "C", MoveKind.ENTRY, ("A", "B", "C")),
		(SKIPPING, None, "C", MoveKind.ENTRY, ("C",)),
		(STRICT, "Z", "B", MoveKind.ENTRY, ("A", "B")),
		(STRICT, "A", "Z", MoveKind.UNKNOWN, ()),
	],
)
def test_plan_move(pipeline, from_stage, to_stage, kind, entered):
	move = gates.plan_move(pipeline, from_stage, to_stage)
	assert move.kind == kind
	assert move.entered == entered


def test_strict_pipeline_reports_every_unmet_requirement_passed_over():
	_move, missing = gates.unmet_for_move(STRICT, "A", "D", {"budget": 1})
	assert [r.message for r in missing] == ["B:need", "D:amount"]


def test_skipping_pipeline_checks_only_target():
	_move, missing = gates.unmet_for_move(SKIPPING, "A", "D", {"amount": 5})
	assert missing == []


def test_moving_back_is_never_blocked():
	_move, missing = gates.unmet_for_move(STRICT, "D", "A", {})
	assert missing == []


@pytest.mark.parametrize(
	"value, expected",
	[
		(None, False),
		("", False),
		("  ", False),
		(0, False),
		(0.0, False),
		([], False),
		(False, False),
		("x", True),
		(1, True),
		(2.5, True),
		([{"a": 1}], True),
		(True, True),
	],
)
def test_field_is_set(value, expected):
	assert gates.is_met(req("A", "f"), {"f": value}) is expected


@pytest.mark.parametrize(
	"actual, minimum, expected",
	[
		(10, "10", True),
		(9.99, "10", False),
		("12", "10", True),
		(None, "1", False),
		("abc", "1", False),
		(5, "x", False),
	],
)
def test_minimum_value(actual, minimum, expected):
	requirement = req("A", "amount", gates.MINIMUM_VALUE, value=minimum)
	assert gates.is_met(requirement, {"amount": actual}) is expected


COMMITTEE = [
	{"decision_role": "Economic Buyer", "engaged": 1},
	{"decision_role": "Influencer", "engaged": 0},
	{"decision_role": "Champion", "engaged": 1},
]


@pytest.mark.parametrize(
	"minimum, filter_field, filter_value, expected",
	[
		("3", None, None, True),
		("4", None, None, False),
		("1", "decision_role", "Economic Buyer", True),
		("2", "decision_role", "Economic Buyer", False),
		("1", "decision_role", "Gatekeeper", False),
		("2", "engaged", "1", True),
		(None, None, None, True),
	],
)
def test_minimum_rows(minimum, filter_field, filter_value, expected):
	requirement = req(
		"A",
		"committee",
		gates.MINIMUM_ROWS,
		value=minimum,
		filter_field=filter_field,
		filter_value=filter_value,
	)
	assert gates.is_met(requirement, {"committee": COMMITTEE}) is expected


def test_minimum_rows_on_missing_table():
	assert not gates.is_met(req("A", "committee", gates.MINIMUM_ROWS, value="1"), {})


def test_expression_uses_the_injected_evaluator():
	requirement = Requirement(gates.EXPRESSION, "big deal", stage="A", expression="doc['amount'] > 100")
	evaluate = lambda expression, doc: eval(expression, {}, {"doc": doc})  # noqa: E731 - test only
	assert gates.is_met(requirement, {"amount": 101}, evaluate)
	assert not gates.is_met(requirement, {"amount": 100}, evaluate)


def _raise_zero_division(expression, doc):
	raise ZeroDivisionError("division by zero")


def test_expression_that_raises_is_a_rule_error_not_unmet():
	requirement = Requirement(gates.EXPRESSION, "m", stage="A", expression="1/0")
	with pytest.raises(gates.RuleError) as raised:
		gates.is_met(requirement, {}, _raise_zero_division)
	assert raised.value.requirement is requirement
	assert isinstance(raised.value.error, ZeroDivisionError)


def test_unmet_lists_a_rule_that_raised_as_unevaluated_with_its_error():
	broken = Requirement(gates.EXPRESSION, "broken", stage="B", expression="1/0")
	rules = [req("B", "need"), broken, req("B", "budget")]
	missing = gates.unmet(rules, {"budget": 1}, _raise_zero_division)
	assert [r.message for r in missing] == ["B:need", "broken"]
	assert [type(r) for r in missing] == [Requirement, gates.Unevaluated]
	assert missing[1].error == "division by zero"
	assert (missing[1].stage, missing[1].expression) == ("B", "1/0")


def test_an_error_without_text_is_named_by_its_type():
	def evaluate(expression, doc):
		raise KeyError

	(missing,) = gates.unmet([Requirement(gates.EXPRESSION, "m", expression="x")], {}, evaluate)
	assert missing.error == "KeyError"


def test_a_move_into_a_stage_with_a_broken_rule_is_blocked_and_says_why():
	pipeline = Pipeline(STAGES, (Requirement(gates.EXPRESSION, "broken", stage="B", expression="1/0"),))
	move, missing = gates.unmet_for_move(pipeline, "A", "B", {}, _raise_zero_division)
	assert move.kind == MoveKind.FORWARD
	assert [(type(r), r.error) for r in missing] == [(gates.Unevaluated, "division by zero")]
	# Moving back evaluates nothing, so a broken rule cannot trap a deal
	assert gates.unmet_for_move(pipeline, "B", "A", {}, _raise_zero_division)[1] == []


def test_expression_without_evaluator_is_an_error():
	with pytest.raises(ValueError):
		gates.is_met(Requirement(gates.EXPRESSION, "m", expression="True"), {})


def test_unknown_check_type_is_an_error():
	with pytest.raises(ValueError):
		gates.is_met(Requirement("Nonsense", "m"), {})


def test_readiness_names_next_stage_and_its_gaps():
	nxt, missing = gates.readiness(STRICT, "B", {})
	assert nxt.name == "C"
	assert [r.message for r in missing] == ["C:budget"]
	assert gates.readiness(STRICT, "D", {}) == (None, [])


# The defining property: for any rule set and document, a forward move is accepted if and only
# if no requirement of the stages it enters is unmet.
fields = st.sampled_from(["f1", "f2", "f3", "f4"])
requirements = st.lists(
	st.builds(
		lambda stage, field: req(stage, field),
		st.sampled_from([s.name for s in STAGES]),
		fields,
	),
	max_size=8,
)
documents = st.dictionaries(fields, st.one_of(st.none(), st.integers(0, 2), st.text(max_size=2)))
stage_names = st.sampled_from([s.name for s in STAGES])


@given(requirements, documents, stage_names, stage_names, st.booleans())
def test_forward_move_accepted_iff_entered_stages_met(reqs, doc, from_stage, to_stage, skipping):
	pipeline = Pipeline(STAGES, tuple(reqs), allow_skipping=skipping)
	move, missing = gates.unmet_for_move(pipeline, from_stage, to_stage, doc)
	order = [s.name for s in STAGES]
	if order.index(to_stage) <= order.index(from_stage):
		assert missing == []
		return
	entered = {to_stage} if skipping else set(order[order.index(from_stage) + 1 : order.index(to_stage) + 1])
	assert set(move.entered) == entered
	blocked = any(r.stage in entered and gates.is_blank(doc.get(r.fieldname)) for r in reqs)
	assert bool(missing) == blocked
	assert all(r.stage in entered for r in missing)
