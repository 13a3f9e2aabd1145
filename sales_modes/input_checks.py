"""Bad input gets a clear, translated refusal (a 4xx), never a database error (a 5xx).

Frappe checks the length of Data fields but not of text columns, does not parse dates before
MariaDB sees them, and fails with a TypeError when a REST client sends a table as anything but a
list. The gated doctypes (Opportunity, Lead) are where hostile or sloppy clients write most, so
their saves and REST payloads are checked here.
"""

import json
import re

import frappe
from frappe import _
from frappe.model import table_fields
from frappe.utils import get_datetime, getdate

# MariaDB's TEXT column (Frappe's Small Text and Text) holds 65,535 bytes
TEXT_COLUMN_BYTES = 65_535
TEXT_FIELDTYPES = ("Small Text", "Text")
DATE_FIELDTYPES = {"Date": getdate, "Datetime": get_datetime}
GUARDED_DOCTYPES = ("Opportunity", "Lead")
# /api/resource/<doctype>[/<name>] (v1) and /api/v2/document/<doctype>[/<name>]
RESOURCE_PATH = re.compile(r"^/api/(?:v1/)?(?:resource|v2/document)/([^/]+)")


def check_field_values(doc) -> None:
	"""validate: text that fits its column and dates that are dates, each refused by its label."""
	for df in doc.meta.fields:
		value = doc.get(df.fieldname)
		if value in (None, ""):
			continue
		if df.fieldtype in TEXT_FIELDTYPES and len(str(value).encode("utf-8")) > TEXT_COLUMN_BYTES:
			frappe.throw(
				_("{0} is too long: at most {1} characters (bytes) fit.").format(
					frappe.bold(_(df.label)), TEXT_COLUMN_BYTES
				),
				frappe.CharacterLengthExceededError,
				title=_("Value Too Long"),
			)
		if df.fieldtype in DATE_FIELDTYPES and isinstance(value, str):
			try:
				DATE_FIELDTYPES[df.fieldtype](value)
			except Exception:
				frappe.throw(
					_("{0} must be a date, not {1}.").format(
						frappe.bold(_(df.label)), frappe.bold(value[:40])
					),
					title=_("Invalid Date"),
				)


def check_rest_payload() -> None:
	"""before_request: in a REST payload a table is a list of rows and any other field one value."""
	request = getattr(frappe.local, "request", None)
	if request is None or request.method not in ("POST", "PUT", "PATCH"):
		return
	match = RESOURCE_PATH.match(request.path)
	doctype = match.group(1) if match else None  # werkzeug has already decoded the path
	if doctype not in GUARDED_DOCTYPES:
		return
	try:
		payload = json.loads(request.get_data(as_text=True) or "{}")
	except ValueError:
		return  # Frappe answers a body that is not JSON itself
	if not isinstance(payload, dict):
		return
	meta = frappe.get_meta(doctype)
	for fieldname, value in payload.items():
		df = meta.get_field(fieldname)
		if not df or value is None:
			continue
		if df.fieldtype in table_fields:
			if not (isinstance(value, list) and all(isinstance(row, dict) for row in value)):
				frappe.throw(
					_("{0} must be a list of rows.").format(frappe.bold(_(df.label))),
					title=_("Invalid Table"),
				)
		elif isinstance(value, list | dict) and df.fieldtype != "JSON":
			frappe.throw(
				_("{0} takes one value, not a list.").format(frappe.bold(_(df.label))),
				title=_("Invalid Value"),
			)
