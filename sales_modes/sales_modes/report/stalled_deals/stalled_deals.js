// Copyright (c) 2026, Sales Modes Developers and contributors
// For license information, please see license.txt

// Every deal stuck today: the period is optional and empty by default; when set, it keeps the
// deals opened (opportunity date) in it
frappe.query_reports["Stalled Deals"] = {
	filters: sales_modes.report_filters().map((filter) =>
		["from_date", "to_date"].includes(filter.fieldname)
			? { ...filter, default: null, reqd: 0 }
			: filter
	),
	formatter: sales_modes.report_formatter,
};
