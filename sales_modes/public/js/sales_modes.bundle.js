// Shared desk helpers for the forms sales_modes extends.
frappe.provide("sales_modes");

// One neutral line naming the mode in the form's intro (v15 puts the dashboard in the Connections
// tab, out of sight), cleared first: refresh runs more than once per load and set_intro appends.
// Neutral, not coloured by family: B2C is no warning. No server call, so every desk role sees it.
// It says whether the mode was inferred (it follows the party) or chosen (it stays).
sales_modes.show_mode_indicator = function (frm) {
	frm.set_intro();
	if (!frm.doc.sales_mode || frm.is_new()) return;
	const mode = __(frm.doc.sales_mode);
	const messages = {
		Inferred: __(
			"Sales Mode: {0}, inferred: it follows the party until someone picks another mode.",
			[mode]
		),
		Chosen: __(
			"Sales Mode: {0}, chosen: it never changes by itself. Clear it to infer it again.",
			[mode]
		),
	};
	frm.set_intro(messages[frm.doc.sales_mode_source] || __("Sales Mode: {0}", [mode]), "blue");
};

// Filters shared by the Sales Modes reports: company, the last 12 months, territory, customer group, mode
sales_modes.report_filters = function (extra = []) {
	return [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
			reqd: 1,
		},
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_days(frappe.datetime.add_months(frappe.datetime.get_today(), -12), 1),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
		{
			fieldname: "territory",
			label: __("Territory"),
			fieldtype: "Link",
			options: "Territory",
		},
		{
			fieldname: "customer_group",
			label: __("Customer Group"),
			fieldtype: "Link",
			options: "Customer Group",
		},
		{
			fieldname: "sales_mode",
			label: __("Sales Mode"),
			fieldtype: "Link",
			options: "Sales Mode",
		},
		...extra,
	];
};

// Rows of deals or customers with no mode read "Not Set" in the mode column
sales_modes.report_formatter = function (value, row, column, data, default_formatter) {
	if (column.fieldname === "sales_mode" && data && !data.sales_mode && !data.is_total) {
		return `<span class="text-muted">${__("Not Set")}</span>`;
	}
	return default_formatter(value, row, column, data);
};
