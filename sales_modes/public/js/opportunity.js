// The deal's mode (following its party until the user picks one), the sales path of that mode
// with the current stage's guidance and what the next stage needs, and the override of a
// blocked move.
frappe.ui.form.on("Opportunity", {
	onload(frm) {
		// A new deal's mode follows its party until the user picks one in this form
		frm.sales_modes_mode_chosen = !frm.is_new();
		// The form's default probability is the string "100", which the server cannot tell from
		// a typed value: give it as ERPNext's number, so the first save takes the stage's own
		if (frm.is_new() && frm.doc.probability === "100") frm.doc.probability = 100;
	},
	refresh(frm) {
		sales_modes.show_mode_indicator(frm);
		sales_modes.sync_mode_family(frm);
		if (!frm.is_new()) sales_modes.render_stage_readiness(frm);
	},
	opportunity_from(frm) {
		sales_modes.follow_party_mode(frm);
	},
	party_name(frm) {
		sales_modes.follow_party_mode(frm);
	},
	sales_mode(frm) {
		// Chosen only when the user picked it in the field (not from a list filter or the route)
		const input = frm.fields_dict.sales_mode && frm.fields_dict.sales_mode.$input;
		if (!frm.sales_modes_setting_mode && input && input.is(":focus")) {
			frm.sales_modes_mode_chosen = true;
		}
		sales_modes.sync_mode_family(frm);
	},
	sales_stage(frm) {
		sales_modes.check_stage_move(frm);
	},
});

// The B2B and B2C sections depend on the mode's family: read it as soon as the mode is known,
// also when the server inferred the mode on save (fetch_from runs before that)
sales_modes.sync_mode_family = function (frm) {
	const mode = frm.doc.sales_mode;
	if (!mode) {
		if (frm.doc.sales_mode_family) sales_modes.set_family(frm, null);
		return;
	}
	frappe.db.get_value("Sales Mode", mode, "family").then(({ message }) => {
		if (frm.doc.sales_mode !== mode) return;
		sales_modes.set_family(frm, (message && message.family) || null);
	});
};

sales_modes.set_family = function (frm, family) {
	if ((frm.doc.sales_mode_family || null) === family) return;
	// Not a user edit: the field is fetched from the mode, so the form must not turn dirty
	frm.doc.sales_mode_family = family;
	frm.layout.refresh_dependency();
};

sales_modes.follow_party_mode = function (frm) {
	if (!frm.is_new() || frm.sales_modes_mode_chosen) return;
	const { opportunity_from, party_name } = frm.doc;
	if (!opportunity_from || !party_name) return;
	frappe
		.call("sales_modes.api.get_party_mode", {
			party_doctype: opportunity_from,
			party_name: party_name,
		})
		.then(({ message: r }) => {
			if (!r || !r.sales_mode || frm.sales_modes_mode_chosen) return;
			if (frm.doc.party_name !== party_name || frm.doc.sales_mode === r.sales_mode) return;
			frm.sales_modes_setting_mode = true;
			return frm.set_value("sales_mode", r.sales_mode).finally(() => {
				frm.sales_modes_setting_mode = false;
			});
		});
};

sales_modes.render_stage_readiness = function (frm) {
	frappe
		.call("sales_modes.api.get_stage_readiness", { opportunity: frm.doc.name })
		.then(({ message: r }) => {
			const field = frm.get_field("sales_path_html");
			if (!field) return;
			frm.sales_modes_readiness = r;
			if (!r || !r.stages.length) {
				field.$wrapper.html("");
				return;
			}
			field.$wrapper.html(sales_modes.stage_path_html(r));
			if (frm.doc.sales_stage !== r.current_stage) sales_modes.check_stage_move(frm);
		});
};

sales_modes.STAGE_COLORS = { current: "blue", done: "green", skipped: "gray", todo: "gray" };

