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
	]).map((filter) =>
		// Whole months, this one and the twelve before it: no partial first month, and thirteen
		// points, where frappe-charts (which thins a crowded axis to every other label but always
		// labels the last point) never draws the last two labels side by side, as it does with
		// twelve. The workspace charts take this default too (it overrides their own).
		filter.fieldname === "from_date"
			? { ...filter, default: frappe.datetime.add_months(frappe.datetime.month_start(), -12) }
			: filter
	),
	formatter: sales_modes.report_formatter,
};
