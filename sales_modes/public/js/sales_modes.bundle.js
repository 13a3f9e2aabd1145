// Shared desk helpers for the forms sales_modes extends.
frappe.provide("sales_modes");

sales_modes.FAMILY_COLORS = { Business: "blue", Consumer: "orange" };

sales_modes.show_mode_indicator = function (frm) {
	if (!frm.doc.sales_mode || frm.is_new()) return;
	frappe.db.get_value("Sales Mode", frm.doc.sales_mode, "family").then(({ message }) => {
		const color = sales_modes.FAMILY_COLORS[message && message.family] || "gray";
		frm.dashboard.add_indicator(__("Sales Mode: {0}", [__(frm.doc.sales_mode)]), color);
	});
};
