"""The reports, workspace, number cards and dashboard charts, checked as files (no Frappe)."""

import ast
import json
import re

import pytest

from tests.artifacts import MODULE, ROOT, load_json, module_file, report_files, top_level_names

SCRIPT_REPORTS = {
	"Sales Mode Comparison", "Stage Funnel by Mode", "Sales Cycle Analysis", "Stalled Deals",
	"Repeat Purchase by Mode", "Disqualification Analysis", "Sales Mode Trends",
}  # fmt: skip
BUILDER_REPORTS = {"Opportunities by Sales Mode and Stage", "Customers by Sales Mode"}
COMPARISON_FIELDS = [
	"sales_mode", "leads", "qualified_leads", "disqualified_leads", "qualification_rate", "opportunities", "won",
	"lost", "win_rate", "avg_deal_size", "median_cycle_days", "avg_committee_size", "customers", "new_customers",
	"repeat_customers", "repeat_rate", "invoices", "revenue", "avg_order_value",
]  # fmt: skip


def reports() -> dict[str, dict]:
	return {data["name"]: data for data in map(load_json, report_files())}


def records(folder: str) -> dict[str, dict]:
	return {data["name"]: data for data in map(load_json, sorted((MODULE / folder).glob("*/*.json")))}


def test_every_report_is_there():
	found = reports()
	assert {n for n, d in found.items() if d["report_type"] == "Script Report"} >= SCRIPT_REPORTS
	assert {n for n, d in found.items() if d["report_type"] == "Report Builder"} >= BUILDER_REPORTS


@pytest.mark.parametrize("name", sorted(SCRIPT_REPORTS))
def test_script_report_files(name):
	folder = MODULE / "report" / re.sub(r"[^a-z0-9]+", "_", name.lower())
	data = load_json(folder / f"{folder.name}.json")
	assert data["is_standard"] == "Yes" and data["report_name"] == name and data["roles"]
	assert (folder / "__init__.py").exists()
	assert "execute" in top_level_names(folder / f"{folder.name}.py")
	assert (folder / f"test_{folder.name}.py").exists(), "each report has its bench test next to it"
	js = (folder / f"{folder.name}.js").read_text()
	assert f'frappe.query_reports["{name}"]' in js
	assert "sales_modes.report_filters(" in js, "the shared filters"


@pytest.mark.parametrize("name", sorted(BUILDER_REPORTS))
def test_saved_report_builder_reports_show_the_mode(name):
	data = reports()[name]
	settings = json.loads(data["json"])
	assert data["is_standard"] == "Yes"
	assert ["sales_mode", data["ref_doctype"]] in settings["fields"]
	# Frappe's report builder groups by one column only; grouping by anything but the mode would
	# show one arbitrary mode per group (a deal list by mode and stage is sorted by mode instead)
	group_by = settings.get("group_by")
	assert not group_by or group_by["group_by"] == f"`tab{data['ref_doctype']}`.`sales_mode`"
	assert group_by or settings["order_by"].startswith(f"`tab{data['ref_doctype']}`.`sales_mode`")
	assert all(doctype == data["ref_doctype"] for _field, doctype in settings["fields"])


def test_comparison_columns_are_the_interface():
	source = (MODULE / "report" / "sales_mode_comparison" / "sales_mode_comparison.py").read_text()
	tree = ast.parse(source)
	get_columns = next(
		n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "get_columns"
	)
	fieldnames = [
		node.args[0].value
		for node in ast.walk(get_columns)
		if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "column"
	]
	assert fieldnames == COMPARISON_FIELDS


def test_number_cards_and_charts():
	cards, charts = records("number_card"), records("dashboard_chart")
	assert {
		"Open B2B Deals",
		"Open B2C Deals",
		"B2B Win Rate This Quarter",
		"B2C Win Rate This Quarter",
	} <= set(cards)
	for card in cards.values():
		assert card["module"] == "Sales Modes" and card["is_standard"] == 1 and card["is_public"] == 1
		if card["type"] == "Custom":
			module, _dot, function = card["method"].rpartition(".")
			assert function in top_level_names(module_file(module))
		else:
			assert card["type"] == "Document Type" and card["document_type"] == "Opportunity"
			assert json.loads(card["filters_json"])
	for chart in charts.values():
		assert chart["module"] == "Sales Modes" and chart["is_standard"] == 1
		assert chart["chart_type"] == "Report" and chart["report_name"] in reports()
		assert chart["use_report_chart"] == 1


