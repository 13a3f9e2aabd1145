frappe.ui.form.on("Customer", {
	refresh(frm) {
		sales_modes.show_mode_indicator(frm);
	},
});
