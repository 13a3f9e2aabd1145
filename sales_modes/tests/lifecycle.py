"""Snapshots of what the app touches in ERPNext, to prove migrate idempotent and uninstall clean.

Run from the bench's sites folder with the bench's Python (the site need not have the app):
    python -m sales_modes.tests.lifecycle snapshot SITE a.json   the schema: columns, indexes, fields, records
    python -m sales_modes.tests.lifecycle data SITE a.json       ERPNext's data: rows and a checksum per table
    python -m sales_modes.tests.lifecycle compare a.json b.json "what changed between them"

The data snapshot counts the rows of every table the app adds columns to and hashes them, every
column but the app's own, so that install -> use -> uninstall -> reinstall can be shown to leave
ERPNext's data as it was.
"""

import hashlib
import json
import sys

HOST_DOCTYPES = (
	"Customer", "Lead", "Prospect", "Opportunity", "Quotation", "Sales Order", "Sales Invoice",
	"POS Invoice", "Delivery Note",
)  # fmt: skip


def take_snapshot() -> dict:
	import frappe

	snapshot = {}
	for doctype in HOST_DOCTYPES:
		snapshot[f"columns of {doctype}"] = sorted(frappe.db.get_table_columns(doctype))
		indexes = {row.Key_name for row in frappe.db.sql(f"SHOW INDEX FROM `tab{doctype}`", as_dict=True)}
		if frappe.get_meta(doctype).sort_field == "creation":
			# Frappe's schema sync adds this index to such tables whenever it alters them (the
			# custom fields do); it is Frappe's own, wanted on any later change, not ours to drop
			indexes.discard("creation")
		snapshot[f"indexes of {doctype}"] = sorted(indexes)
	snapshot["custom fields"] = [
		"{dt}.{fieldname}:{fieldtype}:{insert_after}".format(**f)
		for f in frappe.get_all(
			"Custom Field", fields=["dt", "fieldname", "fieldtype", "insert_after"], order_by="dt, fieldname"
		)
	]
	snapshot["property setters"] = [
		"{doc_type}.{field_name}.{property}={value}".format(**p)
		for p in frappe.get_all(
			"Property Setter", fields=["doc_type", "field_name", "property", "value"], order_by="name"
		)
	]
	snapshot["custom permissions"] = [
		"{parent}:{role}:{permlevel}:{read}{select}{write}".format(**p)
		for p in frappe.get_all(
			"Custom DocPerm",
			fields=["parent", "role", "permlevel", "read", "select", "write"],
			order_by="parent, role, permlevel",
		)
	]
	for doctype in ("DocType", "Report", "Workspace", "Number Card", "Dashboard Chart", "Module Def"):
		# Records named "_Test ..." are Frappe's test records, which run-tests makes (and commits)
		# for the link dependencies of the doctypes it tests, between the baseline and the check
		names = frappe.get_all(doctype, pluck="name", order_by="name")
		snapshot[doctype] = [name for name in names if not name.startswith("_Test ")]
	return snapshot


def app_columns(doctype: str) -> set[str]:
	from sales_modes.setup.custom_fields import get_custom_fields

	return {field["fieldname"] for field in get_custom_fields().get(doctype, [])}


def take_data_snapshot() -> dict:
	"""Per host table: its row count and a SHA-256 of every row, the app's columns left out."""
	import frappe

	snapshot = {}
	for doctype in HOST_DOCTYPES:
		columns = sorted(set(frappe.db.get_table_columns(doctype)) - app_columns(doctype))
		select = ", ".join(f"`{column}`" for column in columns)
		digest, count = hashlib.sha256(), 0
		for row in frappe.db.sql(f"SELECT {select} FROM `tab{doctype}` ORDER BY name", as_list=True):
			digest.update(repr(row).encode())
			count += 1
		snapshot[f"data of {doctype}"] = [f"{count} rows, sha256 {digest.hexdigest()}"]
	return snapshot


def write_snapshot(site: str, path: str, take=take_snapshot) -> None:
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		with open(path, "w") as f:
			json.dump(take(), f, indent=1, sort_keys=True)
	finally:
		frappe.destroy()


def compare(a: dict, b: dict) -> list[str]:
	problems = []
	for key in sorted(set(a) | set(b)):
		left, right = set(a.get(key, [])), set(b.get(key, []))
		if left != right:
			problems.append(f"{key}: added {sorted(right - left)}, removed {sorted(left - right)}")
	return problems


def main(argv: list[str]) -> int:
	if argv[0] in ("snapshot", "data"):
		write_snapshot(argv[1], argv[2], take_snapshot if argv[0] == "snapshot" else take_data_snapshot)
		return 0
	first, second, what = argv[1:4]
	with open(first) as f1, open(second) as f2:
		problems = compare(json.load(f1), json.load(f2))
	if problems:
		print(f"{what} changed the site:")
		print("\n".join(f"  {p}" for p in problems))
		return 1
	print(f"{what}: nothing changed")
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
