"""Expression rules: admin-written conditions on a deal, evaluated with frappe.safe_eval."""

import frappe


def evaluate_expression(expression: str, doc) -> object:
	return frappe.safe_eval(expression, None, {"doc": frappe._dict(doc)})
