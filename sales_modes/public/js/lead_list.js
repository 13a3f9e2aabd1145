// Disqualified leads read "Disqualified" in the Lead list, whatever ERPNext's status says
(() => {
	const settings = (frappe.listview_settings["Lead"] = frappe.listview_settings["Lead"] || {});
	settings.add_fields = [...new Set([...(settings.add_fields || []), "disqualified", "status"])];
	const erpnext_indicator = settings.get_indicator;
	settings.get_indicator = function (doc) {
		if (cint(doc.disqualified)) return [__("Disqualified"), "red", "disqualified,=,1"];
		return erpnext_indicator ? erpnext_indicator(doc) : undefined;
	};
})();
