"""Helpers that read the app's artifacts as files (JSON, Python via ast), never importing Frappe."""

import ast
import json
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "sales_modes"
MODULE = APP / "sales_modes"


def load_json(path: Path):
	return json.loads(path.read_text(encoding="utf-8"))


@cache
def doctype_files() -> tuple[Path, ...]:
	return tuple(sorted(MODULE.glob("doctype/*/*.json")))


@cache
def doctypes() -> dict[str, dict]:
	out = {}
	for path in doctype_files():
		data = load_json(path)
		if data.get("doctype") == "DocType":
			out[data["name"]] = data
	return out


def report_files() -> list[Path]:
	return sorted(MODULE.glob("report/*/*.json"))


def module_file(dotted_module: str) -> Path | None:
	parts = dotted_module.split(".")
	base = ROOT.joinpath(*parts)
	for candidate in (base.with_suffix(".py"), base / "__init__.py"):
		if candidate.exists():
			return candidate
	return None


def top_level_names(path: Path) -> set[str]:
	tree = ast.parse(path.read_text(encoding="utf-8"))
	names = set()
	for node in tree.body:
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
			names.add(node.name)
		elif isinstance(node, ast.Assign):
			names.update(t.id for t in node.targets if isinstance(t, ast.Name))
	return names


def hooks_values() -> dict[str, object]:
	tree = ast.parse((APP / "hooks.py").read_text(encoding="utf-8"))
	values = {}
	for node in tree.body:
		if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
			values[node.targets[0].id] = ast.literal_eval(node.value)
	return values


def strings_in(value) -> list[str]:
	if isinstance(value, str):
		return [value]
	if isinstance(value, dict):
		return [s for v in value.values() for s in strings_in(v)]
	if isinstance(value, list | tuple):
		return [s for v in value for s in strings_in(v)]
	return []
