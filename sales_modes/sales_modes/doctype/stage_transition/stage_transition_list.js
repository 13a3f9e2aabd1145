// The event as a coloured indicator, in the user's language: Frappe's own Select column would
// show the stored English value in its tooltip ("Event: Stage Change")
frappe.listview_settings["Stage Transition"] = {
	add_fields: ["event", "gate_overridden"],
	event_colors: { Won: "green", Lost: "red", Closed: "gray", Reopened: "blue" },
	get_indicator(doc) {
		if (doc.gate_overridden) return [__("Overridden"), "orange", "gate_overridden,=,1"];
		const color = frappe.listview_settings["Stage Transition"].event_colors[doc.event] || "blue";
		return [__(doc.event), color, `event,=,${doc.event}`];
	},
	formatters: {
		event(value) {
			if (!value) return "";
			const esc = frappe.utils.escape_html;
			const color = frappe.listview_settings["Stage Transition"].event_colors[value] || "blue";
			const label = esc(__(value));
			return `<span class="ellipsis" title="${esc(__("Event"))}: ${label}">
				<span class="filterable indicator-pill ${color} ellipsis" data-filter="event,=,${esc(value)}">
					<span class="ellipsis">${label}</span>
				</span>
			</span>`;
		},
	},
};
