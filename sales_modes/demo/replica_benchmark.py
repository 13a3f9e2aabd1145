"""Timings of the reports on the read replica and as Prepared Reports (docs/benchmarks.md).

    bench --site S execute sales_modes.demo.replica_benchmark.run --kwargs '{"runs": 5}'

Needs the site attached to a replica (scripts/replica start S && scripts/replica attach S).
For each report of the app, with the benchmark's filters (the demo company, the last 12 months):
- on the primary: the report as the desk runs it (`generate_report_result`), in this process;
- on the replica: `frappe.desk.query_report.run` as a request makes it, connection included;
- prepared (the heavy reports): from `make_prepared_report` to status Completed, with a
  `bench worker --queue long` started beforehand (its start is not counted).
Medians of `runs` runs after one warm-up run.
"""

import json
import os
import statistics
import subprocess
import sys
import time

import frappe
from frappe.core.doctype.prepared_report.prepared_report import make_prepared_report
from frappe.desk.query_report import generate_report_result
from frappe.desk.query_report import run as run_report
from frappe.utils import add_days, get_bench_path, nowdate

from sales_modes.demo.common import get_company
from sales_modes.prepared_reports import HEAVY_REPORTS
from sales_modes.reports import SCRIPT_REPORTS


def median_time(fn, runs: int) -> float:
	fn()
	times = []
	for _ in range(runs):
		start = time.perf_counter()
		fn()
		times.append(time.perf_counter() - start)
	return statistics.median(times)


def new_request() -> None:
	"""Frappe switches to the replica once per request: forget the last switch, as a request does."""
	for attribute in ("replica_db", "primary_db"):
		if hasattr(frappe.local, attribute):
			delattr(frappe.local, attribute)


def run(runs: int = 5, prepared: bool = True) -> dict:
	if not frappe.conf.read_from_replica:
		print("This site reads from no replica: scripts/replica start SITE && scripts/replica attach SITE")
		return {}
	filters = {"company": get_company(), "from_date": add_days(nowdate(), -364), "to_date": nowdate()}
	rows = []
	for name in SCRIPT_REPORTS:
		report = frappe.get_doc("Report", name)
		report_filters = {**filters, "measure": "Revenue"} if name == "Sales Mode Trends" else filters

		def on_replica(name=name, report_filters=report_filters):
			new_request()
			return run_report(name, json.dumps(report_filters), ignore_prepared_report=True)

		primary = median_time(lambda report=report, f=report_filters: generate_report_result(report, f), runs)
		replica = median_time(on_replica, runs)
		rows.append({"report": name, "primary_s": primary, "replica_s": replica})
		print(f"{name}: primary {primary:.3f} s, replica {replica:.3f} s")
	if prepared:
		with worker():
			for row in rows:
				if row["report"] in HEAVY_REPORTS:
					row["prepared_s"] = time_prepared(row["report"], filters, runs)
					print(f"{row['report']}: prepared {row['prepared_s']:.3f} s")
	print(markdown(rows, runs))
	return {"filters": filters, "runs": runs, "reports": rows}


def time_prepared(name: str, filters: dict, runs: int) -> float:
	times = []
	for _ in range(runs + 1):
		start = time.perf_counter()
		prepared = make_prepared_report(name, json.dumps(filters))["name"]
		frappe.db.commit()  # nosemgrep: the worker reads only what is committed
		while True:
			frappe.db.rollback()
			status = frappe.db.get_value("Prepared Report", prepared, "status")
			if status in ("Completed", "Error"):
				break
			time.sleep(0.05)
		times.append(time.perf_counter() - start)
		if status != "Completed":
			raise RuntimeError(f"Prepared Report {prepared} failed")
		frappe.delete_doc("Prepared Report", prepared, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep
	return statistics.median(times[1:])


class worker:
	def __enter__(self):
		self.process = subprocess.Popen(
			[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "worker", "--queue", "long"],
			cwd=os.path.join(get_bench_path(), "sites"),
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
			env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))},
		)
		time.sleep(5)  # its start is not what is measured
		return self

	def __exit__(self, *exc):
		self.process.terminate()
		self.process.wait(30)


def markdown(rows: list[dict], runs: int) -> str:
	lines = [
		"| Report | Primary (s) | Replica (s) | Prepared, queued to completed (s) | Runs |",
		"|---|---:|---:|---:|---:|",
	]
	for row in rows:
		prepared = f"{row['prepared_s']:.3f}" if "prepared_s" in row else ""
		lines.append(
			f"| {row['report']} | {row['primary_s']:.3f} | {row['replica_s']:.3f} | {prepared} | {runs} |"
		)
	return "\n".join(lines)
