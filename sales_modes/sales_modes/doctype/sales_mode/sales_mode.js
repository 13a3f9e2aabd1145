// Copyright (c) 2026, Sales Modes Developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Sales Mode", {
	setup(frm) {
		// A requirement can only gate a stage of this mode's own pipeline
		frm.set_query("sales_stage", "requirements", () => ({
			filters: { name: ["in", (frm.doc.stages || []).map((row) => row.sales_stage)] },
		}));
	},
	onload(frm) {
		translate_shipped_texts(frm);
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

// The shipped guidance and messages are read through Frappe's translation of record values (as
// the sales path and the gate show them): the grids show them in the user's language too. The
// formatter goes on the doctype's docfield and on this form's copy of it, which the grid reads.
function translate_shipped_texts(frm) {
	const translated = (value) => frappe.utils.escape_html(value ? __(value) : "");
	for (const [doctype, fieldname] of [
		["Sales Mode Stage", "guidance"],
		["Stage Requirement", "message"],
	]) {
		const df = frappe.meta.docfield_map[doctype]?.[fieldname];
		if (df) df.formatter = translated;
		const copy = frappe.meta.get_docfield(doctype, fieldname, frm.doc.name);
		if (copy) copy.formatter = translated;
	}
	// A Datetime field's description gets the time zone appended before Frappe translates it
	// (where the user's zone is not the system's), which no translation matches: translate first
	for (const df of [
		frappe.meta.docfield_map["Stage Requirement"]?.effective_from,
		frappe.meta.get_docfield("Stage Requirement", "effective_from", frm.doc.name),
	]) {
		if (df && df.description && !df.sales_modes_translated) {
			df.description = __(df.description);
			df.sales_modes_translated = true;
		}
	}
}

// The requirements editor: the Field box lists the deal's (the lead's) fields by label, Only Rows
// Where lists the chosen table's columns, and the Rule column previews the rule in plain words.
// Choices and words come from the server (sales_mode.py), which also validates on save.
const RULE_API = "sales_modes.sales_modes.doctype.sales_mode.sales_mode.";
const RULE_FIELDS = ["check_type", "fieldname", "value", "filter_field", "filter_value", "expression"];
const rule_field_choices = {};

function get_rule_fields(table, check_type, table_field) {
	const key = [table, check_type, table_field || ""].join("|");
	if (!rule_field_choices[key]) {
		rule_field_choices[key] = frappe
			.xcall(RULE_API + "get_rule_fields", { table, check_type, table_field })
			.catch(() => {
				delete rule_field_choices[key];
				return [];
			});
	}
	return rule_field_choices[key];
}

function set_rule_field_choices(frm, cdt, cdn) {
	const row = locals[cdt][cdn];
	const grid_row = frm.fields_dict[row.parentfield]?.grid.grid_rows_by_docname[cdn];
	if (!grid_row || !grid_row.grid_form) return;
	const set_choices = (fieldname, choices) => {
		const control = grid_row.grid_form.fields_dict[fieldname];
		if (!control) return;
		control.set_data(choices);
		control.set_input(row[fieldname]);
	};
	get_rule_fields(row.parentfield, row.check_type).then((choices) =>
		set_choices("fieldname", choices)
	);
	if (row.check_type === "Minimum Rows" && row.fieldname) {
		get_rule_fields(row.parentfield, row.check_type, row.fieldname).then((columns) => {
			set_choices("filter_field", columns);
			// A Select or Check column offers its values; any other column takes free text
			const column = columns.find((c) => c.value === row.filter_field);
			set_choices("filter_value", (column && column.options) || []);
		});
	}
}

const preview_rule = frappe.utils.debounce((frm, cdt, cdn) => {
	const row = locals[cdt] && locals[cdt][cdn];
	if (!row) return;
	const requirement = {};
	RULE_FIELDS.forEach((fieldname) => (requirement[fieldname] = row[fieldname]));
	frappe
		.xcall(RULE_API + "describe_requirement", { requirement, table: row.parentfield })
		.then((summary) => {
			if ((summary || "") !== (row.rule_summary || "")) {
				frappe.model.set_value(cdt, cdn, "rule_summary", summary || "");
			}
		});
}, 300);

function on_rule_change(frm, cdt, cdn) {
	set_rule_field_choices(frm, cdt, cdn);
	preview_rule(frm, cdt, cdn);
}

frappe.ui.form.on("Stage Requirement", {
	form_render: set_rule_field_choices,
	check_type: on_rule_change,
	fieldname: on_rule_change,
	value: preview_rule,
	filter_field: on_rule_change,
	filter_value: preview_rule,
	expression: preview_rule,
});
