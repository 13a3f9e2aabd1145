"""`bench --site S sales-modes benchmark`: our reports against ERPNext's and the floor, the cost
of the app's hooks on an opportunity save, and the backfill, on whatever data the site holds.

Every timing is the median of `runs` runs after one warm-up run. A measurement whose warm-up
takes longer than SLOW_SECONDS is timed once more only (say so in the JSON: runs=1): ERPNext's
Customer Acquisition and Loyalty takes minutes on large data. The floor is one bare GROUP BY
over the same invoices: no report can read those rows faster than that.
"""

import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from importlib import import_module

import frappe
from frappe import _
from frappe.utils import add_days, add_months, get_first_day, getdate, nowdate

from sales_modes.core.deal_states import OPEN
from sales_modes.demo.common import DEMO_USER, get_company

# Each script report of the app, once per set of extra filters (Trends: once per measure)
OUR_REPORTS = {
	"sales_mode_comparison": ({},),
	"stage_funnel_by_mode": ({},),
	"sales_cycle_analysis": ({},),
	"stalled_deals": ({},),
	"repeat_purchase_by_mode": ({},),
	"disqualification_analysis": ({},),
	"sales_mode_trends": ({"measure": "Won Value"}, {"measure": "New Leads"}, {"measure": "Revenue"}),
}
# Issue 12 item 1: the most a measurement may take, in multiples of the floor, timed in one run
TARGETS = {"sales_mode_comparison": 2.0}
REPORT_TARGET = 3.0
WORKSPACE_TARGET = 1.0  # every number card and dashboard chart of the workspace
WORKSPACE = "Sales Modes"
ERPNEXT_REPORTS = {
	"Customer Acquisition and Loyalty": (
		"erpnext.selling.report.customer_acquisition_and_loyalty.customer_acquisition_and_loyalty",
		{"view_type": "Monthly"},
	),
	"Opportunity Summary by Sales Stage": (
		"erpnext.crm.report.opportunity_summary_by_sales_stage.opportunity_summary_by_sales_stage",
		{"based_on": "Opportunity Owner", "data_based_on": "Number"},
	),
	"Sales Pipeline Analytics": (
		"erpnext.crm.report.sales_pipeline_analytics.sales_pipeline_analytics",
		{"pipeline_by": "Sales Stage", "range": "Monthly", "based_on": "Number"},
	),
}
SLOW_SECONDS = 60
SAVES_PER_RUN = 10
APP_HOOK_PREFIX = "sales_modes."
FLOOR_SQL = """SELECT sales_mode, COUNT(*), SUM(base_net_total) FROM `tabSales Invoice`
	WHERE docstatus = 1 AND company = %(company)s AND posting_date BETWEEN %(from_date)s AND %(to_date)s
	GROUP BY sales_mode"""


def report_title(name: str) -> str:
	return name.replace("_", " ").title()


