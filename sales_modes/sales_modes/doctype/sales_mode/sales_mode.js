// Copyright (c) 2026, Sales Modes Developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Sales Mode", {
	setup(frm) {
		// A requirement can only gate a stage of this mode's own pipeline
		frm.set_query("sales_stage", "requirements", () => ({
			filters: { name: ["in", (frm.doc.stages || []).map((row) => row.sales_stage)] },
		}));
	},
	refresh(frm) {
		// The modes the app ships and who may restore them come from the server (boot.py)
		const boot = frappe.boot.sales_modes || {};
		const shipped_modes = boot.shipped_modes || [];
		const restore_defaults_roles = boot.restore_defaults_roles || [];
		if (frm.is_new() || !shipped_modes.includes(frm.doc.name)) return;
		if (!frappe.user.has_role(restore_defaults_roles)) return;
		frm.add_custom_button(__("Restore Defaults"), () => {
			frappe.confirm(
				__("Replace this mode's stages and requirements with the ones the app ships?"),
				() =>
					frappe
						.call(
							"sales_modes.sales_modes.doctype.sales_mode.sales_mode.restore_default_pipeline",
							{ mode: frm.doc.name }
						)
						.then(() => frm.reload_doc())
			);
		});
	},
});
