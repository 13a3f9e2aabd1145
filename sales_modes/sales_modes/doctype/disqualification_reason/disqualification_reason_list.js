// The shipped reasons are translated records (the doctype is a translated doctype): the list
// shows them in the user's language, as Link fields and the Lead's intro do
frappe.listview_settings["Disqualification Reason"] = {
	formatters: {
		name: (value) => frappe.utils.escape_html(__(value)),
		reason: (value) => frappe.utils.escape_html(__(value)),
	},
};
