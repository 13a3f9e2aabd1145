// Copyright (c) 2026, Sales Modes Developers and contributors
// For license information, please see license.txt

frappe.query_reports["Sales Cycle Analysis"] = {
	filters: sales_modes.report_filters(),
	formatter: sales_modes.report_formatter,
};
