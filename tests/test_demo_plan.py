"""The demo plan, without a site: deterministic for a seed, and the two modes differ as in life."""

import ast
import dataclasses
import operator
import statistics
from collections import Counter
from datetime import date, timedelta

import pytest

from sales_modes.core import gates
from sales_modes.core.deal_states import CONVERTED, LOST, LOST_EVENT, WON
from sales_modes.demo import plan as demo_plan
from sales_modes.demo import rules
from sales_modes.demo.plan import B2B, B2C, Plan, counts_for_scale, cycle_days

TODAY = date(2026, 6, 30)
PIPELINES = rules.default_pipelines()
B2B_STAGES = tuple(s.name for s in PIPELINES[B2B].stages)

# What frappe.safe_eval does with a rule's expression, for the few forms rules use (attribute
# reads on doc, and/or/not, comparisons, literals, a few builtins); anything else raises, and
# the engine counts a rule that raises as unmet, so an unsupported form fails the tests.
OPERATORS = {
	ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
	ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}  # fmt: skip
BUILTINS = {"len": len, "any": any, "all": all, "bool": bool, "min": min, "max": max, "abs": abs, "sum": sum}


def evaluate(expression: str, doc) -> object:
	def run(node):
		if isinstance(node, ast.Expression):
			return run(node.body)
		if isinstance(node, ast.Constant):
			return node.value
		if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "doc":
			return doc.get(node.attr)
		if isinstance(node, ast.BoolOp):
			result = None
			for value in node.values:
				result = run(value)
				if bool(result) == isinstance(node.op, ast.Or):
					return result
			return result
		if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
			return not run(node.operand)
		if isinstance(node, ast.Compare):
			left = run(node.left)
			for op, right_node in zip(node.ops, node.comparators, strict=True):
				right = run(right_node)
				if not OPERATORS[type(op)](left, right):
					return False
				left = right
			return True
		if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BUILTINS:
			return BUILTINS[node.func.id](*(run(a) for a in node.args))
		if isinstance(node, ast.List | ast.Tuple):
			return [run(e) for e in node.elts]
		raise ValueError(f"unsupported expression: {ast.dump(node)}")

	return run(ast.parse(expression, mode="eval"))


@pytest.fixture(scope="module")
def plan():
	return Plan(seed=11, scale=4, today=TODAY, evaluate_expression=evaluate)


@pytest.fixture(scope="module")
def opportunities(plan):
	return [plan.opportunity(i) for i in range(plan.counts.opportunities)]


@pytest.fixture(scope="module")
def invoices(plan):
	return [inv for k in range(plan.counts.customers) for inv in plan.invoices_for_customer(k)]


def test_counts_per_scale():
	assert counts_for_scale(1) == demo_plan.REAL_FLOW_COUNTS
	unit = counts_for_scale(1000)
	assert (unit.customers, unit.opportunities, unit.leads) == (200_000, 100_000, 150_000)
	small = counts_for_scale(0.5)
	assert small.customers < demo_plan.REAL_FLOW_COUNTS.customers
	assert all(v >= 1 for v in (small.b2b_customers, small.b2c_walkins, small.b2b_opportunities))


def test_same_seed_same_data_in_any_order():
	a, b = (Plan(seed=5, scale=2, today=TODAY, evaluate_expression=evaluate) for _i in range(2))
	forward = [a.opportunity(i) for i in range(50)]
	backward = [b.opportunity(i) for i in reversed(range(50))][::-1]
	assert forward == backward
	assert a.invoices_for_customer(7) == b.invoices_for_customer(7)
	other = Plan(seed=6, scale=2, today=TODAY, evaluate_expression=evaluate)
	assert [other.opportunity(i) for i in range(50)] != forward


def test_everything_in_the_past_and_within_the_window(plan, opportunities, invoices):
	start = plan.start
	for opp in opportunities:
		times = [s.at for s in opp.steps]
		assert times == sorted(times)
		assert start <= opp.created <= plan.now
		assert opp.created >= plan.customer(opp.customer).created  # a deal comes after its customer
		if opp.closed:
			assert times[-1] <= opp.closed <= plan.now
	assert all(start.date() <= inv.posting_date < TODAY for inv in invoices)
	# Filled over the last 12 months, so the default report filters show data
	recent = [inv for inv in invoices if inv.posting_date >= TODAY - timedelta(days=365)]
	assert len(recent) > len(invoices) / 2


