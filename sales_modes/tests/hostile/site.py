"""The in-site half of the hostile traffic harness: setting up its users, and checking the database.

Run from the bench's sites folder with the bench's Python:
    python -m sales_modes.tests.hostile.site setup SITE SETUP.json
    python -m sales_modes.tests.hostile.site check SITE SETUP.json RUN.json [--min-ops 2000]

`check` asserts, over every deal and lead the harness touched:
- no answer was a 5xx, and every request was answered;
- every refusal is a 4xx with a message a user can read;
- no deal rests in a stage or status whose rules (as the app's own engine defines them, see
  `rules_in_force`) it does not meet, unless an override logged for that stay stands; no
  qualified lead lacks its mode's lead requirements;
- fields the server owns do not hold values a client forged;
- the Stage Transition rows equal the stage and status changes the server accepted, none lost or
  doubled;
- of two concurrent saves of one deal from the same version, at most one is accepted.
It prints the figures and exits non-zero on any violation.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict

import frappe

from sales_modes.core import deal_states, gates
from sales_modes.expressions import evaluate_expression
from sales_modes.pipelines import doc_values, get_lead_requirements, get_pipeline
from sales_modes.tests.hostile.ledger import (
	COMPARED_EVENTS,
	answer_figures,
	compare_transitions,
	expected_transitions,
)
from sales_modes.tests.hostile.ops import ACTORS, MODES

CUSTOMERS_PER_MODE = 3
CUSTOMER_TYPE = {"B2B": "Company", "B2C": "Individual"}
FORGED_DATETIMES = ("2020-01-01 00:00:00", "2031-12-31 23:59:59")
FORGED_USER = "Administrator"  # no harness operation runs as Administrator
EXAMPLES = 8


def user_email(actor: str) -> str:
	return f"hostile-{actor.replace('_', '-')}@example.com"


def connect(site: str) -> None:
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")


# --- setup ---------------------------------------------------------------------------------


def make_user(actor: str, roles: tuple[str, ...]) -> dict:
	email = user_email(actor)
	if frappe.db.exists("User", email):
		user = frappe.get_doc("User", email)
	else:
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": f"Hostile {actor}", "send_welcome_email": 0}
		)
	user.user_type = "System User"
	user.enabled = 1
	user.set("roles", [{"role": role} for role in roles])
	user.api_key = frappe.generate_hash(length=15)
	secret = frappe.generate_hash(length=15)
	user.api_secret = secret
	user.save(ignore_permissions=True)
	return {"email": email, "roles": list(roles), "api_key": user.api_key, "api_secret": secret}


def make_customers(mode: str) -> list[str]:
	names = []
	for n in range(1, CUSTOMERS_PER_MODE + 1):
		customer_name = f"Hostile {mode} Customer {n}"
		existing = frappe.db.get_value("Customer", {"customer_name": customer_name})
		if not existing:
			existing = (
				frappe.get_doc(
					{
						"doctype": "Customer",
						"customer_name": customer_name,
						"customer_type": CUSTOMER_TYPE[mode],
					}
				)
				.insert(ignore_permissions=True)
				.name
			)
		names.append(existing)
	return names


def setup(site: str, out_path: str) -> None:
	connect(site)
	try:
		import frappe.model.document  # factories' annotations name it at import time

		from sales_modes.tests.factories import get_company

		config = {
			"site": site,
			# in the site's time zone: the checker looks only at what was made from here on
			"started": frappe.utils.now(),
			"company": get_company(),
			"users": {actor: make_user(actor, roles) for actor, roles in ACTORS.items()},
			"customers": {mode: make_customers(mode) for mode in MODES},
			"stages": {
				mode: [row.sales_stage for row in frappe.get_doc("Sales Mode", mode).stages] for mode in MODES
			},
		}
		frappe.db.commit()  # a CLI step: the web server must see the users and parties
	finally:
		frappe.destroy()
	with open(out_path, "w") as f:
		json.dump(config, f, indent=1)


# --- the invariant: the ONE definition the checker uses --------------------------------------


def rules_in_force(
	pipeline: gates.Pipeline, stage: str | None, status: str | None
) -> list[gates.Requirement]:
	"""Every rule a deal standing in `stage` with `status` must meet: the gate's own definition
	(the rules of the stage and of every stage before it, skipped or not, plus the Won or Lost
	rules of a deal closed as such)."""
	return pipeline.rules_in_force(stage, deal_states.gated_outcome(status))


def submitted_documents(deal_name: str):
	"""The document counter the engine asks for "Submitted Documents" rules (Won in B2B)."""

	def count(doctype: str) -> int:
		if doctype == "Quotation":
			return frappe.db.count("Quotation", {"opportunity": deal_name, "docstatus": 1})
		if doctype == "Sales Order":
			quotations = frappe.get_all("Quotation", {"opportunity": deal_name}, pluck="name")
			if not quotations:
				return 0
			return len(
				frappe.get_all(
					"Sales Order Item",
					filters={"prevdoc_docname": ("in", quotations), "docstatus": 1},
					pluck="parent",
					distinct=True,
				)
			)
		return 0

	return count


def unmet_rules(requirements: list[gates.Requirement], doc, deal_name: str | None = None) -> list[str]:
	counter = submitted_documents(deal_name) if deal_name else None
	return [r.message for r in gates.unmet(requirements, doc_values(doc), evaluate_expression, counter)]


def is_grandfathered(doc) -> bool:
	"""A deal that stood in its stage before the app or the rule arrived (issue 9, item 1).

	The harness only checks deals it created itself, after the rules existed, so none of them can
	be grandfathered. Should the gate mark such deals with a field, read it here.
	"""
	return False


def override_stands(doc, rows: list[dict]) -> bool:
	"""A logged override covers the deal's current stay in its stage (and status).

	`rows` are the deal's Stage Transition rows, oldest first. The stay began with the last row
	that moved the deal into its current stage (or changed its mode); an override (or an import
	with the gate off) logged from there on stands.
	"""
	stay_began = 0
	for n, row in enumerate(rows):
		if row["event"] in (deal_states.STAGE_CHANGE, "Mode Change") and row["to_stage"] == doc.sales_stage:
			stay_began = n
	return any(row["gate_overridden"] or row["imported"] for row in rows[stay_began:])


def deal_violation(doc, rows: list[dict]) -> list[str]:
	"""The rules in force the deal does not meet, unless an override stands or it is grandfathered."""
	if not doc.sales_mode or not frappe.db.exists("Sales Mode", doc.sales_mode):
		return ["no valid sales mode"] if doc.sales_stage else []
	pipeline = get_pipeline(doc.sales_mode)
	if doc.sales_stage and pipeline.stages and pipeline.index(doc.sales_stage) is None:
		return [f"stage {doc.sales_stage} is not in the {doc.sales_mode} pipeline"]
	missing = unmet_rules(rules_in_force(pipeline, doc.sales_stage, doc.status), doc, doc.name)
	if not missing or override_stands(doc, rows) or is_grandfathered(doc):
		return []
	return missing


def lead_violation(doc) -> list[str]:
	problems = []
	if doc.qualification_status == "Qualified" and doc.sales_mode:
		problems += unmet_rules(get_lead_requirements(doc.sales_mode), doc)
	if doc.disqualified and not doc.disqualification_reason:
		problems.append("disqualified without a reason")
	return problems


def forged_fields(doctype: str, doc) -> list[str]:
	"""Server-owned fields holding a value only a client could have sent."""
	if doctype == "Opportunity":
		return [
			f"stage_entered_on={doc.stage_entered_on}"
			for forged in FORGED_DATETIMES
			if str(doc.stage_entered_on or "").startswith(forged)
		]
	return [
		f"{field}={FORGED_USER}"
		for field in ("qualified_by", "disqualified_by")
		if doc.get(field) == FORGED_USER
	]


# --- the log: which Stage Transition rows the accepted changes must have made ----------------


def logs_mode_changes() -> bool:
	options = frappe.get_meta("Stage Transition").get_field("event").options or ""
	return "Mode Change" in options.split("\n")


def found_transitions(deals: list[str], since: str) -> tuple[Counter, dict[str, list[dict]]]:
	rows = frappe.get_all(
		"Stage Transition",
		filters={"opportunity": ("in", deals), "creation": (">=", since)},
		fields=["opportunity", "event", "to_stage", "gate_overridden", "imported", "creation"],
		order_by="creation asc, name asc",
	)
	by_deal = defaultdict(list)
	for row in rows:
		by_deal[row.opportunity].append(row)
	return Counter((row.opportunity, row.event) for row in rows), by_deal


# --- the check ---------------------------------------------------------------------------------


def check(site: str, setup_path: str, run_path: str, min_ops: int) -> int:
	with open(run_path) as f:
		log = json.load(f)
	with open(setup_path) as f:
		config = json.load(f)
	users, since = [u["email"] for u in config["users"].values()], config["started"]
	connect(site)
	try:
		figures = answer_figures(log)
		deals = sorted(
			set(log["names"]["Opportunity"])
			| set(
				frappe.get_all(
					"Opportunity", {"owner": ("in", users), "creation": (">=", since)}, pluck="name"
				)
			)
		)
		leads = sorted(
			set(log["names"]["Lead"])
			| set(frappe.get_all("Lead", {"owner": ("in", users), "creation": (">=", since)}, pluck="name"))
		)
		found, rows_by_deal = found_transitions(deals, since) if deals else (Counter(), {})
		deal_problems, lead_problems, forged = [], [], []
		alive_deals = frappe.get_all("Opportunity", {"name": ("in", deals)}, pluck="name") if deals else []
		for name in alive_deals:
			doc = frappe.get_doc("Opportunity", name)
			missing = deal_violation(doc, rows_by_deal.get(name, []))
			if missing:
				deal_problems.append(
					f"{name} ({doc.sales_mode}, {doc.sales_stage}, {doc.status}): {'; '.join(missing)}"
				)
			forged += [f"{name}: {f}" for f in forged_fields("Opportunity", doc)]
		alive_leads = frappe.get_all("Lead", {"name": ("in", leads)}, pluck="name") if leads else []
		for name in alive_leads:
			doc = frappe.get_doc("Lead", name)
			missing = lead_violation(doc)
			if missing:
				lead_problems.append(
					f"{name} ({doc.sales_mode}, {doc.qualification_status}): {'; '.join(missing)}"
				)
			forged += [f"{name}: {f}" for f in forged_fields("Lead", doc)]

		expected = expected_transitions(log["accepted"], logs_mode_changes())
		compared = set(COMPARED_EVENTS) | ({"Mode Change"} if logs_mode_changes() else set())
		lost, doubled = compare_transitions(expected, found, compared)
		other_events = Counter(e for (_d, e), n in found.items() for _ in range(n) if e not in compared)
	finally:
		frappe.destroy()

	failures = {
		"operations short of the minimum": [f"{log['ran']} < {min_ops}"] if log["ran"] < min_ops else [],
		"5xx answers": [
			f"#{r['i']} {r['kind']} {r['method']} {r['status']}: {r['message']}"
			for r in figures["server_errors"]
		],
		"requests without an answer": [
			f"#{r['i']} {r['kind']}: {r['message']}" for r in figures["unanswered"]
		],
		"refusals without a readable message": [
			f"#{r['i']} {r['kind']} {r['status']} {r['exc_type']}" for r in figures["unreadable"]
		],
		"deals resting where their rules are unmet": deal_problems,
		"leads qualified or disqualified against their rules": lead_problems,
		"forged server-owned fields kept": forged,
		"transitions lost": lost,
		"transitions doubled": doubled,
		"concurrent pairs both accepted": [f"#{i}" for i in figures["pairs_both_accepted"]],
	}
	print(f"Hostile traffic on {site}: seed {log['seed']}, {log['ran']} operations in {log['seconds']} s "
	      f"(stopped by {log['stopped_by']})")  # fmt: skip
	print(
		f"  requests {figures['requests']}, accepted {figures['accepted']}, refused {figures['refused']} (4xx)"
	)
	print("  refused by class: " + ", ".join(f"{k} {v}" for k, v in figures["refused_by_class"]))
	print(f"  deals checked {len(alive_deals)} (of {len(deals)} touched), leads checked {len(alive_leads)}")
	print(f"  transitions expected {sum(expected.values())}, found {sum(found[k] for k in found if k[1] in compared)}"
	      f" (other events logged: {dict(other_events) or 'none'})")  # fmt: skip
	print(f"  concurrent pairs {figures['pairs']}: {figures['pairs_conflict']} refused one save as a conflict, "
	      f"{len(figures['pairs_both_accepted'])} accepted both")  # fmt: skip
	for what, problems in failures.items():
		print(f"  {what}: {len(problems)}")
		for problem in problems[:EXAMPLES]:
			print(f"      {problem}")
	return 1 if any(failures.values()) else 0


def main(argv: list[str]) -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("command", choices=("setup", "check"))
	parser.add_argument("site")
	parser.add_argument("setup_json")
	parser.add_argument("run_json", nargs="?")
	parser.add_argument("--min-ops", type=int, default=2000)
	args = parser.parse_args(argv)
	if args.command == "setup":
		setup(args.site, args.setup_json)
		return 0
	return check(args.site, args.setup_json, args.run_json, args.min_ops)


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
