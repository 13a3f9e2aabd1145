"""Permissions ERPNext leaves out that a sales rep needs to work a pipeline.

ERPNext lets only a Sales Manager read Sales Stage, so a Sales User cannot pick the stage of
their own opportunity in the desk (the link search and validation are refused). The grants
here go through Custom DocPerm, as the Role Permissions Manager does: the first one copies the
doctype's standard rules, so nothing else changes. Uninstall takes them back and, where what is
left equals the standard rules, removes the copy too, so the doctype reads its standard rules again.
"""

import frappe
from frappe.permissions import rights, setup_custom_perms

GRANTS = (("Sales Stage", "Sales User", ("select", "read")),)

RULE_KEY = ("role", "permlevel", "if_owner", *rights)


def grant_permissions() -> None:
	"""Idempotent: run at install and on every migrate."""
	for doctype, role, granted in GRANTS:
		setup_custom_perms(doctype)
		rule = {"parent": doctype, "role": role, "permlevel": 0, "if_owner": 0}
		name = frappe.db.get_value("Custom DocPerm", rule)
		if not name:
			frappe.get_doc(
				{
					"doctype": "Custom DocPerm",
					"parenttype": "DocType",
					"parentfield": "permissions",
					**rule,
					**dict.fromkeys(granted, 1),
				}
			).insert(ignore_permissions=True)
		else:
			missing = {
				right: 1 for right in granted if not frappe.db.get_value("Custom DocPerm", name, right)
			}
			if missing:
				frappe.db.set_value("Custom DocPerm", name, missing)
		frappe.clear_cache(doctype=doctype)


def revoke_permissions() -> None:
	for doctype, role, _granted in GRANTS:
		if not frappe.db.exists("DocPerm", {"parent": doctype, "role": role, "permlevel": 0, "if_owner": 0}):
			frappe.db.delete(
				"Custom DocPerm", {"parent": doctype, "role": role, "permlevel": 0, "if_owner": 0}
			)
		if rules_of("Custom DocPerm", doctype) == rules_of("DocPerm", doctype):
			frappe.db.delete("Custom DocPerm", {"parent": doctype})
		frappe.clear_cache(doctype=doctype)


def rules_of(perm_doctype: str, doctype: str) -> list[tuple]:
	rows = frappe.get_all(perm_doctype, filters={"parent": doctype}, fields=list(RULE_KEY))
	return sorted(tuple(row[key] or 0 for key in RULE_KEY) for row in rows)