def test_workspace_points_at_records_that_exist():
	workspace = load_json(MODULE / "workspace" / "sales_modes" / "sales_modes.json")
	assert workspace["public"] == 1 and workspace["module"] == "Sales Modes"
	doctypes = {p.parent.name for p in (MODULE / "doctype").glob("*/*.json")}
	links = [link for link in workspace["links"] if link["type"] == "Link"]
	for link in links:
		if link["link_type"] == "Report":
			assert link["link_to"] in reports()
			assert link["is_query_report"] == (reports()[link["link_to"]]["report_type"] == "Script Report")
		else:
			assert re.sub(r"[^a-z0-9]+", "_", link["link_to"].lower()) in doctypes
	assert {link["link_to"] for link in links} >= (
		SCRIPT_REPORTS
		| BUILDER_REPORTS
		| {"Sales Mode", "Stage Transition", "Disqualification Reason", "Sales Modes Settings"}
	)
	assert {c["number_card_name"] for c in workspace["number_cards"]} == set(records("number_card"))
	assert {c["chart_name"] for c in workspace["charts"]} == set(records("dashboard_chart"))
	blocks = json.loads(workspace["content"])
	cards = {link["label"] for link in workspace["links"] if link["type"] == "Card Break"}
	shortcuts = {s["label"] for s in workspace["shortcuts"]}
	for block in blocks:
		data = block["data"]
		if block["type"] == "card":
			assert data["card_name"] in cards
		elif block["type"] == "shortcut":
			assert data["shortcut_name"] in shortcuts
		elif block["type"] == "number_card":
			assert data["number_card_name"] in records("number_card")
		elif block["type"] == "chart":
			assert data["chart_name"] in records("dashboard_chart")


def test_report_indexes_are_named_and_synced_on_migrate():
	import ast

	tree = ast.parse((ROOT / "sales_modes" / "setup" / "indexes.py").read_text())
	assignment = next(
		n for n in tree.body if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "INDEXES"
	)
	indexes = ast.literal_eval(assignment.value)
	assert all(name.startswith("sales_modes_") and len(name) <= 64 for name in indexes)
	assert all(columns and doctype for doctype, columns in indexes.values())
	# No patch line carries them: every migrate syncs fields and indexes (install.after_migrate)
	assert "sync_custom_fields_and_indexes" not in (ROOT / "sales_modes" / "patches.txt").read_text()
	install = ast.parse((ROOT / "sales_modes" / "install.py").read_text())
	functions = {n.name: n for n in install.body if isinstance(n, ast.FunctionDef)}

	def calls(name):
		return {
			c.func.id for c in ast.walk(functions[name]) if isinstance(c, ast.Call) and hasattr(c.func, "id")
		}

	assert {"make_custom_fields", "add_indexes"} <= calls("sync_schema")
	assert "sync_schema" in calls("after_migrate") and "sync_schema" in calls("after_install")


def test_the_benchmark_times_every_script_report():
	import ast

	tree = ast.parse((ROOT / "sales_modes" / "demo" / "benchmark.py").read_text())
	timed = next(
		ast.literal_eval(n.value)
		for n in tree.body
		if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "OUR_REPORTS"
	)
	script_reports = {
		path.parent.name for path in MODULE.glob("report/*/*.py") if path.stem == path.parent.name
	}
	assert len(script_reports) == 7
	assert set(timed) == script_reports


def test_workspace_counts_open_deals_as_the_metric_dictionary_does():
	"""The Opportunity shortcut's "{} Open" is Frappe's count with its stats filter: the statuses
	must be the Open Deals of docs/metrics.md (core.deal_states.OPEN_STATUSES)."""
	from sales_modes.core.deal_states import OPEN_STATUSES

	workspace = load_json(MODULE / "workspace" / "sales_modes" / "sales_modes.json")
	shortcut = next(s for s in workspace["shortcuts"] if s["link_to"] == "Opportunity")
	assert json.loads(shortcut["stats_filter"]) == {"status": ["in", list(OPEN_STATUSES)]}