class Benchmark:
	def __init__(
		self, runs: int = 5, skip_backfill=False, skip_slow=False, echo: Callable = print, targets_only=False
	):
		self.runs = runs
		self.targets_only = targets_only
		self.skip_backfill = skip_backfill
		self.skip_slow = skip_slow
		self.echo = echo
		today = getdate(nowdate())
		self.filters = frappe._dict(
			company=get_company(), from_date=str(add_days(today, -365)), to_date=str(today)
		)

	# Timing
	def measure(self, label: str, fn: Callable[[], object]) -> dict:
		start = time.perf_counter()
		fn()
		warmup = time.perf_counter() - start
		runs = 1 if warmup > SLOW_SECONDS else self.runs
		times = []
		for _i in range(runs):
			start = time.perf_counter()
			fn()
			times.append(time.perf_counter() - start)
		result = {
			"name": label,
			"median_s": statistics.median(times),
			"runs": runs,
			"warmup_s": warmup,
			"times_s": times,
		}
		self.echo(_("{0}: {1} s (median of {2})").format(label, round(result["median_s"], 4), runs))
		return result

	def run(self) -> dict:
		results = {
			"started": datetime.now().isoformat(timespec="seconds"),
			"site": frappe.local.site,
			"filters": dict(self.filters),
			"machine": machine(),
			"data": data_counts(),
			"reports": [],
			"notes": [],
			# 1, 5 and 15 minute load averages: on a shared machine, how busy it was around the run
			"load_average": {"start": os.getloadavg()},
		}
		floor = self.measure(_("Floor: one GROUP BY"), self.floor)
		floor["kind"] = "floor"
		results["reports"].append(floor)
		for name, variants in OUR_REPORTS.items():
			path = f"sales_modes.sales_modes.report.{name}.{name}"
			try:
				execute = import_module(path).execute
			except ImportError:
				results["notes"].append(
					_("Report {0} is not there yet: not timed.").format(report_title(name))
				)
				continue
			for extra in variants:
				label = report_title(name) + "".join(f" ({_(v)})" for v in extra.values())
				row = self.measure(label, lambda e=execute, x=extra: e(frappe._dict({**self.filters, **x})))
				row.update(kind="sales_modes", target=TARGETS.get(name, REPORT_TARGET))
				results["reports"].append(row)
		results["reports"] += self.measure_workspace()
		for title, (path, extra) in ERPNEXT_REPORTS.items():
			if self.targets_only:
				break
			if self.skip_slow and title == "Customer Acquisition and Loyalty":
				results["notes"].append(_("{0} skipped (--skip-slow).").format(title))
				continue
			execute = import_module(path).execute
			row = self.measure(title, lambda e=execute, x=extra: e(frappe._dict({**self.filters, **x})))
			row["kind"] = "erpnext"
			results["reports"].append(row)
		# The floor again at the end: on a shared machine the load drifts during a run, so the
		# floor is the median of its timings before and after everything else
		again = self.measure(_("Floor: one GROUP BY (again)"), self.floor)
		floor["times_s"] += again["times_s"]
		floor["runs"] += again["runs"]
		floor["median_s"] = statistics.median(floor["times_s"])
		for row in results["reports"]:
			row["x_floor"] = row["median_s"] / floor["median_s"] if floor["median_s"] else None
			if row.get("target") is not None:
				row["met"] = row["x_floor"] <= row["target"]
		results["targets"] = target_summary(results["reports"])
		results["load_average"]["end"] = os.getloadavg()
		if not self.targets_only:
			results["save"] = self.measure_save()
		if not self.skip_backfill and not self.targets_only:
			results["backfill"] = self.measure_backfill()
		results["ratios"] = ratios(results)
		return results

	def floor(self):
		return frappe.db.sql(FLOOR_SQL, self.filters)

	# The workspace's number cards and dashboard charts, as the desk asks for them
	def measure_workspace(self) -> list[dict]:
		if not frappe.db.exists("Workspace", WORKSPACE):
			return []
		workspace = frappe.get_doc("Workspace", WORKSPACE)
		rows = []
		for link in workspace.number_cards:
			card = frappe.get_doc("Number Card", link.number_card_name)
			if card.type != "Custom" or not card.method:
				continue
			method = frappe.get_attr(card.method)
			filters = {
				**self.workspace_filters(card.dynamic_filters_json),
				**json.loads(card.filters_json or "{}"),
			}
			row = self.measure(
				_("Number card: {0}").format(_(card.label or card.name)),
				lambda m=method, f=filters: m(json.dumps(f, default=str)),
			)
			row.update(kind="number_card", target=WORKSPACE_TARGET)
			rows.append(row)
		for link in workspace.charts:
			chart = frappe.get_doc("Dashboard Chart", link.chart_name)
			filters = {
				**self.workspace_filters(chart.dynamic_filters_json),
				**json.loads(chart.filters_json or "{}"),
			}
			if chart.chart_type == "Report":
				# The chart's source: its report, with the chart's filters
				module = frappe.get_attr(report_module(chart.report_name) + ".execute")
				fn = lambda m=module, f=filters: m(frappe._dict(f))  # noqa: E731
			else:
				from frappe.desk.doctype.dashboard_chart.dashboard_chart import get as get_chart

				fn = lambda n=chart.name, f=filters: get_chart(chart_name=n, filters=f, refresh=1)  # noqa: E731
			row = self.measure(_("Dashboard chart: {0}").format(_(chart.chart_name)), fn)
			row.update(kind="dashboard_chart", target=WORKSPACE_TARGET)
			rows.append(row)
		return rows

	def workspace_filters(self, dynamic_filters_json: str | None) -> dict:
		"""The values the desk gives a card's or chart's dynamic filters (the user's company, the
		month start 12 months back, today), for the filters it declares."""
		declared = json.loads(dynamic_filters_json or "{}")
		today = getdate(nowdate())
		values = {
			"company": self.filters.company,
			"from_date": str(add_months(get_first_day(today), -12)),
			"to_date": str(today),
		}
		return {key: values[key] for key in declared if key in values}

	# Opportunity save with and without the app's doc_events
	def measure_save(self) -> dict:
		name = frappe.db.get_value(
			"Opportunity", {"status": OPEN, "sales_mode": "B2B", "owner": DEMO_USER}, "name"
		) or frappe.db.get_value("Opportunity", {"status": OPEN}, "name")
		if not name:
			self.echo(_("No open opportunity to save: save cost not measured."))
			return {}
		hooks = frappe.get_doc_hooks()
		without = {
			doctype: {
				event: [h for h in handlers if not h.startswith(APP_HOOK_PREFIX)]
				for event, handlers in events.items()
			}
			for doctype, events in hooks.items()
		}

		def saves(doc_events: dict) -> float:
			frappe.local.doc_events_hooks = doc_events
			try:
				start = time.perf_counter()
				for i in range(SAVES_PER_RUN):
					doc = frappe.get_doc("Opportunity", name)
					# A field no gate looks at: the same work for ERPNext with or without the app
					doc.need_description = f"Benchmark save {i}"
					doc.save(ignore_permissions=True)
				return (time.perf_counter() - start) / SAVES_PER_RUN
			finally:
				frappe.local.doc_events_hooks = hooks

		frappe.db.savepoint("sales_modes_benchmark")
		try:
			saves(hooks), saves(without)  # warm-up
			with_app, without_app = [], []
			for _i in range(max(self.runs, 5)):  # interleaved, so drift hits both alike
				with_app.append(saves(hooks))
				without_app.append(saves(without))
		finally:
			frappe.db.rollback(save_point="sales_modes_benchmark")
		result = {
			"opportunity": name,
			"saves_per_run": SAVES_PER_RUN,
			"runs": len(with_app),
			"with_app_s": statistics.median(with_app),
			"without_app_s": statistics.median(without_app),
		}
		result["ratio"] = result["with_app_s"] / result["without_app_s"]
		self.echo(
			_("Opportunity save: {0} ms with the app, {1} ms without ({2}x)").format(
				round(result["with_app_s"] * 1000, 2),
				round(result["without_app_s"] * 1000, 2),
				round(result["ratio"], 3),
			)
		)
		return result

	# Backfill: blank the demo rows' modes, then time the set-based backfill that restores them
	def measure_backfill(self) -> dict:
		from sales_modes.backfill import run_backfill

		doctypes = ("Customer", "Lead", "Opportunity", "Sales Invoice")
		before = {
			d: frappe.db.sql(f"SELECT sales_mode, COUNT(*) FROM `tab{d}` GROUP BY sales_mode")
			for d in doctypes
		}
		for doctype in doctypes:
			frappe.db.sql(f"UPDATE `tab{doctype}` SET sales_mode = NULL WHERE owner = %s", DEMO_USER)
		frappe.db.commit()  # nosemgrep: CLI benchmark; the backfill is timed as it runs in production
		steps: dict[str, float] = {}
		marks = [time.perf_counter(), None]

		def progress(done: int, total: int, doctype: str) -> None:
			now = time.perf_counter()
			if marks[1]:
				steps[marks[1]] = steps.get(marks[1], 0) + now - marks[0]
			marks[:] = [now, doctype]

		start = time.perf_counter()
		run_backfill(progress)
		frappe.db.commit()  # nosemgrep
		seconds = time.perf_counter() - start
		after = {
			d: frappe.db.sql(f"SELECT sales_mode, COUNT(*) FROM `tab{d}` GROUP BY sales_mode")
			for d in doctypes
		}
		restored = {d: sorted(before[d]) == sorted(after[d]) for d in doctypes}
		invoices = frappe.db.count("Sales Invoice", {"owner": DEMO_USER})
		self.echo(
			_("Backfill of {0} demo invoices and their parties: {1} s").format(invoices, round(seconds, 2))
		)
		return {
			"seconds": seconds,
			"steps_s": steps,
			"invoices": invoices,
			"restored_exactly": restored,
			"runs": 1,
		}

	# Output
	def table(self, results: dict) -> str:
		return markdown_table(results)


