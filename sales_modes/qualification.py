"""Lead qualification (gated by the mode's lead requirements) and disqualification with a reason."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from sales_modes.core import gates
from sales_modes.expressions import describe_unmet, evaluate_expression
from sales_modes.gate import throw_unmet
from sales_modes.pipelines import doc_values, get_lead_requirements

QUALIFIED = "Qualified"


def validate_qualification(doc) -> None:
	becomes_qualified = doc.qualification_status == QUALIFIED and (
		doc.is_new() or doc.has_value_changed("qualification_status")
	)
	if not becomes_qualified:
		return
	if doc.disqualified:
		frappe.throw(
			_("A disqualified lead cannot be qualified. Clear Disqualified first."),
			title=_("Lead Is Disqualified"),
		)
	if doc.sales_mode:
		missing = gates.unmet(get_lead_requirements(doc.sales_mode), doc_values(doc), evaluate_expression)
		if missing:
			throw_unmet(
				_("Lead {0}").format(doc.name or doc.lead_name),
				_(QUALIFIED),
				[describe_unmet(r) for r in missing],
			)
	# ERPNext fills these only from the desk form; do it for every path
	doc.qualified_by = doc.qualified_by or frappe.session.user
	doc.qualified_on = doc.qualified_on or now_datetime().date()


def validate_disqualification(doc) -> None:
	if not doc.disqualified:
		doc.disqualification_reason = doc.disqualified_by = doc.disqualified_on = None
		return
	if not doc.disqualification_reason:
		frappe.throw(
			_("Choose a Disqualification Reason to disqualify this lead."),
			frappe.MandatoryError,
			title=_("Reason Required"),
		)
	if doc.is_new() or doc.has_value_changed("disqualified") or not doc.disqualified_by:
		doc.disqualified_by = frappe.session.user
		doc.disqualified_on = now_datetime()
	if doc.qualification_status == QUALIFIED:
		doc.qualification_status = "Unqualified"
