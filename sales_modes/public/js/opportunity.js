// The sales path of the deal's mode, what it still lacks for the next stage, and the override.
frappe.ui.form.on("Opportunity", {
	refresh(frm) {
		sales_modes.show_mode_indicator(frm);
		if (!frm.is_new()) sales_modes.render_stage_readiness(frm);
	},
});

sales_modes.render_stage_readiness = function (frm) {
	frappe
		.call("sales_modes.api.get_stage_readiness", { opportunity: frm.doc.name })
		.then(({ message: r }) => {
			const field = frm.get_field("sales_path_html");
			if (!field) return;
			if (!r || !r.stages.length) {
				field.$wrapper.html("");
				return;
			}
			field.$wrapper.html(sales_modes.stage_path_html(r));
			if (r.can_override && r.next_stage && r.missing.length) {
				frm.add_custom_button(__("Override Stage Gate"), () =>
					sales_modes.override_gate(frm, r)
				);
			}
		});
};

sales_modes.stage_path_html = function (r) {
	const esc = frappe.utils.escape_html;
	const steps = r.stages
		.map((s) => {
			const color = { current: "blue", done: "green", todo: "gray" }[s.state];
			const title = s.guidance ? ` title="${esc(s.guidance)}"` : "";
			return `<span class="indicator-pill ${color}" style="margin: 2px 4px 2px 0"${title}>
				${esc(s.label)}${s.phase_label ? `&nbsp;<small>· ${esc(s.phase_label)}</small>` : ""}
			</span>`;
		})
		.join('<span class="text-muted">›</span> ');
	let missing = "";
	if (r.next_stage) {
		missing = r.missing.length
			? `<div class="mt-2"><b>${__("Missing to enter {0}:", [esc(__(r.next_stage))])}</b>
				<ul class="mb-0">${r.missing.map((m) => `<li>${esc(m)}</li>`).join("")}</ul></div>`
			: `<div class="mt-2 text-success">${__("Ready to enter {0}.", [esc(__(r.next_stage))])}</div>`;
	}
	// Where the deal stands without meeting its rules (grandfathered, overridden, set by ERPNext)
	const unmet = (r.unmet_current || []).length
		? `<div class="mt-2 text-warning"><b>${__("Requirements not met where the deal stands:")}</b>
			<ul class="mb-0">${r.unmet_current.map((m) => `<li>${esc(m)}</li>`).join("")}</ul></div>`
		: "";
	return `<div class="sales-modes-path">${steps}${unmet}${missing}</div>`;
};

sales_modes.override_gate = function (frm, r) {
	const later = r.stages.filter((s) => s.state === "todo").map((s) => s.stage);
	const dialog = new frappe.ui.Dialog({
		title: __("Override Stage Gate"),
		fields: [
			{
				fieldname: "stage",
				fieldtype: "Select",
				label: __("Move To Stage"),
				options: later,
				default: r.next_stage,
				reqd: 1,
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
			frm.set_value({ sales_stage: values.stage, gate_override_reason: values.reason })
				.then(() => frm.save())
				.then(() => dialog.hide());
		},
	});
	dialog.show();
};
