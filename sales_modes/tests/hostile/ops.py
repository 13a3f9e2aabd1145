"""The hostile operation generator: a seeded, reproducible list of REST operations.

Frappe-free (stdlib only). An operation is a plain dict, so the run log is JSON:

    {"i": 17, "kind": "remove_and_move", "actor": "sales_user", "target": 93412,
     "payload": {"buying_committee": [], "sales_stage": NEXT}}

`target` is a number the client maps onto the deals (or leads) alive at that moment, so the same
seed against the same server replays the same traffic. Stage markers (NEXT, BACK, FAR) are
resolved by the client against the deal's own pipeline; everything else is literal.
"""

from __future__ import annotations

import random
from collections import Counter

from sales_modes.core.gates import ERPNEXT_SALES_STAGES

# Who sends the traffic. Each actor is a user holding exactly these roles (site.py makes them).
ACTORS = {
	"sales_user": ("Sales User",),
	"sales_manager": ("Sales User", "Sales Manager"),
	"system_manager": ("System Manager",),  # no sales role
	"accounts_user": ("Accounts User",),
}
ACTOR_WEIGHTS = {"sales_user": 55, "sales_manager": 30, "system_manager": 8, "accounts_user": 7}

MODES = ("B2B", "B2C")
ALL_STAGES = ERPNEXT_SALES_STAGES  # every stage either mode may name, in order
NEXT, BACK, FAR = "__next__", "__back__", "__far__"  # the next stage, the previous one, the last one
STATUSES = ("Open", "Replied", "Quotation", "Converted", "Lost", "Closed")
DECISION_ROLES = ("Economic Buyer", "Decision Maker", "Technical Evaluator", "Influencer", "Champion")
DISQUALIFICATION_REASONS = ("No Need", "No Budget", "No Authority", "Bad Timing")
HUGE = 100_000  # characters in a "100 kB string"

# How often each kind of operation is drawn (weights, not percentages)
KIND_WEIGHTS = {
	# opportunities
	"create_deal": 8,
	"fill_requirements": 12,
	"move_stage": 10,
	"move_next": 10,
	"move_back": 3,
	"remove_required": 6,
	"remove_and_move": 6,
	"mode_switch": 4,
	"mode_switch_and_jump": 3,
	"status_change": 7,
	"forge_server_fields": 4,
	"wrong_types": 4,
	"unknown_mode": 2,
	"unknown_stage": 2,
	"huge_string": 2,
	"override": 5,
	"delete_deal": 2,
	"concurrent_pair": 4,
	# leads
	"create_lead": 4,
	"fill_lead": 3,
	"qualify_lead": 4,
	"disqualify_lead": 2,
	"forge_lead_fields": 2,
	"delete_lead": 1,
}
LEAD_KINDS = frozenset(k for k in KIND_WEIGHTS if k.endswith("_lead") or k == "forge_lead_fields")


def committee(rng: random.Random) -> list[dict]:
	rows = []
	for n in range(rng.randint(1, 3)):
		rows.append(
			{
				"full_name": f"Member {n}",
				"decision_role": rng.choice(DECISION_ROLES),
				"stance": rng.choice(("Supporter", "Neutral", "Skeptic")),
				"engaged": rng.choice((0, 1)),
			}
		)
	return rows


def requirement_values(rng: random.Random) -> dict:
	"""Valid values for the fields the shipped rules read: each drawn half of the time."""
	candidates = {
		"contact_email": "buyer@example.com",
		"need_description": "Cut picking errors in the warehouse",
		"value_driver": rng.choice(("Cost Saving", "Efficiency", "Competitive Advantage")),
		"budget_confirmed": 1,
		"roi_summary": "Payback in nine months",
		"expected_closing": "2027-03-31",
		"opportunity_amount": rng.choice((1200, 25000, 90000)),
		"buying_committee": committee(rng),
	}
	return {k: v for k, v in candidates.items() if rng.random() < 0.5}


REMOVALS = (
	{"buying_committee": []},
	{"budget_confirmed": 0},
	{"contact_email": ""},
	{"need_description": ""},
	{"roi_summary": ""},
	{"opportunity_amount": 0},
	{"value_driver": ""},
	{"buying_committee": [{"full_name": "Only a user", "decision_role": "End User", "engaged": 0}]},
)

WRONG_TYPES = (
	{"opportunity_amount": "a great deal"},
	{"budget_confirmed": "yes please"},
	{"buying_committee": "not a table"},
	{"buying_committee": [{"decision_role": "Emperor"}]},
	{"expected_closing": "some day"},
	{"probability": "high"},
	{"sales_stage": 42},
	{"sales_stage": ["Negotiation/Review"]},
	{"status": None},
	{"buying_committee": [{"engaged": "maybe", "decision_role": "Economic Buyer"}]},
)

FORGED_DEAL_FIELDS = (
	{"stage_entered_on": "2020-01-01 00:00:00"},
	{"buying_phase": "Decision"},
	{"buying_phase": "Awareness", "stage_entered_on": "2031-12-31 23:59:59"},
	{"sales_mode_family": "Consumer"},
)

FORGED_LEAD_FIELDS = (
	{"qualified_by": "Administrator"},
	{"qualified_on": "2020-01-01"},
	{"disqualified_by": "Administrator", "disqualified_on": "2020-01-01 00:00:00"},
	{"qualified_by": "Administrator", "qualification_status": "Qualified"},
)


