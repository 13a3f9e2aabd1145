"""Default records shipped in default_records/: installed once, idempotently, and restorable on demand.

Admins edit these records; unlike the `fixtures` hook, nothing here overwrites their edits on
migrate.
"""

import json
from pathlib import Path

import frappe
from frappe import _

from sales_modes.core.gates import ERPNEXT_SALES_STAGES

DEFAULT_RECORDS = Path(__file__).resolve().parent.parent / "default_records"


# Filled by install_defaults() rather than as field defaults: Frappe saves every Single with its
# field defaults before after_install runs, when the modes these link to do not exist yet.
SETTINGS_DEFAULTS = {
	"company_mode": "B2B",
	"partnership_mode": "B2B",
	"individual_mode": "B2C",
	"copy_mode_to_transactions": 1,
	"override_role": "Sales Manager",
	"gate_data_import": 1,
	"stall_alerts_enabled": 1,
}


def load_default_records(name: str) -> list[dict]:
	return json.loads((DEFAULT_RECORDS / name).read_text())


def install_defaults() -> None:
	make_sales_stages()
	for mode in load_default_records("sales_modes.json"):
		if not frappe.db.exists("Sales Mode", mode["mode_name"]):
			frappe.get_doc({"doctype": "Sales Mode", **mode}).insert(ignore_permissions=True)
	for reason in load_default_records("disqualification_reasons.json"):
		if not frappe.db.exists("Disqualification Reason", reason["reason"]):
			frappe.get_doc({"doctype": "Disqualification Reason", **reason}).insert(ignore_permissions=True)
	set_settings_defaults()


def make_sales_stages() -> None:
	# ERPNext's setup wizard creates these; a site that skipped it may not have them
	for stage in ERPNEXT_SALES_STAGES:
		if not frappe.db.exists("Sales Stage", stage):
			frappe.get_doc({"doctype": "Sales Stage", "stage_name": stage}).insert(ignore_permissions=True)


def set_settings_defaults() -> None:
	"""Fill blank settings only: an admin's choices survive reinstalls and migrations."""
	settings = frappe.get_single("Sales Modes Settings")
	changed = False
	for fieldname, value in SETTINGS_DEFAULTS.items():
		if settings.get(fieldname) in (None, ""):
			settings.set(fieldname, value)
			changed = True
	if changed or settings.is_new():
		settings.flags.ignore_permissions = True
		settings.save()


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
