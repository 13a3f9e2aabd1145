"""Lead qualification (gated by the mode's lead requirements) and disqualification with a reason.

The same rules as the stage gate: one list of what is missing, the override role with a reason
(kept on the lead and noted in its timeline), the Data Import switch, and fields only the
server sets.
"""

import frappe
from frappe import _
from frappe.utils import now_datetime

from sales_modes.core import gates
from sales_modes.expressions import describe_unmet, evaluate_expression
from sales_modes.gate import require_override_role, throw_unmet
from sales_modes.pipelines import doc_values, get_lead_requirements
from sales_modes.settings import can_override_gates, get_settings

QUALIFIED = "Qualified"
UNQUALIFIED = "Unqualified"

# Set by the server only: a client's values (desk, REST, import) are replaced by the stored ones
SERVER_OWNED_FIELDS = (
	"qualified_by",
	"qualified_on",
	"disqualified_by",
	"disqualified_on",
	"qualification_override_reason",
)


def keep_server_owned(doc) -> None:
	before = doc.get_doc_before_save()
	doc.flags.qualification_override_reason = (doc.qualification_override_reason or "").strip() or None
	for fieldname in SERVER_OWNED_FIELDS:
		doc.set(fieldname, before.get(fieldname) if before else None)


def validate_qualification(doc) -> None:
	if doc.qualification_status != QUALIFIED:
		doc.qualified_by = doc.qualified_on = doc.qualification_override_reason = None
		return
	becomes_qualified = doc.is_new() or doc.has_value_changed("qualification_status")
	if not becomes_qualified:
		return
	if doc.disqualified:
		frappe.throw(
			_("A disqualified lead cannot be qualified. Clear Disqualified first."),
			title=_("Lead Is Disqualified"),
		)
	missing = []
	if doc.sales_mode:
		missing = gates.unmet(get_lead_requirements(doc.sales_mode), doc_values(doc), evaluate_expression)
	if missing:
		let_through(doc, [describe_unmet(r) for r in missing])
	doc.qualified_by = frappe.session.user
	doc.qualified_on = now_datetime().date()


def let_through(doc, missing: list[str]) -> None:
	"""Qualify without the requirements on the record, or refuse with the one list."""
	reason = doc.flags.qualification_override_reason
	lacking = "; ".join(missing)
	if frappe.flags.in_import and not get_settings().gate_data_import:
		doc.flags.qualification_note = _(
			"Qualified through Data Import with gating off, lacking: {0}"
		).format(lacking)
		return
	if reason:
		require_override_role(_("qualify a lead without its requirements"))
		doc.qualification_override_reason = reason
		doc.flags.qualification_note = _("Qualified by override ({0}), lacking: {1}").format(reason, lacking)
		return
	hint = _("To qualify it anyway, give a Qualification Override Reason.") if can_override_gates() else None
	throw_unmet(_("Lead {0}").format(doc.name or doc.lead_name), _(QUALIFIED), missing, hint)


def note_qualification(doc) -> None:
	"""After the save (a new lead exists only then): the timeline notes a qualification let through."""
	note = doc.flags.pop("qualification_note", None)
	if note:
		doc.add_comment("Info", note)


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
		doc.qualification_status = UNQUALIFIED
		doc.qualified_by = doc.qualified_on = doc.qualification_override_reason = None
