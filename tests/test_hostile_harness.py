"""The frappe-free parts of the hostile traffic harness and of the ERPNext comparison."""

import json
from collections import Counter

from sales_modes.tests import erpnext_suite
from sales_modes.tests.hostile import client, ledger, ops

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


def state(i, name, stage, status="Open", mode="B2B", modified=None):
	return {
		"i": i,
		"doctype": "Opportunity",
		"name": name,
		"modified": modified or f"2026-01-01 00:00:{i:02d}",
		"sales_stage": stage,
		"status": status,
		"sales_mode": mode,
	}


def test_ledger_expects_one_row_per_accepted_stage_and_status_change():
	accepted = [
		state(0, "D1", "Prospecting"),  # created: Stage Change
		state(1, "D1", "Prospecting"),  # no change
		state(2, "D1", "Qualification"),  # Stage Change
		state(3, "D1", "Qualification", "Converted"),  # Won
		state(4, "D1", "Qualification", "Open", mode="B2C"),  # Reopened (+ Mode Change when logged)
		{"i": 5, "doctype": "Opportunity", "name": "D1", "deleted": True},
		state(6, "D1", "Prospecting", "Lost"),  # the name reused by a new deal: Stage Change, Lost
	]
	expected = ledger.expected_transitions(accepted, mode_changes=False)
	assert expected == Counter(
		{("D1", "Stage Change"): 3, ("D1", "Won"): 1, ("D1", "Reopened"): 1, ("D1", "Lost"): 1}
	)
	assert ledger.expected_transitions(accepted, mode_changes=True)[("D1", "Mode Change")] == 1


def test_ledger_orders_a_concurrent_pair_by_the_servers_modified():
	# both saves of one pair share the operation number; `modified` says which came second
	accepted = [
		state(0, "D2", "Prospecting"),
		state(7, "D2", "Prospecting", "Closed", modified="2026-01-01 00:00:09"),
		state(7, "D2", "Qualification", "Open", modified="2026-01-01 00:00:08"),
	]
	# Qualification (at :08), then back to Prospecting and Closed (at :09); in list order it
	# would have been Closed first, then Qualification and Reopened
	assert ledger.expected_transitions(accepted, False) == Counter(
		{("D2", "Stage Change"): 3, ("D2", "Closed"): 1}
	)


def test_ledger_reports_lost_and_doubled_rows():
	expected = Counter({("D1", "Stage Change"): 2, ("D1", "Won"): 1})
	found = Counter({("D1", "Stage Change"): 1, ("D1", "Won"): 2, ("D1", "Override"): 1})
	lost, doubled = ledger.compare_transitions(expected, found, set(ledger.COMPARED_EVENTS))
	assert lost == ["D1 Stage Change: expected 2, found 1"]
	assert doubled == ["D1 Won: expected 1, found 2"]


def answer(i, status, exc_type=None, readable=True, kind="move_stage", part=0, method="PUT"):
	return {
		"i": i,
		"part": part,
		"kind": kind,
		"method": method,
		"status": status,
		"exc_type": exc_type,
		"readable": readable,
	}


def test_answer_figures_count_refusals_errors_and_pairs():
	log = {
		"results": [
			answer(0, 200),
			answer(1, 417, "StageGateError"),
			answer(2, 403, "PermissionError", readable=False),
			answer(3, 500, "DataError"),
			answer(4, 0, "TimeoutError", readable=False),
			answer(5, 200, kind="concurrent_pair", method="GET"),
			answer(5, 200, kind="concurrent_pair", part=1),
			answer(5, 417, "TimestampMismatchError", kind="concurrent_pair", part=2),
			answer(6, 200, kind="concurrent_pair", part=1),
			answer(6, 200, kind="concurrent_pair", part=2),
		]
	}
	figures = ledger.answer_figures(log)
	assert figures["requests"] == 9  # the pair's GET is no write
	assert figures["accepted"] == 4
	assert figures["refused"] == 3
	assert dict(figures["refused_by_class"]) == {
		"StageGateError": 1,
		"PermissionError": 1,
		"TimestampMismatchError": 1,
	}
	assert [r["i"] for r in figures["server_errors"]] == [3]
	assert [r["i"] for r in figures["unanswered"]] == [4]
	assert [r["i"] for r in figures["unreadable"]] == [2]
	assert (figures["pairs"], figures["pairs_conflict"], figures["pairs_both_accepted"]) == (2, 1, [6])