sales_modes.stage_path_html = function (r) {
	const esc = frappe.utils.escape_html;
	const state_labels = { done: __("Done"), skipped: __("Skipped"), current: __("Current") };
	const steps = r.stages
		.map((s) => {
			const color = sales_modes.STAGE_COLORS[s.state] || "gray";
			const title = [state_labels[s.state], s.guidance].filter(Boolean).join(": ");
			const label =
				s.state === "skipped" ? `<s>${esc(s.label)}</s>&nbsp;<small>(${__("Skipped")})</small>` : esc(s.label);
			return `<span class="indicator-pill ${color} sales-modes-stage" data-stage="${esc(s.stage)}"
				data-state="${s.state}" style="margin: 2px 4px 2px 0" title="${esc(title)}">
				${label}${s.phase_label ? `&nbsp;<small>· ${esc(s.phase_label)}</small>` : ""}
			</span>`;
		})
		.join('<span class="text-muted">›</span> ') + sales_modes.guidance_html(r);
	let missing = "";
	if (r.next_stage) {
		missing = r.missing.length
			? `<div class="mt-2 sales-modes-missing"><b>${__("Missing to enter {0}:", [esc(__(r.next_stage))])}</b>
				<ul class="mb-0">${r.missing.map((m) => `<li>${esc(m)}</li>`).join("")}</ul></div>`
			: `<div class="mt-2 text-success sales-modes-missing">${__("Ready to enter {0}.", [
					esc(__(r.next_stage)),
			  ])}</div>`;
	}
	// Where the deal stands without meeting its rules (grandfathered, overridden, set by ERPNext)
	const unmet = (r.unmet_current || []).length
		? `<div class="mt-2 text-warning"><b>${__("Requirements not met where the deal stands:")}</b>
			<ul class="mb-0">${r.unmet_current.map((m) => `<li>${esc(m)}</li>`).join("")}</ul></div>`
		: "";
	return `<div class="sales-modes-path">${steps}${unmet}${missing}</div>`;
};

// What the current stage asks of the rep, in the form (not only in a tooltip)
sales_modes.guidance_html = function (r) {
	const esc = frappe.utils.escape_html;
	const current = r.stages.find((s) => s.state === "current");
	if (!r.current_guidance || !current) return "";
	return `<div class="mt-2 sales-modes-guidance"><b>${esc(current.label)}:</b> ${esc(r.current_guidance)}</div>`;
};

// A stage picked in the form that the gate would block: say what is missing, and offer the
// override (to those with the role) listing exactly what it bypasses
sales_modes.check_stage_move = function (frm) {
	frm.remove_custom_button(__("Override Stage Gate"));
	if (frm.is_new() || !frm.doc.sales_mode || !frm.doc.sales_stage) return;
	const stage = frm.doc.sales_stage;
	frappe.call("sales_modes.api.check_stage_move", { doc: frm.doc }).then(({ message: r }) => {
		if (!r || frm.doc.sales_stage !== stage) return;
		frm.remove_custom_button(__("Override Stage Gate"));
		if (r.missing.length && r.can_override) {
			frm.add_custom_button(__("Override Stage Gate"), () => sales_modes.override_gate(frm, r));
		}
	});
};

sales_modes.override_gate = function (frm, r) {
	const esc = frappe.utils.escape_html;
	const dialog = new frappe.ui.Dialog({
		title: __("Override Stage Gate"),
		fields: [
			{
				fieldname: "bypassed",
				fieldtype: "HTML",
				options: `<p>${__("Move to {0} without:", [`<b>${esc(__(r.stage))}</b>`])}</p>
					<ul class="sales-modes-bypassed">${r.missing.map((m) => `<li>${esc(m)}</li>`).join("")}</ul>`,
			},
			{
				fieldname: "reason",
				fieldtype: "Small Text",
				label: __("Gate Override Reason"),
				reqd: 1,
				description: __("Recorded in the stage history with your name."),
			},
		],
		primary_action_label: __("Move Anyway"),
		primary_action(values) {
			frm.set_value({ gate_override_reason: values.reason })
				.then(() => frm.save())
				.then(() => dialog.hide());
		},
	});
	dialog.show();
};
