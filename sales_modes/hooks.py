app_name = "sales_modes"
app_title = "Sales Modes"
app_publisher = "Sales Modes Developers"
app_description = "B2B and B2C sales modes for ERPNext: inferred modes, per-mode stage-gated pipelines and side-by-side reports"
app_email = "dev@sales-modes.invalid"
app_license = "mit"

required_apps = ["erpnext"]

export_python_type_annotations = True

# Desk scripts for ERPNext forms
app_include_js = "sales_modes.bundle.js"
doctype_js = {
	"Opportunity": "public/js/opportunity.js",
	"Lead": "public/js/lead.js",
	"Customer": "public/js/customer.js",
}
doctype_list_js = {"Lead": "public/js/lead_list.js"}

# Install; every migrate syncs custom fields and indexes (no patch line needed when they change)
after_install = "sales_modes.install.after_install"
after_migrate = "sales_modes.install.after_migrate"
before_uninstall = "sales_modes.install.before_uninstall"
before_tests = "sales_modes.install.before_tests"

# What the desk needs of the app's defaults (frappe.boot.sales_modes)
extend_bootinfo = "sales_modes.boot.extend_bootinfo"

# REST payloads of the gated doctypes: a table must be a list of rows (Frappe answers 500 otherwise)
before_request = ["sales_modes.input_checks.check_rest_payload"]

# Document events: one handler module per host doctype
doc_events = {
	"Customer": {
		"validate": "sales_modes.events.customer.validate",
		"on_update": "sales_modes.events.customer.on_update",
		"after_rename": "sales_modes.sale_ledger.customer_renamed",
	},
	"Lead": {
		"validate": "sales_modes.events.lead.validate",
		"on_update": "sales_modes.events.lead.on_update",
	},
	"Prospect": {
		"validate": "sales_modes.events.prospect.validate",
		"on_update": "sales_modes.events.prospect.on_update",
	},
	"Opportunity": {
		"validate": "sales_modes.events.opportunity.validate",
		"before_change": "sales_modes.events.opportunity.before_change",
		"on_change": "sales_modes.events.opportunity.on_change",
		"on_trash": "sales_modes.events.opportunity.on_trash",
	},
	"Quotation": {"validate": "sales_modes.events.sales_document.validate"},
	"Sales Order": {"validate": "sales_modes.events.sales_document.validate"},
	# Each counted sale and return has its row in the sale ledger (sales_modes.sale_ledger)
	"Sales Invoice": {
		"validate": "sales_modes.events.sales_document.validate",
		"on_submit": "sales_modes.sale_ledger.on_submit",
		"on_cancel": "sales_modes.sale_ledger.on_cancel",
	},
	"POS Invoice": {
		"validate": "sales_modes.events.sales_document.validate",
		"on_submit": "sales_modes.sale_ledger.on_submit",
		"on_cancel": "sales_modes.sale_ledger.on_cancel",
	},
	"Delivery Note": {"validate": "sales_modes.events.sales_document.validate"},
	# Its default customer is the walk-in party, whose inferred mode is a setting of its own
	"POS Profile": {
		"on_update": "sales_modes.follow.walk_in_changed",
		"after_delete": "sales_modes.follow.walk_in_changed",
	},
}

# The stage log outlives its opportunity (its rows are marked as of a deleted deal)
ignore_links_on_delete = ["Stage Transition"]

has_permission = {
	"Stage Transition": "sales_modes.sales_modes.doctype.stage_transition.stage_transition.has_permission",
}
permission_query_conditions = {
	"Stage Transition": "sales_modes.sales_modes.doctype.stage_transition.stage_transition.get_permission_query_conditions",
}

scheduler_events = {
	"daily": [
		"sales_modes.stalled.notify_stalled_deals",
		"sales_modes.prepared_reports.daily",
		"sales_modes.sale_ledger.daily_check",
	],
}
