// Copyright (c) 2026, Sales Modes Developers and contributors
// For license information, please see license.txt

frappe.query_reports["Stage Funnel by Mode"] = {
	filters: sales_modes.report_filters(),
	formatter(value, row, column, data, default_formatter) {
		// Stages are ERPNext's Sales Stage names: shown in the user's language
		if (column.fieldname === "sales_stage" && value) {
			return frappe.utils.escape_html(__(value));
		}
		return sales_modes.report_formatter(value, row, column, data, default_formatter);
	},
};