def report_module(report_name: str) -> str:
	module = frappe.db.get_value("Report", report_name, "module")
	app = frappe.local.module_app[frappe.scrub(module)]
	name = frappe.scrub(report_name)
	return f"{app}.{frappe.scrub(module)}.report.{name}.{name}"


def target_summary(reports: list[dict]) -> dict:
	"""Issue 12 item 1 in one run: every measurement with a target, and whether each is met."""
	with_target = [row for row in reports if row.get("target") is not None]
	missed = [row for row in with_target if not row["met"]]
	return {
		"measured": len(with_target),
		"met": len(with_target) - len(missed),
		"all_met": bool(with_target) and not missed,
		"missed": [
			{"name": row["name"], "x_floor": round(row["x_floor"], 2), "target": row["target"]}
			for row in missed
		],
	}


def ratios(results: dict) -> dict:
	by_name = {row["name"]: row for row in results["reports"]}
	comparison = by_name.get(report_title("sales_mode_comparison"))
	floor = next((r for r in results["reports"] if r.get("kind") == "floor"), None)
	cal = by_name.get("Customer Acquisition and Loyalty")
	out = {}
	if comparison and floor:
		out["comparison_vs_floor"] = comparison["median_s"] / floor["median_s"]
		out["comparison_s"] = comparison["median_s"]
	if comparison and cal:
		out["cal_vs_comparison"] = cal["median_s"] / comparison["median_s"]
	if results.get("save"):
		out["save_ratio"] = results["save"]["ratio"]
	if results.get("backfill"):
		out["backfill_s"] = results["backfill"]["seconds"]
	return out


