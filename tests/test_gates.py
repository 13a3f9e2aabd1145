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
		(SKIPPING, "A", "D", MoveKind.FORWARD, ("B", "C", "D")),  # skipping a stage, not its rules
		(STRICT, "C", "A", MoveKind.BACK, ()),
		(STRICT, "B", "B", MoveKind.SAME, ()),
		(STRICT, None, "C", MoveKind.ENTRY, ("A", "B", "C")),
		(SKIPPING, None, "C", MoveKind.ENTRY, ("A", "B", "C")),
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


def test_skipping_pipeline_still_checks_the_rules_of_stages_passed_over():
	_move, missing = gates.unmet_for_move(SKIPPING, "A", "D", {"amount": 5})
	assert [r.message for r in missing] == ["B:need", "C:budget"]


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
	entered = set(order[order.index(from_stage) + 1 : order.index(to_stage) + 1])  # skipping or not
	assert set(move.entered) == entered
	blocked = any(r.stage in entered and gates.is_blank(doc.get(r.fieldname)) for r in reqs)
	assert bool(missing) == blocked
	assert all(r.stage in entered for r in missing)


WON_RULE = Requirement(
	gates.SUBMITTED_DOCUMENTS,
	"won:docs",
	applies_to=gates.APPLIES_TO_WON,
	value="1",
	document_types=("Quotation", "Sales Order"),
)
LOST_RULE = Requirement(
	gates.MINIMUM_ROWS, "lost:reason", fieldname="lost_reasons", applies_to=gates.APPLIES_TO_LOST
)
CLOSING = Pipeline(STAGES, (*STRICT.requirements, WON_RULE, LOST_RULE), allow_skipping=True)


@pytest.mark.parametrize(
	"stage, closed_as, messages",
	[
		("A", None, []),
		("C", None, ["B:need", "C:budget"]),
		("D", None, ["B:need", "C:budget", "D:amount"]),  # skipping allowed: rules still cumulative
		("B", gates.APPLIES_TO_WON, ["B:need", "won:docs"]),
		("B", gates.APPLIES_TO_LOST, ["B:need", "lost:reason"]),
		("Z", gates.APPLIES_TO_WON, ["won:docs"]),  # outside the pipeline: the outcome's rules only
	],
)
def test_rules_in_force_accumulate_along_the_pipeline_and_add_the_outcome(stage, closed_as, messages):
	assert [r.message for r in CLOSING.rules_in_force(stage, closed_as)] == messages


def test_stage_rules_never_include_outcome_rules():
	assert WON_RULE not in CLOSING.requirements_for([s.name for s in STAGES])


@pytest.mark.parametrize(
	"counts, minimum, expected",
	[
		({}, "1", False),
		({"Quotation": 1}, "1", True),
		({"Sales Order": 1}, None, True),
		({"Quotation": 1, "Sales Order": 1}, "2", True),
		({"Quotation": 1}, "2", False),
		({"Sales Invoice": 5}, "1", False),  # not a type the rule counts
	],
)
def test_submitted_documents_counts_any_listed_doctype(counts, minimum, expected):
	rule = Requirement(
		gates.SUBMITTED_DOCUMENTS, "m", value=minimum, document_types=("Quotation", "Sales Order")
	)
	assert gates.is_met(rule, {}, count_documents=lambda doctype: counts.get(doctype, 0)) is expected


def test_submitted_documents_without_counter_is_an_error():
	with pytest.raises(ValueError):
		gates.is_met(WON_RULE, {})


def test_the_counter_is_asked_only_for_the_listed_doctypes():
	asked = []
	gates.is_met(WON_RULE, {}, count_documents=lambda doctype: asked.append(doctype) or 0)
	assert asked == ["Quotation", "Sales Order"]


@pytest.mark.parametrize(
	"rule, expected",
	[
		(req("A", "need"), {"need"}),
		(req("A", "amount", gates.MINIMUM_VALUE, value="1"), {"amount"}),
		(req("A", "committee", gates.MINIMUM_ROWS, filter_field="role", filter_value="x"), {"committee"}),
		(WON_RULE, set()),
		(Requirement(gates.EXPRESSION, "m", expression="doc.a or doc.b"), {"a", "b"}),
		(Requirement(gates.EXPRESSION, "m", expression="doc['a'] and doc.get('b')"), {"a", "b"}),
		(
			Requirement(gates.EXPRESSION, "m", expression="doc.amount > 10 and not doc.lost"),
			{"amount", "lost"},
		),
		(Requirement(gates.EXPRESSION, "m", expression="len(doc.items) > 0"), {"items"}),
		# doc used whole, or a field named at run time: it may read anything
		(Requirement(gates.EXPRESSION, "m", expression="len(doc) > 3"), None),
		(Requirement(gates.EXPRESSION, "m", expression="doc.get(doc.which)"), None),
		(Requirement(gates.EXPRESSION, "m", expression="doc["), None),
	],
)
def test_fields_read(rule, expected):
	read = gates.fields_read(rule)
	assert (None if read is None else set(read)) == expected


def test_a_rule_that_may_read_anything_reads_any_change_but_not_none():
	opaque = Requirement(gates.EXPRESSION, "m", expression="len(doc) > 3")
	assert gates.reads_any(opaque, ["title"])
	assert not gates.reads_any(opaque, [])
	assert not gates.reads_any(req("A", "need"), ["title"])
	assert gates.reads_any(req("A", "need"), ["title", "need"])


def test_an_entry_enforces_every_rule_in_force():
	in_force = CLOSING.rules_in_force("C", gates.APPLIES_TO_WON)
	enforced = gates.rules_to_enforce(in_force, entered_stage=True, entered_outcome=False, changed_fields=[])
	assert enforced == in_force


def test_closing_enforces_the_outcome_rules_and_the_touched_stage_rules():
	in_force = CLOSING.rules_in_force("C", gates.APPLIES_TO_WON)
	enforced = gates.rules_to_enforce(
		in_force, entered_stage=False, entered_outcome=True, changed_fields=["budget"]
	)
	assert [r.message for r in enforced] == ["C:budget", "won:docs"]


def test_an_edit_that_touches_no_rule_enforces_nothing():
	in_force = CLOSING.rules_in_force("D")
	assert (
		gates.rules_to_enforce(in_force, entered_stage=False, entered_outcome=False, changed_fields=["title"])
		== []
	)


# The invariant's defining property: a save that neither enters a stage nor closes the deal must
# meet exactly the rules in force that read a field it changes.
@given(requirements, st.sets(fields), stage_names)
def test_an_edit_enforces_exactly_the_rules_reading_a_changed_field(reqs, changed, stage):
	pipeline = Pipeline(STAGES, tuple(reqs), allow_skipping=True)
	in_force = pipeline.rules_in_force(stage)
	enforced = gates.rules_to_enforce(
		in_force, entered_stage=False, entered_outcome=False, changed_fields=changed
	)
	assert enforced == [r for r in in_force if r.fieldname in changed]
	order = [s.name for s in STAGES]
	assert all(order.index(r.stage) <= order.index(stage) for r in enforced)
