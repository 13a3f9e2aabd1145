"""Each default has one home: core/defaults.py for settings and roles, default_records for modes."""

import re

from sales_modes.core import defaults
from sales_modes.core.modes import ModeMap
from tests.artifacts import APP, doctypes, load_json

SETTINGS_DOCTYPE = "Sales Modes Settings"


def shipped_modes() -> set[str]:
	return {mode["mode_name"] for mode in load_json(APP / "default_records" / "sales_modes.json")}


def test_settings_defaults_are_settings_fields():
	fields = {df["fieldname"]: df for df in doctypes()[SETTINGS_DOCTYPE]["fields"]}
	assert set(defaults.SETTINGS) <= set(fields)
	for fieldname, value in defaults.SETTINGS.items():
		if fields[fieldname]["fieldtype"] == "Link" and fields[fieldname]["options"] == "Sales Mode":
			assert value in shipped_modes(), fieldname


def test_the_settings_doctype_repeats_no_default():
	"""Install fills the settings from core/defaults.py; a field default would be a second home."""
	for df in doctypes()[SETTINGS_DOCTYPE]["fields"]:
		assert "default" not in df, df["fieldname"]


def test_mode_map_starts_from_the_settings_defaults():
	mode_map = ModeMap()
	assert (mode_map.company, mode_map.partnership, mode_map.individual, mode_map.fallback) == (
		defaults.SETTINGS["company_mode"],
		defaults.SETTINGS["partnership_mode"],
		defaults.SETTINGS["individual_mode"],
		defaults.SETTINGS.get("fallback_mode"),
	)


def test_desk_scripts_repeat_no_mode_or_role_name():
	"""The desk reads shipped modes and roles from frappe.boot.sales_modes (boot.py)."""
	names = shipped_modes() | {defaults.SALES_MANAGER, defaults.SYSTEM_MANAGER}
	for path in APP.rglob("*.js"):
		text = path.read_text(encoding="utf-8")
		for name in names:
			assert not re.search(rf"[\"'`]{re.escape(name)}[\"'`]", text), f"{path}: {name}"


def test_python_repeats_no_default_role_outside_core_defaults():
	for path in APP.rglob("*.py"):
		relative = path.relative_to(APP)
		if relative.parts[0] in ("tests", "demo") or path.name.startswith("test_"):
			continue
		if path == APP / "core" / "defaults.py":
			continue
		text = path.read_text(encoding="utf-8")
		assert not re.search(r"[\"']Sales Manager[\"']", text), path
