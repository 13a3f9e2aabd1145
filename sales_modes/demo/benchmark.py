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
import random
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import datetime
from importlib import import_module

import frappe
import pymysql
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

	# Backfill: blank the demo rows' modes, then time the backfill that restores them, once as one
	# statement per step (what it was) and once in batches, with a second connection probing locks
	def measure_backfill(self, single_statement: bool = True) -> dict:
		from sales_modes.backfill import BATCH_SIZE

		variants = {"single_statement": self.measure_backfill_run(0)} if single_statement else {}
		variants["batched"] = batched = self.measure_backfill_run(BATCH_SIZE)
		single = variants.get("single_statement")
		return {
			**batched,
			"variants": variants,
			"batched_vs_single": batched["seconds"] / single["seconds"] if single else None,
		}

	def measure_backfill_run(self, batch_size: int) -> dict:
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
		batches: list = []

		def progress(done: int, total: int, doctype: str) -> None:
			if doctype == marks[1]:
				return
			now = time.perf_counter()
			if marks[1]:
				steps[marks[1]] = steps.get(marks[1], 0) + now - marks[0]
			marks[:] = [now, doctype]

		probe = LockProbe()
		probe.start()
		start = time.perf_counter()
		try:
			run_backfill(progress, batch_size=batch_size, on_batch=batches.append)
			frappe.db.commit()  # nosemgrep
			seconds = time.perf_counter() - start
		finally:
			probe.stop()
		after = {
			d: frappe.db.sql(f"SELECT sales_mode, COUNT(*) FROM `tab{d}` GROUP BY sales_mode")
			for d in doctypes
		}
		restored = {d: sorted(before[d]) == sorted(after[d]) for d in doctypes}
		invoices = frappe.db.count("Sales Invoice", {"owner": DEMO_USER})
		written = [b for b in batches if b.changed]
		longest = max(written, key=lambda b: b.seconds, default=None)
		invoice_batches = [b.seconds for b in written if b.doctype == "Sales Invoice"]
		result = {
			"batch_size": batch_size,
			"seconds": seconds,
			"steps_s": steps,
			"invoices": invoices,
			"restored_exactly": restored,
			"runs": 1,
			"batches": len(written),
			"longest_batch_s": longest.seconds if longest else 0,
			"longest_batch_doctype": longest.doctype if longest else "",
			"invoice_batches": len(invoice_batches),
			"invoice_batch_median_s": statistics.median(invoice_batches) if invoice_batches else 0,
			"batches_over_1s": sum(1 for b in written if b.seconds > 1),
			"largest_batch_rows": max((b.walked or b.changed for b in written), default=0),
			"probe": probe.summary(),
		}
		self.echo(
			_(
				"Backfill of {0} demo invoices and their parties, {1}: {2} s, {3} batches, longest {4} s; longest lock wait of a concurrent invoice update {5} s"
			).format(
				invoices,
				_("batches of at most {0} rows").format(batch_size)
				if batch_size
				else _("one statement per step"),
				round(seconds, 2),
				result["batches"],
				round(result["longest_batch_s"], 3),
				round(result["probe"]["longest_wait_s"], 3),
			)
		)
		return result

	# Output
	def table(self, results: dict) -> str:
		return markdown_table(results)


class LockProbe:
	"""A second connection that keeps locking one random demo invoice (SELECT ... FOR UPDATE, as an
	invoice edit would) and records how long each lock took to get: the longest wait is the longest
	any invoicing user would have stalled on the backfill's row locks."""

	SAMPLE = 20_000
	PAUSE_S = 0.002

	def __init__(self):
		total = frappe.db.count("Sales Invoice") or 1
		self.names = [
			row[0]
			for row in frappe.db.sql(
				"SELECT name FROM `tabSales Invoice` WHERE RAND() < %s", min(1, self.SAMPLE / total)
			)
		]
		self.settings = frappe.db.get_connection_settings()
		self.waits: list[float] = []
		self.done = threading.Event()
		self.thread = threading.Thread(target=self.run, daemon=True)

	def start(self) -> None:
		if self.names:
			self.thread.start()

	def stop(self) -> None:
		self.done.set()
		if self.thread.is_alive():
			self.thread.join()

	def run(self) -> None:
		connection = pymysql.connect(**self.settings)
		pick = random.Random(42)
		try:
			with connection.cursor() as cursor:
				cursor.execute("SET SESSION innodb_lock_wait_timeout = 3600")
				while not self.done.is_set():
					start = time.perf_counter()
					cursor.execute(
						"SELECT name FROM `tabSales Invoice` WHERE name = %s FOR UPDATE",
						(pick.choice(self.names),),
					)
					connection.rollback()
					self.waits.append(time.perf_counter() - start)
					time.sleep(self.PAUSE_S)
		finally:
			connection.close()

	def summary(self) -> dict:
		waits = sorted(self.waits)
		return {
			"probes": len(waits),
			"longest_wait_s": waits[-1] if waits else 0,
			"p99_wait_s": waits[int(len(waits) * 0.99)] if waits else 0,
			"waits_over_100ms": sum(1 for w in waits if w > 0.1),
		}


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
		if results["backfill"].get("batched_vs_single"):
			out["backfill_batched_vs_single"] = results["backfill"]["batched_vs_single"]
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
		for run in backfill.get("variants", {"batched": backfill}).values():
			label = (
				_("Backfill, batches of at most {0} rows").format(run["batch_size"])
				if run.get("batch_size")
				else _("Backfill, one statement per step")
			)
			lines.append(f"| {label} | {run['seconds']:.2f} | 1 | |")
			if "probe" in run:
				lines.append(
					f"| {_('... its longest batch (its longest row lock)')} | {run['longest_batch_s']:.3f} | {run['batches']} | |"
				)
				lines.append(
					f"| {_('... longest wait of a concurrent invoice lock')} | {run['probe']['longest_wait_s']:.3f} | {run['probe']['probes']} | |"
				)
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


def time_backfill(output: str | None = None, single_statement: bool = True) -> dict:
	"""The backfill part of the benchmark alone (minutes at 1M invoices instead of the reports'
	quarter hour): `bench --site S execute sales_modes.demo.benchmark.time_backfill --kwargs
	'{"output": "backfill.json"}'`."""
	import json

	results = {
		"started": datetime.now().isoformat(timespec="seconds"),
		"site": frappe.local.site,
		"machine": machine(),
		"data": data_counts(),
		"backfill": Benchmark(runs=1).measure_backfill(single_statement),
	}
	if output:
		with open(output, "w") as f:
			json.dump(results, f, indent=1, default=str)
	return results
