"""Custom fields the app adds to ERPNext doctypes, defined in code.

Created by install.py and re-applied on every migrate (after_migrate: only what changed is
saved), deleted with their columns on uninstall. The definitions import nothing from Frappe, so the pure test suite
checks them too. Never exported through the `fixtures` hook: that would re-import
them on every migrate and leave them behind on uninstall.
"""

# Where `sales_mode` goes on each doctype that carries it
SALES_MODE_DOCTYPES = {
	"Customer": "customer_type",
	"Lead": "status",
	"Prospect": "company_name",
	"Opportunity": "customer_name",
	"Quotation": "customer_name",
	"Sales Order": "customer_name",
	"Sales Invoice": "customer_name",
	"POS Invoice": "customer_name",
	"Delivery Note": "customer_name",
}

# Sales documents that copy the mode of their party when created
TRANSACTION_DOCTYPES = ("Quotation", "Sales Order", "Sales Invoice", "POS Invoice", "Delivery Note")

IS_BUSINESS = 'eval:doc.sales_mode_family==="Business"'
IS_CONSUMER = 'eval:doc.sales_mode_family==="Consumer"'


def sales_mode_field(insert_after: str) -> dict:
	return {
		"fieldname": "sales_mode",
		"label": "Sales Mode",
		"fieldtype": "Link",
		"options": "Sales Mode",
		"insert_after": insert_after,
		"in_list_view": 1,
		"in_standard_filter": 1,
		"in_preview": 1,
		"search_index": 1,
		"description": "B2B or B2C. Inferred when left empty; pick another mode to choose it, clear it to infer it again.",
	}


def sales_mode_source_field() -> dict:
	"""Whether the mode was inferred (it follows the party) or chosen (it never changes by itself).
	Set by the server on every save, never taken from a client; not copied to new documents."""
	return {
		"fieldname": "sales_mode_source",
		"label": "Sales Mode Source",
		"fieldtype": "Select",
		"options": "\nInferred\nChosen",
		"insert_after": "sales_mode",
		"read_only": 1,
		"no_copy": 1,
		"in_standard_filter": 1,
		"depends_on": "sales_mode",
		"description": "Inferred: follows the customer type, the lead's organisation and Sales Modes Settings. Chosen: set by a user and never changed by itself. Set by the system.",
	}


