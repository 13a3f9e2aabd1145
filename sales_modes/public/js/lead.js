frappe.ui.form.on("Lead", {
	refresh(frm) {
		if (frm.is_new()) return;
		if (frm.doc.disqualified) {
			frm.set_intro();
			frm.set_intro(__("Disqualified: {0}", [__(frm.doc.disqualification_reason || "")]), "red");
			frm.add_custom_button(__("Requalify"), () => {
				frm.set_value({ disqualified: 0 }).then(() => frm.save());
			});
		} else {
			sales_modes.show_mode_indicator(frm);
			frm.add_custom_button(__("Disqualify"), () => sales_modes.disqualify_lead(frm));
		}
	},
});

sales_modes.disqualify_lead = function (frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Disqualify Lead"),
		fields: [
			{
				fieldname: "reason",
				fieldtype: "Link",
				options: "Disqualification Reason",
				label: __("Disqualification Reason"),
				reqd: 1,
				get_query: () => ({ filters: { enabled: 1 } }),
			},
			{ fieldname: "note", fieldtype: "Small Text", label: __("Disqualification Note") },
		],
		primary_action_label: __("Disqualify"),
		primary_action(values) {
			frm.set_value({
				disqualified: 1,
				disqualification_reason: values.reason,
				disqualification_note: values.note || "",
			})
				.then(() => frm.save())
				.then(() => dialog.hide());
		},
	});
	dialog.show();
};
