"""Every doctype, report, default record and hook path, checked as files."""

import re

import pytest

from sales_modes.core import gates
from sales_modes.setup.custom_fields import SALES_MODE_DOCTYPES, get_custom_fields
from tests.artifacts import (
	APP,
	MODULE,
	ROOT,
	doctype_files,
	doctypes,
	hooks_values,
	load_json,
	module_file,
	report_files,
	strings_in,
	top_level_names,
)

# Frappe v15's field types (frappe/model/__init__.py: data_fieldtypes + no_value_fields + layout)
FIELDTYPES = {
	"Autocomplete",
	"Attach",
	"Attach Image",
	"Barcode",
	"Button",
	"Check",
	"Code",
	"Color",
	"Column Break",
	"Currency",
	"Data",
	"Date",
	"Datetime",
	"Duration",
	"Dynamic Link",
	"Float",
	"Fold",
	"Geolocation",
	"Heading",
	"HTML",
	"HTML Editor",
	"Icon",
	"Image",
	"Int",
	"JSON",
	"Link",
	"Long Text",
	"Markdown Editor",
	"Password",
	"Percent",
	"Phone",
	"Read Only",
	"Rating",
	"Section Break",
	"Select",
	"Signature",
	"Small Text",
	"Tab Break",
	"Table",
	"Table MultiSelect",
	"Text",
	"Text Editor",
	"Time",
}
# Frappe and ERPNext doctypes the app links to
HOST_DOCTYPES = {
	"Sales Stage",
	"Contact",
	"Opportunity",
	"User",
	"Role",
	"Company",
	"Customer",
	"Lead",
	"Prospect",
	"Territory",
	"Customer Group",
	"Quotation",
	"Sales Order",
	"Sales Invoice",
	"POS Invoice",
	"Delivery Note",
	"Currency",
	"Opportunity Lost Reason",
	"DocType",
}
STANDARD_SALES_STAGES = list(gates.ERPNEXT_SALES_STAGES)


def known_doctypes() -> set[str]:
	return set(doctypes()) | HOST_DOCTYPES


def test_there_are_doctypes():
	assert {
		"Sales Mode",
		"Sales Mode Stage",
		"Stage Requirement",
		"Sales Modes Settings",
		"Stage Transition",
		"Disqualification Reason",
		"Buying Committee Member",
	} <= set(doctypes())


@pytest.mark.parametrize("path", doctype_files(), ids=lambda p: p.parent.name)
def test_doctype_json(path):
	data = load_json(path)
	assert data["doctype"] == "DocType"
	assert data["module"] == "Sales Modes"
	assert path.parent.name == path.stem == re.sub(r"[^a-z0-9]+", "_", data["name"].lower())
	fieldnames = [f["fieldname"] for f in data["fields"]]
	assert len(fieldnames) == len(set(fieldnames)), "duplicate fieldnames"
	assert data["field_order"] == fieldnames
	for field in data["fields"]:
		assert field["fieldtype"] in FIELDTYPES, field
		assert re.fullmatch(r"[a-z][a-z0-9_]*", field["fieldname"]), field
		if field["fieldtype"] in ("Link", "Table", "Table MultiSelect"):
			assert field.get("options") in known_doctypes(), field
		if field["fieldtype"] in ("Table", "Table MultiSelect"):
			assert doctypes()[field["options"]].get("istable") == 1
		if field.get("fetch_from"):
			link, _sep, _target = field["fetch_from"].partition(".")
			assert link in fieldnames
	controller = path.with_suffix(".py")
	assert controller.exists()
	class_name = data["name"].replace(" ", "")
	assert class_name in top_level_names(controller)
	if not data.get("istable"):
		assert data["permissions"], "a top-level doctype needs permissions"


def test_stage_transition_is_read_only_to_everyone():
	data = doctypes()["Stage Transition"]
	for perm in data["permissions"]:
		assert not any(perm.get(p) for p in ("write", "create", "delete", "submit", "cancel", "amend"))
	assert all(
		f.get("read_only") for f in data["fields"] if f["fieldtype"] not in ("Section Break", "Column Break")
	)


def test_select_options_match_core_constants():
	requirement = {f["fieldname"]: f for f in doctypes()["Stage Requirement"]["fields"]}
	assert tuple(requirement["check_type"]["options"].split("\n")) == gates.CHECK_TYPES
	stage = {f["fieldname"]: f for f in doctypes()["Sales Mode Stage"]["fields"]}
	assert tuple(stage["buying_phase"]["options"].split("\n")) == gates.BUYING_PHASES
	opportunity = {f["fieldname"]: f for f in get_custom_fields()["Opportunity"]}
	assert tuple(opportunity["buying_phase"]["options"].split("\n")[1:]) == gates.BUYING_PHASES