def get_custom_fields() -> dict[str, list[dict]]:
	fields = {
		doctype: [sales_mode_field(after), sales_mode_source_field()]
		for doctype, after in SALES_MODE_DOCTYPES.items()
	}

	fields["Opportunity"] += [
		{
			"fieldname": "sales_mode_family",
			"label": "Sales Mode Family",
			"fieldtype": "Data",
			"fetch_from": "sales_mode.family",
			"insert_after": "sales_mode_source",
			"read_only": 1,
			"hidden": 1,
		},
		{
			"fieldname": "buying_phase",
			"label": "Buying Phase",
			"fieldtype": "Select",
			"options": "\nAwareness\nConsideration\nDecision",
			"insert_after": "sales_stage",
			"read_only": 1,
			"no_copy": 1,
			"in_standard_filter": 1,
			"description": "Where the buyer is (Awareness, Consideration, Decision), from the mode's pipeline.",
		},
		{
			"fieldname": "stage_entered_on",
			"label": "In Stage Since",
			"fieldtype": "Datetime",
			"insert_after": "buying_phase",
			"read_only": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "sales_path_section",
			"label": "Sales Path",
			"fieldtype": "Section Break",
			"insert_after": "probability",
			"depends_on": "eval:!doc.__islocal",
		},
		{
			"fieldname": "sales_path_html",
			"label": "Sales Path",
			"fieldtype": "HTML",
			"insert_after": "sales_path_section",
			"description": "The stages of the deal's mode, and what it still lacks to enter the next one.",
		},
		{
			"fieldname": "deal_qualification_section",
			"label": "Deal Qualification",
			"fieldtype": "Section Break",
			"insert_after": "sales_path_html",
		},
		{
			"fieldname": "need_description",
			"label": "Need",
			"fieldtype": "Small Text",
			"insert_after": "deal_qualification_section",
			"description": "What problem the buyer wants solved. Copied from the lead.",
		},
		{
			"fieldname": "budget_confirmed",
			"label": "Budget Confirmed",
			"fieldtype": "Check",
			"insert_after": "need_description",
		},
		{
			"fieldname": "budget_amount",
			"label": "Budget Amount",
			"fieldtype": "Currency",
			"options": "currency",
			"insert_after": "budget_confirmed",
			"depends_on": "eval:doc.budget_confirmed",
		},
		{
			"fieldname": "value_driver",
			"label": "Value Driver",
			"fieldtype": "Select",
			"options": "\nCost Saving\nEfficiency\nCompetitive Advantage\nOther",
			"insert_after": "budget_amount",
			"depends_on": IS_BUSINESS,
		},
		{
			"fieldname": "purchase_driver",
			"label": "Purchase Driver",
			"fieldtype": "Select",
			"options": "\nPrice\nConvenience\nBrand\nNeed",
			"insert_after": "value_driver",
			"depends_on": IS_CONSUMER,
		},
		{
			"fieldname": "deal_qualification_column",
			"fieldtype": "Column Break",
			"insert_after": "purchase_driver",
		},
		{
			"fieldname": "roi_summary",
			"label": "ROI Summary",
			"fieldtype": "Small Text",
			"insert_after": "deal_qualification_column",
			"depends_on": IS_BUSINESS,
			"description": "The value case the buyer will sign off: savings, payback, gains.",
		},
		{
			"fieldname": "buying_committee_section",
			"label": "Buying Committee",
			"fieldtype": "Section Break",
			"insert_after": "roi_summary",
			"depends_on": IS_BUSINESS,
		},
		{
			"fieldname": "buying_committee",
			"label": "Buying Committee",
			"fieldtype": "Table",
			"options": "Buying Committee Member",
			"insert_after": "buying_committee_section",
		},
		{
			"fieldname": "gate_override_section",
			"label": "Gate Override",
			"fieldtype": "Section Break",
			"insert_after": "buying_committee",
			"collapsible": 1,
			"collapsible_depends_on": "gate_override_reason",
		},
		{
			"fieldname": "gate_override_reason",
			"label": "Gate Override Reason",
			"fieldtype": "Small Text",
			"insert_after": "gate_override_section",
			"no_copy": 1,
			"description": "Lets a user with the override role save the deal past unmet requirements, or change the mode of a deal past its first stage. Logged in Stage Transition and cleared after the save.",
		},
		{
			"fieldname": "requirements_not_met",
			"label": "Requirements Not Met",
			"fieldtype": "Check",
			"insert_after": "gate_override_reason",
			"read_only": 1,
			"no_copy": 1,
			"in_standard_filter": 1,
			"description": "Set by the server: the deal stands in its stage or status without meeting all of its rules (grandfathered from before the rule, overridden, imported, or set by ERPNext).",
		},
		{
			"fieldname": "gate_override_stage",
			"label": "Override Stands For Stage",
			"fieldtype": "Data",
			"insert_after": "requirements_not_met",
			"read_only": 1,
			"no_copy": 1,
			"depends_on": "gate_override_stage",
			"description": "Set by the server: the stage whose unmet rules a logged override lets the deal stand in, until it leaves the stage.",
		},
		{
			"fieldname": "gate_override_outcome",
			"label": "Override Stands For Outcome",
			"fieldtype": "Data",
			"insert_after": "gate_override_stage",
			"read_only": 1,
			"no_copy": 1,
			"depends_on": "gate_override_outcome",
			"description": "Set by the server: Won or Lost, when a logged override lets the deal be closed that way without meeting its rules.",
		},
	]

	fields["Lead"] += [
		{
			"fieldname": "qualification_details_section",
			"label": "Qualification Details",
			"fieldtype": "Section Break",
			"insert_after": "qualified_on",
		},
		{
			"fieldname": "need_description",
			"label": "Need",
			"fieldtype": "Small Text",
			"insert_after": "qualification_details_section",
			"description": "What problem the buyer wants solved.",
		},
		{
			"fieldname": "budget_status",
			"label": "Budget",
			"fieldtype": "Select",
			"options": "\nUnknown\nConfirmed\nNo Budget",
			"insert_after": "need_description",
		},
		{
			"fieldname": "budget_amount",
			"label": "Budget Amount",
			"fieldtype": "Currency",
			"insert_after": "budget_status",
			"depends_on": 'eval:doc.budget_status==="Confirmed"',
		},
		{
			"fieldname": "qualification_details_column",
			"fieldtype": "Column Break",
			"insert_after": "budget_amount",
		},
		{
			"fieldname": "decision_maker_known",
			"label": "Decision Maker Known",
			"fieldtype": "Check",
			"insert_after": "qualification_details_column",
		},
		{
			"fieldname": "purchase_timeline",
			"label": "Timing",
			"fieldtype": "Select",
			"options": "\nWithin a Month\n1-3 Months\n3-6 Months\nOver 6 Months\nUnknown",
			"insert_after": "decision_maker_known",
		},
		{
			"fieldname": "qualification_override_reason",
			"label": "Qualification Override Reason",
			"fieldtype": "Small Text",
			"insert_after": "purchase_timeline",
			"no_copy": 1,
			"description": "Lets a user with the override role qualify the lead without its requirements. Kept on the lead and noted in its timeline.",
		},
		{
			"fieldname": "disqualification_section",
			"label": "Disqualification",
			"fieldtype": "Section Break",
			"insert_after": "purchase_timeline",
			"collapsible": 1,
			"collapsible_depends_on": "disqualified",
		},
		{
			"fieldname": "disqualified",
			"label": "Disqualified",
			"fieldtype": "Check",
			"insert_after": "disqualification_section",
			"in_standard_filter": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "disqualification_reason",
			"label": "Disqualification Reason",
			"fieldtype": "Link",
			"options": "Disqualification Reason",
			"insert_after": "disqualified",
			"depends_on": "disqualified",
			"mandatory_depends_on": "disqualified",
			"in_standard_filter": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "disqualification_note",
			"label": "Disqualification Note",
			"fieldtype": "Small Text",
			"insert_after": "disqualification_reason",
			"depends_on": "disqualified",
			"no_copy": 1,
		},
		{
			"fieldname": "disqualification_column",
			"fieldtype": "Column Break",
			"insert_after": "disqualification_note",
		},
		{
			"fieldname": "disqualified_by",
			"label": "Disqualified By",
			"fieldtype": "Link",
			"options": "User",
			"insert_after": "disqualification_column",
			"read_only": 1,
			"depends_on": "disqualified",
			"no_copy": 1,
		},
		{
			"fieldname": "disqualified_on",
			"label": "Disqualified On",
			"fieldtype": "Datetime",
			"insert_after": "disqualified_by",
			"read_only": 1,
			"depends_on": "disqualified",
			"no_copy": 1,
		},
	]
	fields["Opportunity"].append(
		{
			"fieldname": "closed_on",
			"label": "Closed On",
			"fieldtype": "Date",
			"insert_after": "expected_closing",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
			"description": "The day the deal was won or lost. Set by the system; only Data Import with gating off may bring an earlier date.",
		}
	)
	return fields


def make_custom_fields() -> None:
	from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

	create_custom_fields(get_custom_fields(), ignore_validate=True)


def delete_custom_fields() -> None:
	"""Remove our fields, their property setters and their columns: ERPNext as before the install."""
	import frappe

	for doctype, fields in get_custom_fields().items():
		fieldnames = [f["fieldname"] for f in fields]
		frappe.db.delete("Custom Field", {"dt": doctype, "fieldname": ("in", fieldnames)})
		frappe.db.delete("Property Setter", {"doc_type": doctype, "field_name": ("in", fieldnames)})
		columns = set(frappe.db.get_table_columns(doctype))
		for fieldname in fieldnames:
			if fieldname in columns:
				frappe.db.sql_ddl(f"ALTER TABLE `tab{doctype}` DROP COLUMN `{fieldname}`")
		frappe.clear_cache(doctype=doctype)