def test_b2b_walks_every_stage_b2c_may_skip(opportunities):
	for opp in opportunities:
		stages = [s.stage for s in opp.steps]
		if opp.mode == B2B:
			assert stages == list(B2B_STAGES[: len(stages)])
			if opp.status == CONVERTED:
				assert stages == list(B2B_STAGES)
		else:
			assert stages[0] == "Prospecting"
	skipped = [o for o in opportunities if o.mode == B2C and len(o.steps) == 2 and o.status == CONVERTED]
	assert skipped
	overridden = [s for o in opportunities for s in o.steps if s.overridden]
	assert overridden and all(o.mode == B2B for o in opportunities if any(s.overridden for s in o.steps))


def test_modes_differ_as_in_life(opportunities, invoices):
	def won(mode):
		return [o for o in opportunities if o.mode == mode and o.status == CONVERTED]

	b2b_deal = statistics.median(o.amount for o in won(B2B))
	b2c_deal = statistics.median(o.amount for o in won(B2C))
	assert b2b_deal > 100 * b2c_deal
	b2b_days = statistics.median(cycle_days(o) for o in won(B2B))
	b2c_days = statistics.median(cycle_days(o) for o in won(B2C))
	assert b2b_days > 14 and b2c_days < 2
	assert max(cycle_days(o) for o in won(B2C)) <= 12.1
	lost_b2b = [o for o in opportunities if o.mode == B2B and o.status == LOST]
	assert all(o.lost_reason for o in lost_b2b) and any(o.competitor for o in lost_b2b)

	def repeat_rate(mode):
		per_customer = Counter(inv.customer for inv in invoices if inv.mode == mode)
		return sum(1 for n in per_customer.values() if n > 1) / len(per_customer)

	assert repeat_rate(B2C) > repeat_rate(B2B) + 0.2
	b2c = [inv for inv in invoices if inv.mode == B2C]
	assert len(b2c) > 10 * len([inv for inv in invoices if inv.mode == B2B])
	assert 0.15 < sum(inv.is_pos for inv in b2c) / len(b2c) < 0.45
	assert not any(inv.is_pos for inv in invoices if inv.mode == B2B)


def test_committees_and_leads(plan):
	for i in range(plan.counts.b2b_customers):
		committee = plan.customer(i).committee
		assert 2 <= len(committee) <= 6
		assert [m["role"] for m in committee].count("Economic Buyer") == 1
	for i in range(plan.counts.b2b_customers, plan.counts.customers):
		assert plan.customer(i).committee == []
	b2b = [plan.lead(B2B, i) for i in range(plan.b2b_lead_count())]
	reasons = Counter(lead.disqualification_reason for lead in b2b if lead.outcome == "Disqualified")
	assert reasons and set(reasons) <= {r for r, _w in demo_plan.B2B_DISQUALIFICATION}
	assert all(lead.company_name for lead in b2b)
	assert all(plan.lead(B2C, i).company_name is None for i in range(plan.b2c_lead_count()))


def test_deal_invoices_add_up(plan, opportunities):
	won = {o.index: o for o in opportunities if o.status == CONVERTED}
	billed = Counter()
	for k in range(plan.counts.customers):
		for inv in plan.invoices_for_customer(k):
			if inv.opportunity is not None:
				assert inv.customer == won[inv.opportunity].customer
				billed[inv.opportunity] += inv.amount
	for index, amount in billed.items():
		assert amount <= won[index].amount + 0.05


# The gate's rules, read from the records: each deal at each stage meets exactly what they ask


def gate_check(pipeline, opp, evaluate_expression=evaluate):
	"""Walk a planned deal through the engine as the gate would; return what each move lacked."""
	previous, lacked = None, []
	for step in opp.steps:
		move = gates.plan_move(pipeline, previous, step.stage)
		assert move.kind in (gates.MoveKind.ENTRY, gates.MoveKind.FORWARD)
		missing = gates.unmet(pipeline.requirements_for(move.entered), step.values, evaluate_expression)
		if step.overridden:
			# forced through by a manager: the log records exactly the engine's list, and only that is missing
			assert missing and missing == list(step.unmet)
			resting = gates.unmet(
				rules.stage_requirements(pipeline, step.stage), step.values, evaluate_expression
			)
			assert resting == missing
		else:
			assert missing == [] and step.unmet == ()
			# resting in the stage, the deal meets its rules and every earlier stage's, skipped ones included
			assert (
				gates.unmet(rules.stage_requirements(pipeline, step.stage), step.values, evaluate_expression)
				== []
			)
		lacked.append(missing)
		previous = step.stage
	if opp.event:
		outcome = rules.outcome_requirements(pipeline, opp.event)
		counter = rules.document_counter(opp.documents)
		assert gates.unmet(outcome, opp.closing, evaluate_expression, counter) == []
		# closing keeps what the stage asks
		resting = gates.unmet(rules.stage_requirements(pipeline, previous), opp.closing, evaluate_expression)
		assert resting == lacked[-1]
	return lacked


