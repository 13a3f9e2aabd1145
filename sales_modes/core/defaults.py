"""The app's defaults, defined once. Frappe-free, so the core reads them too.

Install fills blank Sales Modes Settings with SETTINGS (the doctype's JSON carries no defaults of
its own), `settings.py` falls back to them, `ModeMap` starts from them, and the desk receives what
it needs through the boot info (`boot.py`). The shipped modes themselves, their pipelines and
rules are records: `default_records/sales_modes.json`.
"""

SALES_MANAGER = "Sales Manager"
SYSTEM_MANAGER = "System Manager"

# Sales Modes Settings as installed (the modes named here are shipped in default_records)
SETTINGS = {
	"company_mode": "B2B",
	"partnership_mode": "B2B",
	"individual_mode": "B2C",
	# A customer that is the default customer of a POS Profile (the walk-in shopper) is a person,
	# whatever customer_type ERPNext gave it (it defaults to Company)
	"walk_in_customer_mode": "B2C",
	"copy_mode_to_transactions": 1,
	"override_role": SALES_MANAGER,
	"gate_data_import": 1,
	"stall_alerts_enabled": 1,
}

# Who may put back a shipped mode's pipeline and rules (the endpoint and the desk's button)
RESTORE_DEFAULTS_ROLES = (SYSTEM_MANAGER, SALES_MANAGER)

# Who may delete an opportunity that has a logged stage history (the log outlives the deal)
DELETE_WITH_HISTORY_ROLES = (SALES_MANAGER, SYSTEM_MANAGER)

# Who may read the stage history of a deleted deal
DELETED_DEAL_READERS = (SALES_MANAGER, SYSTEM_MANAGER)
