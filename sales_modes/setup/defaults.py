"""Default records shipped in default_records/: installed once, idempotently, and restorable on demand.

Admins edit these records; unlike the `fixtures` hook, nothing here overwrites their edits on
migrate.
"""

import json
from pathlib import Path

import frappe
from frappe import _

from sales_modes.core import defaults
from sales_modes.core.gates import ERPNEXT_SALES_STAGES

DEFAULT_RECORDS = Path(__file__).resolve().parent.parent / "default_records"


def load_default_records(name: str) -> list[dict]:
	return json.loads((DEFAULT_RECORDS / name).read_text())


def install_defaults(fresh_install: bool = False) -> None:
	make_sales_stages()
	for mode in load_default_records("sales_modes.json"):
		if not frappe.db.exists("Sales Mode", mode["mode_name"]):
			frappe.get_doc({"doctype": "Sales Mode", **mode}).insert(ignore_permissions=True)
	for reason in load_default_records("disqualification_reasons.json"):
		if not frappe.db.exists("Disqualification Reason", reason["reason"]):
			frappe.get_doc({"doctype": "Disqualification Reason", **reason}).insert(ignore_permissions=True)
	set_settings_defaults(fresh_install)


def make_sales_stages() -> None:
	# ERPNext's setup wizard creates these; a site that skipped it may not have them
	for stage in ERPNEXT_SALES_STAGES:
		if not frappe.db.exists("Sales Stage", stage):
			frappe.get_doc({"doctype": "Sales Stage", "stage_name": stage}).insert(ignore_permissions=True)


def shipped_mode_names() -> list[str]:
	return [mode["mode_name"] for mode in load_default_records("sales_modes.json")]


def set_settings_defaults(fresh_install: bool = False) -> None:
	"""Fill blank and never-saved settings only: an admin's choices survive reinstalls and migrations.

	The defaults are core/defaults.py's, not field defaults in the doctype: the modes they link to
	exist only once install_defaults() has made them. A Check never saved reads 0, so "never
	saved" is told from tabSingles, where an unticked box an admin saved is a stored 0. On a fresh
	install no admin can have saved anything yet, but Frappe has already stored the doctype's
	blank values (a 0 for every Check): there every default is set.
	"""
	settings = frappe.get_single("Sales Modes Settings")
	stored = frappe.db.get_singles_dict("Sales Modes Settings")
	changed = False
	for fieldname, value in defaults.SETTINGS.items():
		if fresh_install or fieldname not in stored or settings.get(fieldname) in (None, ""):
			settings.set(fieldname, value)
			changed = True
	if changed or settings.is_new():
		settings.flags.ignore_permissions = True
		settings.save()


def add_new_settings_defaults() -> None:
	"""after_migrate: a setting a newer version adds gets its default once; a blank an admin saved
	later stays blank (it is stored in tabSingles)."""
	stored = frappe.db.get_singles_dict("Sales Modes Settings")
	if not stored:
		return  # never set up: install_defaults does it all
	for fieldname, value in defaults.SETTINGS.items():
		if fieldname in stored or (fieldname.endswith("_mode") and not frappe.db.exists("Sales Mode", value)):
			continue
		frappe.db.set_single_value("Sales Modes Settings", fieldname, value)


def restore_mode_defaults(mode_name: str) -> None:
	shipped = {m["mode_name"]: m for m in load_default_records("sales_modes.json")}
	if mode_name not in shipped:
		frappe.throw(
			_("{0} is not a mode the app ships, so it has no defaults to restore.").format(
				frappe.bold(mode_name)
			),
			title=_("No Defaults"),
		)
	make_sales_stages()
	defaults = shipped[mode_name]
	doc = frappe.get_doc("Sales Mode", mode_name)
	for table in ("stages", "requirements", "lead_requirements"):
		doc.set(table, [])
		for row in defaults.get(table, []):
			doc.append(table, row)
	doc.allow_stage_skipping = defaults["allow_stage_skipping"]
	doc.family = defaults["family"]
	doc.save()
