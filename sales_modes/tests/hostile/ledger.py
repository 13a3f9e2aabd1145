"""The harness's ledger: what the answers say, and which Stage Transition rows they call for.

Frappe-free, so the pure suite tests it; site.py reads the database and compares.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sales_modes.core import deal_states

# Events whose rows follow from the states alone; others (e.g. an override without a move) are shown
COMPARED_EVENTS = (
	deal_states.STAGE_CHANGE,
	deal_states.WON,
	deal_states.LOST_EVENT,
	deal_states.CLOSED_EVENT,
	deal_states.REOPENED,
	deal_states.STATUS_CHANGE,
)


def expected_events(previous: dict | None, state: dict, mode_changes: bool) -> list[str]:
	"""The Stage Transition events one accepted save must log, from the states before and after."""
	before = previous or {}
	events = []
	if state["sales_stage"] and state["sales_stage"] != before.get("sales_stage"):
		events.append(deal_states.STAGE_CHANGE)
	event = deal_states.status_event(before.get("status"), state["status"])
	if event:
		events.append(event)
	if mode_changes and previous and state["sales_mode"] != previous.get("sales_mode"):
		events.append("Mode Change")
	return events


def expected_transitions(accepted: list[dict], mode_changes: bool) -> Counter:
	by_deal = defaultdict(list)
	for state in accepted:
		if state["doctype"] == "Opportunity":
			by_deal[state["name"]].append(state)
	expected = Counter()
	for name, states in by_deal.items():
		previous = None
		for state in sorted(states, key=lambda s: (s["i"], s.get("modified") or "")):
			if state.get("deleted"):
				# Frappe gives the name back when the last of a series is deleted: a later deal may reuse it
				previous = None
				continue
			for event in expected_events(previous, state, mode_changes):
				expected[(name, event)] += 1
			previous = state
	return expected


def compare_transitions(expected: Counter, found: Counter, compared: set[str]) -> tuple[list[str], list[str]]:
	"""(lost, doubled): per deal and event, rows missing from the log and rows it has too many of."""
	lost, doubled = [], []
	for key in sorted(set(expected) | {k for k in found if k[1] in compared}):
		difference = found.get(key, 0) - expected.get(key, 0)
		if difference < 0:
			lost.append(f"{key[0]} {key[1]}: expected {expected[key]}, found {found.get(key, 0)}")
		elif difference > 0:
			doubled.append(f"{key[0]} {key[1]}: expected {expected.get(key, 0)}, found {found[key]}")
	return lost, doubled


def answer_figures(log: dict) -> dict:
	results = log["results"]
	writes = [r for r in results if r["method"] != "GET" or r["status"] != 200]
	refused = [r for r in writes if 400 <= (r["status"] or 0) < 500]
	pairs = defaultdict(list)
	for r in results:
		if r["kind"] == "concurrent_pair" and r["part"]:
			pairs[r["i"]].append(r)
	both_won = [i for i, p in pairs.items() if len(p) == 2 and all(200 <= r["status"] < 300 for r in p)]
	conflicts = [
		i
		for i, p in pairs.items()
		if any(r["exc_type"] == "TimestampMismatchError" and 400 <= r["status"] < 500 for r in p)
	]
	return {
		"requests": len(writes),
		"accepted": sum(1 for r in writes if 200 <= (r["status"] or 0) < 300),
		"refused": len(refused),
		"refused_by_class": Counter(r["exc_type"] for r in refused).most_common(),
		"server_errors": [r for r in writes if (r["status"] or 0) >= 500],
		"unanswered": [r for r in writes if not r["status"]],
		"unreadable": [r for r in refused if not r["readable"]],
		"pairs": len(pairs),
		"pairs_conflict": len(conflicts),
		"pairs_both_accepted": both_won,
	}