def test_the_records_rules_are_all_placed_and_generated():
	for mode, pipeline in PIPELINES.items():
		assert pipeline.requirements, mode
		assert rules.unplaced_requirements(pipeline) == [], "the demo does not know when these rules apply"
		assert {r.check_type for r in pipeline.requirements} <= set(gates.CHECK_TYPES)


def test_each_deal_meets_exactly_what_the_gate_applies(plan, opportunities):
	moves = Counter()
	for opp in opportunities:
		for step, lacked in zip(opp.steps, gate_check(plan.pipelines[opp.mode], opp), strict=True):
			moves[(opp.mode, step.overridden)] += 1
			if step.overridden:
				assert {r.stage for r in lacked} == {step.stage}
	assert moves[(B2B, True)] > 5 and moves[(B2B, False)] > 100 and moves[(B2C, False)] > 100
	# Only what the rules ask for: a deal in Prospecting carries just what the rep recorded on day one
	for opp in opportunities:
		assert set(opp.steps[0].values) == set(demo_plan.INITIAL_FIELDS[opp.mode])


def test_every_rule_of_the_records_is_exercised(plan, opportunities):
	"""All four Perception Analysis rules (and every other) come from the records, and are met."""
	b2b = PIPELINES[B2B]
	perception = b2b.requirements_for(["Perception Analysis"])
	assert len(perception) == 4
	reached = [s for o in opportunities if o.mode == B2B for s in o.steps if s.stage == "Perception Analysis"]
	met = [s for s in reached if not s.overridden]
	assert met and all(gates.unmet(perception, s.values, evaluate) == [] for s in met)
	for step in met:
		committee = step.values["buying_committee"]
		assert len(committee) >= 2 and [r["decision_role"] for r in committee].count("Economic Buyer") == 1
		assert step.values["budget_confirmed"] == 1 and step.values["roi_summary"]
	b2c_offers = [s for o in opportunities if o.mode == B2C for s in o.steps if s.stage != "Prospecting"]
	assert b2c_offers and all(s.values.get("contact_email") for s in b2c_offers)


def custom_pipelines(extra_b2b=(), extra_b2c=()):
	def extend(pipeline, extra):
		return dataclasses.replace(pipeline, requirements=pipeline.requirements + tuple(extra))

	return {B2B: extend(PIPELINES[B2B], extra_b2b), B2C: extend(PIPELINES[B2C], extra_b2c)}


def test_any_rule_of_the_four_check_types_is_met():
	# Rules a site might add: each check type, row conditions the deal's rows do not meet as
	# planned, and rules on winning and losing
	pipelines = custom_pipelines(
		[
			gates.Requirement(gates.MINIMUM_VALUE, "Big deals only.", "Qualification", "opportunity_amount", "750000"),
			gates.Requirement(
				gates.MINIMUM_ROWS, "Two supporters.", "Proposal/Price Quote", "buying_committee", "2",
				"stance", "Supporter",
			),
			gates.Requirement(gates.EXPRESSION, "Need and driver.", "Needs Analysis",
				expression="doc.need_description and doc.value_driver != None"),
			gates.Requirement(gates.MINIMUM_ROWS, "Name the Economic Buyer.", None, "buying_committee", "1",
				"decision_role", "Economic Buyer", applies_to=WON),
			gates.Requirement(gates.MINIMUM_ROWS, "Give a reason.", None, "lost_reasons", "1", applies_to=LOST_EVENT),
		],
		[gates.Requirement(gates.FIELD_IS_SET, "Budget.", "Proposal/Price Quote", "budget_confirmed")],
	)  # fmt: skip
	assert all(rules.unplaced_requirements(p) == [] for p in pipelines.values())
	plan = Plan(seed=3, scale=2, today=TODAY, pipelines=pipelines, evaluate_expression=evaluate)
	opportunities = [plan.opportunity(i) for i in range(plan.counts.opportunities)]
	for opp in opportunities:
		gate_check(plan.pipelines[opp.mode], opp)
	won = [o for o in opportunities if o.mode == B2B and o.status == CONVERTED]
	assert won and all(o.closing["opportunity_amount"] >= 750000 for o in won)
	assert all(
		len([r for r in o.closing["buying_committee"] if r["stance"] == "Supporter"]) >= 2 for o in won
	)
	lost = [o for o in opportunities if o.status == LOST]
	assert lost and all(o.closing["lost_reasons"] for o in lost)
	# The shipped records stay what the deal carries in the default plan
	default = Plan(seed=3, scale=2, today=TODAY, evaluate_expression=evaluate)
	assert default.opportunity(won[0].index).closing["opportunity_amount"] < 750000


