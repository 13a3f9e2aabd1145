"""The heavy reports become Frappe Prepared Reports on big sites (issue 12).

A prepared report runs in an RQ worker (queue `long`) instead of the web request; the desk shows the
last result for the same filters with the time it was made, and a button to make a fresh one
(Frappe's own query report view). Below the size, a report answers in about a second or less and
is better served live.

The decision is taken from the site's size at install, at every migrate and once a day:
- a site is big from SIZE_THRESHOLDS on (submitted Sales Invoices, Opportunities);
- site_config `sales_modes_prepared_reports`: 1 makes them prepared whatever the size, 0 never;
- the Report's own "Prepared Report" checkbox stays the admin's: it is written only when the
  decision changes (the last decision applied is kept in the site's defaults), so a report an
  admin switched by hand keeps its setting until the site crosses the threshold again. Frappe
  also switches a report to prepared by itself when one run lasts over 15 seconds.
"""

import frappe
from frappe.utils import cint

# The reports that read every invoice or every deal of the period (docs/benchmarks.md: 1.5 to 4 s
# at a million invoices); the others answer from small tables or an index and stay live. Sales Mode
# Trends stays live too: the workspace's charts are drawn from it.
HEAVY_REPORTS = (
	"Sales Mode Comparison",
	"Stage Funnel by Mode",
	"Repeat Purchase by Mode",
	"Stalled Deals",
)
# From these sizes on (either), the heavy reports take a second or more per run
SIZE_THRESHOLDS = {"Sales Invoice": 500_000, "Opportunity": 50_000}
CONFIG_KEY = "sales_modes_prepared_reports"
APPLIED_KEY = "sales_modes_prepared_reports_applied"


def site_size() -> dict[str, int]:
	return {
		"Sales Invoice": frappe.db.count("Sales Invoice", {"docstatus": 1}),
		"Opportunity": frappe.db.count("Opportunity"),
	}


def wants_prepared_reports(size: dict[str, int] | None = None) -> bool:
	forced = frappe.conf.get(CONFIG_KEY)
	if forced is not None and str(forced).strip() != "":
		return bool(cint(forced))
	size = site_size() if size is None else size
	return any(size.get(doctype, 0) >= threshold for doctype, threshold in SIZE_THRESHOLDS.items())


def sync_prepared_reports(size: dict[str, int] | None = None) -> bool:
	"""Apply the decision to the heavy reports if it changed since last applied. Returns it."""
	wanted = wants_prepared_reports(size)
	applied = frappe.db.get_default(APPLIED_KEY)
	if applied is not None and cint(applied) == int(wanted):
		return wanted
	for report in HEAVY_REPORTS:
		if frappe.db.exists("Report", report):
			# Report.prepared_report is the site's own setting: migrate does not overwrite it
			frappe.db.set_value("Report", report, "prepared_report", int(wanted), update_modified=False)
	frappe.db.set_default(APPLIED_KEY, str(int(wanted)))
	return wanted


def daily() -> None:
	"""Sites grow between migrates (the scheduler's job commits)."""
	sync_prepared_reports()


def forget_decision() -> None:
	frappe.defaults.clear_default(APPLIED_KEY, parent="__default")
