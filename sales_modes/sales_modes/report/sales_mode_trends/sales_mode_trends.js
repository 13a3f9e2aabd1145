// Copyright (c) 2026, Sales Modes Developers and contributors
// For license information, please see license.txt

frappe.query_reports["Sales Mode Trends"] = {
	filters: sales_modes.report_filters([
		{
			fieldname: "measure",
			label: __("Measure"),
			fieldtype: "Select",
			options: [
				{ value: "Won Value", label: __("Won Value") },
				{ value: "New Leads", label: __("New Leads") },
				{ value: "Revenue", label: __("Revenue") },
			],
			default: "Won Value",
			reqd: 1,
		},
	]),
	formatter: sales_modes.report_formatter,
};