def markdown_table(results: dict) -> str:
	data = results["data"]
	lines = [
		_(
			"Data: {0} submitted invoices, {1} customers, {2} opportunities, {3} leads, {4} stage transitions"
		).format(
			data["Sales Invoice"],
			data["Customer"],
			data["Opportunity"],
			data["Lead"],
			data["Stage Transition"],
		),
		"",
		"| "
		+ " | ".join([_("Measurement"), _("Median (s)"), _("Runs"), _("x floor"), _("Target"), _("Met?")])
		+ " |",
		"|---|---:|---:|---:|---:|---|",
	]
	for row in results["reports"]:
		x = f"{row['x_floor']:.2f}" if row.get("x_floor") is not None else ""
		target = f"<= {row['target']:.1f}x" if row.get("target") is not None else ""
		met = (_("yes") if row["met"] else _("NO")) if "met" in row else ""
		lines.append(f"| {row['name']} | {row['median_s']:.4f} | {row['runs']} | {x} | {target} | {met} |")
	save = results.get("save")
	if save:
		lines.append(
			f"| {_('Opportunity save, with the app')} | {save['with_app_s']:.4f} | {save['runs']}x{save['saves_per_run']} | |"
		)
		lines.append(
			f"| {_('Opportunity save, hooks removed')} | {save['without_app_s']:.4f} | {save['runs']}x{save['saves_per_run']} | |"
		)
	backfill = results.get("backfill")
	if backfill:
		lines.append(f"| {_('Backfill (all demo rows)')} | {backfill['seconds']:.2f} | 1 | |")
	lines.append("")
	load = results.get("load_average")
	if load and "end" in load:
		lines.append(
			_("Load average (1, 5, 15 min): {0} at the start, {1} at the end, on {2} CPUs").format(
				" / ".join(f"{x:.2f}" for x in load["start"]),
				" / ".join(f"{x:.2f}" for x in load["end"]),
				results["machine"]["cpus"],
			)
		)
		lines.append("")
	summary = results.get("targets")
	if summary:
		lines.append(
			_("Issue 12 item 1: {0} of {1} targets met: {2}").format(
				summary["met"],
				summary["measured"],
				_("all met") if summary["all_met"] else _("NOT met"),
			)
		)
		for miss in summary["missed"]:
			lines.append(
				"- "
				+ _("{0}: {1}x the floor, target {2}x").format(miss["name"], miss["x_floor"], miss["target"])
			)
		lines.append("")
	for key, value in results.get("ratios", {}).items():
		lines.append(f"- {key}: {value:.3f}")
	for note in results.get("notes", []):
		lines.append(f"- {note}")
	return "\n".join(lines)


def data_counts() -> dict:
	return {
		"Sales Invoice": frappe.db.count("Sales Invoice", {"docstatus": 1}),
		"Customer": frappe.db.count("Customer"),
		"Opportunity": frappe.db.count("Opportunity"),
		"Lead": frappe.db.count("Lead"),
		"Stage Transition": frappe.db.count("Stage Transition"),
	}


def machine() -> dict:
	cpu = ""
	try:
		with open("/proc/cpuinfo") as f:
			cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
	except OSError:
		pass
	ram_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1)
	return {
		"cpus": os.cpu_count(),
		"cpu_model": cpu,
		"ram_gb": ram_gb,
		"python": platform.python_version(),
		"mariadb": frappe.db.sql("SELECT VERSION()")[0][0],
		"innodb_buffer_pool_gb": round(
			int(frappe.db.sql("SELECT @@innodb_buffer_pool_size")[0][0]) / 1024**3, 2
		),
		"frappe": frappe.__version__,
		"erpnext": import_module("erpnext").__version__,
		"sales_modes": import_module("sales_modes").__version__,
		"kernel": platform.release(),
		"git": git_head(),
	}


def git_head() -> str:
	try:
		root = os.path.dirname(os.path.dirname(import_module("sales_modes").__file__))
		return subprocess.check_output(["git", "-C", root, "rev-parse", "--short", "HEAD"], text=True).strip()
	except Exception:
		return ""
