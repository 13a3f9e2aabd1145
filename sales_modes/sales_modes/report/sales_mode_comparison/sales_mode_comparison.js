// Copyright (c) 2026, Sales Modes Developers and contributors
// For license information, please see license.txt

frappe.query_reports["Sales Mode Comparison"] = {
	filters: sales_modes.report_filters([
		{
			fieldname: "layout",
			label: __("Layout"),
			fieldtype: "Select",
			options: [
				{ value: "Metrics as Rows", label: __("Metrics as Rows") },
				{ value: "Modes as Rows", label: __("Modes as Rows") },
			],
			default: "Metrics as Rows",
		},
	]),
	formatter(value, row, column, data, default_formatter) {
		// Metrics as rows: each row carries its own type (count, percent, currency, days)
		if (data && data.fieldtype && column.fieldname !== "metric") {
			const df = {
				fieldtype: data.fieldtype,
				precision: data.precision,
				options: data.fieldtype === "Currency" ? "currency" : undefined,
			};
			const text = frappe.format(value, df, { inline: true }, data);
			return column.fieldname === "difference" && value > 0 ? `+${text}` : text;
		}
		return sales_modes.report_formatter(value, row, column, data, default_formatter);
	},
};
