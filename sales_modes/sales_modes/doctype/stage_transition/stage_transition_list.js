frappe.listview_settings["Stage Transition"] = {
	add_fields: ["event", "gate_overridden"],
	get_indicator(doc) {
		if (doc.gate_overridden) return [__("Overridden"), "orange", "gate_overridden,=,1"];
		const colors = { Won: "green", Lost: "red", Closed: "gray", Reopened: "blue" };
		return [__(doc.event), colors[doc.event] || "blue", `event,=,${doc.event}`];
	},
};
