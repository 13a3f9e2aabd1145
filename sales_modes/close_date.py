"""An opportunity's close date (`closed_on`): the day it was won (Converted) or lost.

A Date, not a Datetime: cycle time is close date minus the opportunity's date, and the
opportunity date (`transaction_date`) is a Date, so a cycle is a whole number of days with no
hour or time-zone artefacts; ERPNext's own evidence for a win, the Sales Order's
`transaction_date`, is a Date; and the CRMs a company leaves export close dates as dates. The
moment of an event after install stays in Stage Transition.transitioned_on.

The server owns the field: it is set when the deal becomes Converted or Lost and cleared when
it is reopened. A client never sets it, except Data Import while Sales Modes Settings does not
gate imports: an imported closed deal keeps the close date it came with.

Two paths reach it: `validate` (every save: desk, REST, import, `declare_enquiry_lost`) and
`on_change` after ERPNext's `db_set` of the status (quotation submitted or lost, sales order
submitted or cancelled), which bypasses validate.
"""

import frappe
from frappe.utils import getdate, today

from sales_modes.core.deal_states import CONVERTED, LOST
from sales_modes.settings import get_settings

FIELD = "closed_on"
# The statuses that close a deal with an outcome; CLOSED (ERPNext's auto-close of a replied
# deal) is neither a win nor a loss and has no close date.
DECIDED_STATUSES = (CONVERTED, LOST)
# The status a close date was settled for on this object, so that a later on_change of the same
# save (or the second db_set of ERPNext's set_status) does not move it again
SETTLED_FLAG = "close_date_settled_for"


def imported_close_dates_allowed() -> bool:
	return bool(frappe.flags.in_import) and not get_settings().gate_data_import


def set_close_date(doc) -> None:
	"""validate: settle closed_on from the status; a client's value is ignored unless imported."""
	before = doc.get_doc_before_save()
	previous_status = before.status if before else None
	if not imported_close_dates_allowed():
		doc.set(FIELD, before.get(FIELD) if before else None)
	if doc.status not in DECIDED_STATUSES:
		doc.set(FIELD, None)
	elif not doc.get(FIELD) or (doc.status != previous_status and not imported_close_dates_allowed()):
		doc.set(FIELD, today())
	elif doc.get(FIELD):
		doc.set(FIELD, getdate(doc.get(FIELD)))
	doc.flags[SETTLED_FLAG] = doc.status


def follow_status_change(doc) -> None:
	"""on_change: a status written with db_set (bypassing validate) sets or clears the close date."""
	if doc.flags.in_delete or doc.flags.get(SETTLED_FLAG) == doc.status:
		return
	doc.flags[SETTLED_FLAG] = doc.status
	before = doc.get_doc_before_save()
	status_changed = before is None or before.status != doc.status
	if doc.status in DECIDED_STATUSES:
		if doc.get(FIELD) and not status_changed:
			return
		value = today()
	elif doc.get(FIELD):
		value = None
	else:
		return
	doc.set(FIELD, value)
	frappe.db.set_value(doc.doctype, doc.name, FIELD, value, update_modified=False)