def test_custom_fields():
	fields = get_custom_fields()
	assert set(SALES_MODE_DOCTYPES) <= set(fields)
	for doctype, dfs in fields.items():
		names = [df["fieldname"] for df in dfs]
		assert len(names) == len(set(names)), doctype
		for df in dfs:
			assert df["fieldtype"] in FIELDTYPES, df
			if df["fieldtype"] in ("Link", "Table"):
				assert df["options"] in known_doctypes(), df
			assert df.get("insert_after"), df
		mode = next(df for df in dfs if df["fieldname"] == "sales_mode")
		assert mode["options"] == "Sales Mode" and mode["in_standard_filter"] and mode["search_index"]


def test_hooks_dotted_paths_resolve_to_functions():
	hooks = hooks_values()
	assert hooks["required_apps"] == ["erpnext"]
	paths = []
	for key in (
		"after_install",
		"before_uninstall",
		"before_tests",
		"after_migrate",
		"extend_bootinfo",
		"doc_events",
		"scheduler_events",
		"has_permission",
		"permission_query_conditions",
	):
		paths += [p for p in strings_in(hooks.get(key)) if "." in p]
	assert len(paths) > 10
	for dotted in paths:
		module, _dot, function = dotted.rpartition(".")
		path = module_file(module)
		assert path is not None, f"{dotted}: no module {module}"
		assert function in top_level_names(path), f"{dotted}: {function} not defined in {path}"


def test_hooks_asset_paths_exist():
	hooks = hooks_values()
	for path in hooks["doctype_js"].values():
		assert (APP / path).exists(), path
	for bundle in strings_in(hooks.get("app_include_js")):
		assert list(APP.glob(f"public/**/{bundle}")), bundle


def test_default_records():
	modes = load_json(APP / "default_records" / "sales_modes.json")
	assert {m["mode_name"]: m["family"] for m in modes} == {"B2B": "Business", "B2C": "Consumer"}
	for mode in modes:
		stages = [s["sales_stage"] for s in mode["stages"]]
		assert len(stages) == len(set(stages))
		assert set(stages) <= set(STANDARD_SALES_STAGES)
		assert all(s["buying_phase"] in gates.BUYING_PHASES for s in mode["stages"])
		for row in mode["requirements"] + mode["lead_requirements"]:
			assert row["check_type"] in gates.CHECK_TYPES
			assert row["message"]
		for r in mode["requirements"]:
			applies_to = r.get("applies_to", gates.APPLIES_TO_STAGE)
			assert applies_to in gates.APPLIES_TO
			if applies_to == gates.APPLIES_TO_STAGE:
				assert r["sales_stage"] in stages
			else:
				assert "sales_stage" not in r
	b2b = next(m for m in modes if m["mode_name"] == "B2B")
	assert [s["sales_stage"] for s in b2b["stages"]] == STANDARD_SALES_STAGES
	assert not b2b["allow_stage_skipping"]
	reasons = {r["reason"] for r in load_json(APP / "default_records" / "disqualification_reasons.json")}
	assert {
		"No Need",
		"No Budget",
		"No Authority",
		"Bad Timing",
		"Chose Competitor",
		"Unreachable",
		"Duplicate",
	} <= reasons


@pytest.mark.parametrize("path", report_files(), ids=lambda p: p.parent.name)
def test_report_json(path):
	data = load_json(path)
	assert data["doctype"] == "Report"
	assert data["module"] == "Sales Modes"
	assert data["ref_doctype"] in known_doctypes()
	if data["report_type"] == "Script Report":
		assert path.with_suffix(".py").exists() and "execute" in top_level_names(path.with_suffix(".py"))
		assert path.with_suffix(".js").exists()


def test_core_never_imports_frappe():
	for path in (APP / "core").glob("*.py"):
		assert not re.search(r"^\s*(import|from)\s+frappe", path.read_text(), re.M), path


def test_package_init_only_holds_version():
	text = (APP / "__init__.py").read_text()
	assert re.fullmatch(r'__version__ = "\d+\.\d+\.\d+"\n', text)


def test_modules_and_patches():
	assert (APP / "modules.txt").read_text().strip() == "Sales Modes"
	for line in (APP / "patches.txt").read_text().splitlines():
		line = line.strip()
		if line and not line.startswith(("#", "[")):
			assert module_file(line.split()[0]) is not None, line
	assert (ROOT / "pyproject.toml").exists() and (MODULE / "__init__.py").exists()


def is_test_code(path) -> bool:
	relative = path.relative_to(APP)
	return relative.parts[0] == "tests" or path.name.startswith("test_")


def test_production_modules_hold_no_test_code():
	"""Fixtures and factories live in sales_modes/tests/; nothing the app runs imports them."""
	for path in sorted(APP.rglob("*.py")):
		if is_test_code(path):
			continue
		text = path.read_text(encoding="utf-8")
		assert not re.search(r"^\s*(from|import) sales_modes\.tests\b", text, re.M), path
		assert "class " not in text or "TestCase" not in text, path
