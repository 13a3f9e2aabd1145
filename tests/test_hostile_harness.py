"""The frappe-free parts of the hostile traffic harness and of the ERPNext comparison."""

import json

from sales_modes.tests import erpnext_suite
from sales_modes.tests.hostile import client, ops

B2C_STAGES = ["Prospecting", "Proposal/Price Quote", "Negotiation/Review"]


def test_the_same_seed_gives_the_same_traffic():
	assert ops.generate(9, 2000) == ops.generate(9, 2000)
	assert ops.generate(9, 2000) != ops.generate(10, 2000)
	# a longer run starts with the shorter one: a run cut short by time replays as a prefix
	assert ops.generate(9, 2500)[:2000] == ops.generate(9, 2000)


def test_operations_are_plain_json():
	planned = ops.generate(3, 300)
	assert json.loads(json.dumps(planned)) == planned


def test_mix_covers_every_kind_near_its_weight():
	planned = ops.generate(9, 2000)
	mix = ops.mix(planned)
	assert set(mix) == set(ops.KIND_WEIGHTS)
	total = sum(ops.KIND_WEIGHTS.values())
	for kind, weight in ops.KIND_WEIGHTS.items():
		expected = 2000 * weight / total
		assert abs(mix[kind] - expected) < 5 * expected**0.5 + 3, (kind, mix[kind], expected)
	assert {op["actor"] for op in planned} == set(ops.ACTORS)
	lead_ops = sum(1 for op in planned if op["kind"] in ops.LEAD_KINDS)
	assert 200 < lead_ops < 500


def test_hostile_payloads_are_what_they_claim():
	planned = ops.generate(9, 2000)
	overrides = [op for op in planned if op["kind"] == "override"]
	assert {op["variant"] for op in overrides} == {"no_role", "no_reason", "with_reason"}
	for op in overrides:
		assert op["actor"] == ("sales_user" if op["variant"] == "no_role" else "sales_manager")
		assert bool(op["payload"]["gate_override_reason"].strip()) == (op["variant"] != "no_reason")
	huge = [op for op in planned if op["kind"] == "huge_string"]
	assert huge and all(len(next(iter(op["payload"].values()))) == 100_000 for op in huge)
	pairs = [op for op in planned if op["kind"] == "concurrent_pair"]
	assert pairs and all(op["payload"] and op["payload2"] for op in pairs)
	removals = [op for op in planned if op["kind"] == "remove_and_move"]
	assert removals and all("sales_stage" in op["payload"] and len(op["payload"]) == 2 for op in removals)
	statuses = {op["payload"]["status"] for op in planned if op["kind"] == "status_change"}
	assert {"Converted", "Lost"} <= statuses


def test_stage_markers_resolve_against_the_deals_pipeline():
	assert ops.resolve_stage(ops.NEXT, B2C_STAGES, "Prospecting") == "Proposal/Price Quote"
	assert ops.resolve_stage(ops.NEXT, B2C_STAGES, "Negotiation/Review") == "Negotiation/Review"
	assert ops.resolve_stage(ops.NEXT, B2C_STAGES, None) == "Prospecting"
	assert ops.resolve_stage(ops.BACK, B2C_STAGES, "Proposal/Price Quote") == "Prospecting"
	assert ops.resolve_stage(ops.BACK, B2C_STAGES, "Prospecting") == "Prospecting"
	assert ops.resolve_stage(ops.FAR, B2C_STAGES, "Prospecting") == "Negotiation/Review"
	assert ops.resolve_stage("Celebration", B2C_STAGES, "Prospecting") == "Celebration"
	assert ops.pick(7, ["a", "b", "c"]) == "b"
	assert ops.pick(7, []) is None


def test_a_frappe_refusal_reads_as_its_message():
	body = {
		"exc_type": "StageGateError",
		"exception": "sales_modes.gate.StageGateError: ...",
		"_server_messages": json.dumps(
			[
				json.dumps(
					{
						"message": "Opportunity X cannot enter <b>Negotiation</b> yet:<ul><li>Confirm the budget.</li></ul>"
					}
				)
			]
		),
	}
	answer = client.parse_answer(417, json.dumps(body).encode())
	assert answer["readable"] is True
	assert answer["exc_type"] == "StageGateError"
	assert answer["message"] == "Opportunity X cannot enter Negotiation yet: Confirm the budget."


def test_an_answer_without_a_message_is_unreadable():
	answer = client.parse_answer(502, b"<html>Bad Gateway</html>")
	assert answer["readable"] is False
	assert answer["exc_type"] == "HTTP 502"
	assert client.parse_answer(200, json.dumps({"data": {"name": "X"}}).encode())["data"] == {"name": "X"}


def outcome(name, result, detail=""):
	return name, {"outcome": result, "detail": detail}


def test_erpnext_comparison_leaves_network_failures_out_of_both_runs():
	offline = (
		"requests.exceptions.ConnectionError: Max retries exceeded (Failed to resolve 'api.frankfurter.app')"
	)
	with_app = {
		"Lead": {
			"seconds": 5,
			"crashed": "",
			"tests": dict(
				[
					outcome("t.a", "passed"),
					outcome("t.b", "error", offline),
					outcome("t.c", "failed", "AssertionError"),
				]
			),
		}
	}
	without_app = {
		"Lead": {
			"seconds": 4,
			"crashed": "",
			"tests": dict([outcome("t.a", "passed"), outcome("t.b", "passed"), outcome("t.c", "passed")]),
		}
	}
	result = erpnext_suite.comparison(with_app, without_app)
	lead = result["modules"][0]
	assert lead["tests"] == 2
	assert lead["with_app"]["passed"] == 1 and lead["with_app"]["failed"] == 1
	assert lead["without_app"]["passed"] == 2
	assert result["needs_network"] == ["t.b"]
	assert result["differing"] == [{"test": "t.c", "with_app": "failed", "without_app": "passed"}]
	assert "| Lead | 2 |" in erpnext_suite.format_comparison(result)