def lead_values(rng: random.Random) -> dict:
	candidates = {
		"need_description": "Needs a new till system",
		"budget_status": rng.choice(("Confirmed", "Unknown", "No Budget")),
		"decision_maker_known": 1,
		"purchase_timeline": rng.choice(("Within a Month", "1-3 Months")),
		"email_id": f"lead{rng.randint(1, 10**6)}@example.com",
		"mobile_no": "+44 20 7946 0000",
	}
	return {k: v for k, v in candidates.items() if rng.random() < 0.5}


def draw_actor(rng: random.Random) -> str:
	return rng.choices(list(ACTOR_WEIGHTS), weights=list(ACTOR_WEIGHTS.values()))[0]


def make_op(i: int, rng: random.Random) -> dict:
	kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
	op = {"i": i, "kind": kind, "actor": draw_actor(rng), "target": rng.randrange(10**6)}
	payload: dict = {}
	if kind == "create_deal":
		op["mode"] = rng.choice(MODES)
		payload = requirement_values(rng)
		if rng.random() < 0.6:
			payload["sales_stage"] = rng.choice(ALL_STAGES)
	elif kind == "fill_requirements":
		payload = requirement_values(rng) or {"contact_email": "buyer@example.com"}
	elif kind == "move_stage":
		payload = {"sales_stage": rng.choice(ALL_STAGES)}
	elif kind == "move_next":
		payload = {"sales_stage": NEXT}
	elif kind == "move_back":
		payload = {"sales_stage": BACK}
	elif kind == "remove_required":
		payload = dict(rng.choice(REMOVALS))
	elif kind == "remove_and_move":
		payload = {**rng.choice(REMOVALS), "sales_stage": rng.choice((NEXT, NEXT, FAR))}
	elif kind == "mode_switch":
		payload = {"sales_mode": rng.choice(MODES)}
	elif kind == "mode_switch_and_jump":
		payload = {"sales_mode": rng.choice(MODES), "sales_stage": FAR}
	elif kind == "status_change":
		payload = {"status": rng.choice(STATUSES)}
		if payload["status"] == "Lost" and rng.random() < 0.5:
			payload["lost_reasons"] = [{"lost_reason": "Price"}]
	elif kind == "forge_server_fields":
		payload = dict(rng.choice(FORGED_DEAL_FIELDS))
	elif kind == "wrong_types":
		payload = dict(rng.choice(WRONG_TYPES))
	elif kind == "unknown_mode":
		payload = {"sales_mode": rng.choice(("B2X", "Wholesale-Unknown", ""))}
	elif kind == "unknown_stage":
		payload = {"sales_stage": rng.choice(("Celebration", "Closed Won", "prospecting"))}
	elif kind == "huge_string":
		field = rng.choice(("need_description", "roi_summary", "contact_email", "gate_override_reason"))
		payload = {field: "x" * HUGE}
	elif kind == "override":
		# without the role, without a reason (blank), or by the override role with a reason
		variant = rng.choice(("no_role", "no_reason", "with_reason"))
		op["variant"] = variant
		op["actor"] = "sales_user" if variant == "no_role" else "sales_manager"
		reason = "   " if variant == "no_reason" else "Customer signed the letter of intent"
		payload = {"sales_stage": rng.choice((FAR, NEXT)), "gate_override_reason": reason}
	elif kind == "concurrent_pair":
		op["actor"] = rng.choice(("sales_user", "sales_manager"))
		payload = requirement_values(rng) or {"need_description": "First writer"}
		op["payload2"] = {"sales_stage": rng.choice((NEXT, BACK)), "roi_summary": "Second writer"}
	elif kind == "create_lead":
		op["organisation"] = rng.random() < 0.5
		payload = lead_values(rng)
	elif kind == "fill_lead":
		payload = lead_values(rng) or {"need_description": "Needs a quote"}
	elif kind == "qualify_lead":
		payload = {"qualification_status": "Qualified", **(lead_values(rng) if rng.random() < 0.5 else {})}
	elif kind == "disqualify_lead":
		payload = {"disqualified": 1}
		if rng.random() < 0.6:
			payload["disqualification_reason"] = rng.choice(DISQUALIFICATION_REASONS)
	elif kind == "forge_lead_fields":
		payload = dict(rng.choice(FORGED_LEAD_FIELDS))
	op["payload"] = payload
	return op


def generate(seed: int, count: int) -> list[dict]:
	"""`count` operations from `seed`: the same seed always gives the same list."""
	rng = random.Random(seed)
	return [make_op(i, rng) for i in range(count)]


def mix(ops: list[dict]) -> Counter:
	return Counter(op["kind"] for op in ops)


def resolve_stage(marker: object, stages: list[str], current: str | None) -> object:
	"""A stage marker in terms of a deal's pipeline (`stages`, in order); literals pass through."""
	if marker not in (NEXT, BACK, FAR):
		return marker
	if not stages:
		return current
	index = stages.index(current) if current in stages else -1
	if marker == FAR:
		return stages[-1]
	if marker == NEXT:
		return stages[min(index + 1, len(stages) - 1)]
	return stages[max(index - 1, 0)]


def pick(target: int, names: list[str]) -> str | None:
	return names[target % len(names)] if names else None