@pytest.mark.parametrize(
	"rule",
	[
		gates.Requirement(gates.FIELD_IS_SET, "Unknown field.", "Qualification", "no_such_field"),
		gates.Requirement(gates.MINIMUM_VALUE, "Unknown number.", "Qualification", "no_such_number", "5"),
		gates.Requirement(gates.MINIMUM_ROWS, "Items.", "Qualification", "items", "1"),
		gates.Requirement(gates.MINIMUM_ROWS, "A crowd.", "Qualification", "buying_committee", "50"),
		gates.Requirement(
			gates.EXPRESSION, "Impossible.", "Qualification", expression="doc.status == 'Nope'"
		),
		gates.Requirement("Sum Of Rows", "A check type the demo does not know.", "Qualification"),
	],
	ids=["field", "value", "rows", "too many rows", "expression", "check type"],
)
def test_a_rule_the_demo_cannot_meet_fails_loudly(rule):
	with pytest.raises(rules.UnsupportedRequirement) as raised:
		plan = Plan(
			seed=3, scale=1, today=TODAY, pipelines=custom_pipelines([rule]), evaluate_expression=evaluate
		)
		for i in range(plan.counts.b2b_opportunities):
			plan.opportunity(i)
	assert raised.value.requirement == rule


def test_a_rule_the_demo_cannot_place_is_refused():
	stray = gates.Requirement(gates.FIELD_IS_SET, "On hold.", None, "need_description", applies_to="On Hold")
	pipelines = custom_pipelines([stray])
	assert rules.unplaced_requirements(pipelines[B2B]) == [stray]
	with pytest.raises(rules.UnsupportedRequirement) as raised:
		Plan(seed=3, scale=1, today=TODAY, pipelines=pipelines)
	assert raised.value.requirement == stray


def test_requirements_read_every_engine_field_from_the_record():
	row = {"sales_stage": "Qualification", "check_type": gates.MINIMUM_ROWS, "message": "m", "fieldname": "t",
		"value": 2, "filter_field": "f", "filter_value": "1", "expression": "", "idx": 3}  # fmt: skip
	assert rules.requirement_from_record(row) == gates.Requirement(
		gates.MINIMUM_ROWS, "m", "Qualification", "t", "2", "f", "1", None
	)


def test_remembered_expressions_give_the_evaluators_answers():
	calls = []

	def counting(expression, doc):
		calls.append(expression)
		return evaluate(expression, doc)

	remembered = rules.remembering(counting)
	reach = "doc.contact_email or doc.phone"
	assert remembered(reach, {"contact_email": "a@b.c"}) == "a@b.c"
	assert remembered(reach, {"contact_email": "a@b.c", "need_description": "x"}) == "a@b.c"
	assert remembered(reach, {"phone": "123"}) == "123"
	assert len(calls) == 2  # the second call read the same fields
	# A rule that reaches the deal other than through doc.<field> is always evaluated
	for other in ("doc.get('phone')", "doc['phone']", "doc.phone or 'doc'"):
		remembered = rules.remembering(lambda expression, doc: calls.append(expression) or doc.get("phone"))
		for _i in range(2):
			remembered(other, {"phone": "123"})
		assert calls[-2:] == [other, other]
	assert rules.remembering(None) is None


def test_rules_see_the_deal_over_a_blank_document():
	"""As the gate does: a field a new document already carries is met without the plan writing it,
	and an expression may read a field the plan never writes."""
	blank = {"opportunity_type": "Sales", "contact_mobile": None, "phone": None}
	pipelines = custom_pipelines(
		[
			gates.Requirement(gates.FIELD_IS_SET, "Type.", "Qualification", "opportunity_type"),
			gates.Requirement(
				gates.EXPRESSION, "Reach.", "Qualification", expression="doc.phone or doc.contact_email"
			),
		]
	)
	plan = Plan(seed=3, scale=1, today=TODAY, pipelines=pipelines, evaluate_expression=evaluate, blank=blank)
	for i in range(plan.counts.b2b_opportunities):
		for step in plan.opportunity(i).steps:
			assert "opportunity_type" not in step.values and "phone" not in step.values
	with pytest.raises(rules.UnsupportedRequirement):
		Plan(seed=3, scale=1, today=TODAY, pipelines=pipelines, evaluate_expression=evaluate).opportunity(0)
