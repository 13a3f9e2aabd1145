"""Collects every user-facing string of the app, as Frappe's translation would look them up."""

import ast
import json
import re
from pathlib import Path

from tests.artifacts import APP

JS_CALL = re.compile(r"""\b__\(\s*(["'`])((?:\\.|(?!\1).)+)\1""", re.S)
JSON_KEYS = ("label", "description", "title", "name", "report_name", "chart_name", "subject")
OPTION_FIELDTYPES = ("Select",)
# What the onboarding widget passes through __(): the whole markdown description is one message
ONBOARDING_KEYS = {
	"Module Onboarding": ("title", "subtitle", "success_message"),
	"Onboarding Step": (
		"title",
		"description",
		"action_label",
		"report_description",
		"callback_title",
		"callback_message",
	),
}


def python_strings(path: Path) -> set[str]:
	found = set()
	for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
		if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_" and node.args:
			arg = node.args[0]
			if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
				found.add(arg.value)
	return found


def js_strings(path: Path) -> set[str]:
	return {
		m.group(2).replace("\\'", "'").replace('\\"', '"')
		for m in JS_CALL.finditer(path.read_text(encoding="utf-8"))
	}


def field_strings(field: dict) -> set[str]:
	found = {field.get("label"), field.get("description")}
	if field.get("fieldtype") in OPTION_FIELDTYPES:
		found |= set((field.get("options") or "").split("\n"))
	return {s for s in found if s}


def doctype_strings(data: dict) -> set[str]:
	found = {data["name"]}
	for field in data.get("fields", []):
		found |= field_strings(field)
	return found


def json_strings(path: Path) -> set[str]:
	data = json.loads(path.read_text(encoding="utf-8"))
	if isinstance(data, dict) and data.get("doctype") == "DocType":
		return doctype_strings(data)
	if isinstance(data, dict) and data.get("doctype") in (
		"Report",
		"Workspace",
		"Number Card",
		"Dashboard Chart",
	):
		found = {data.get(k) for k in ("name", "label", "report_name", "chart_name", "title")}
		for link in (
			data.get("links", [])
			+ data.get("shortcuts", [])
			+ data.get("charts", [])
			+ data.get("number_cards", [])
		):
			found.add(link.get("label"))
		for column in data.get("columns", []) or []:
			if isinstance(column, dict):
				found.add(column.get("label"))
		return {s for s in found if isinstance(s, str) and s}
	if isinstance(data, dict) and data.get("doctype") in ONBOARDING_KEYS:
		return {data[k] for k in ONBOARDING_KEYS[data["doctype"]] if data.get(k)}
	return set()


def default_record_strings() -> set[str]:
	found = set()
	modes = json.loads((APP / "default_records" / "sales_modes.json").read_text(encoding="utf-8"))
	for mode in modes:
		found.add(mode["description"])
		for row in mode["stages"]:
			found |= {row["sales_stage"], row["guidance"]}
		for row in mode["requirements"] + mode["lead_requirements"]:
			found.add(row["message"])
	for reason in json.loads(
		(APP / "default_records" / "disqualification_reasons.json").read_text(encoding="utf-8")
	):
		found |= {reason["reason"], reason["description"]}
	return found


def custom_field_strings() -> set[str]:
	from sales_modes.setup.custom_fields import get_custom_fields

	return {s for fields in get_custom_fields().values() for f in fields for s in field_strings(f)}


def all_strings() -> set[str]:
	found = set()
	for path in APP.rglob("*.py"):
		found |= python_strings(path)
	for path in APP.rglob("*.js"):
		if "/dist/" not in str(path) and "node_modules" not in str(path):
			found |= js_strings(path)
	for path in APP.rglob("*.json"):
		if "default_records" not in path.parts:
			found |= json_strings(path)
	found |= default_record_strings() | custom_field_strings()
	return {s for s in found if re.search(r"[A-Za-z]", s)}


PO_ENTRY = re.compile(r'^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"$', re.M)
PO_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
	return re.sub(r"\\(.)", lambda m: PO_ESCAPES.get(m.group(1), m.group(1)), text)


def zh_translations() -> dict[str, str]:
	"""The entries of locale/zh.po (single-line msgid/msgstr, as the file is written)."""
	text = (APP / "locale" / "zh.po").read_text(encoding="utf-8")
	return {unescape(source): unescape(target) for source, target in PO_ENTRY.findall(text) if source}
