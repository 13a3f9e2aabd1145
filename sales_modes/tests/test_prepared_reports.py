"""The heavy reports as Frappe Prepared Reports (issue 12): when they are, and one run for real.

The worker test starts a real `bench worker` on the bench's Redis queue, has it prepare Sales Mode
Comparison as a Sales Manager would from the desk, and reads the result back as the desk does.
A worker reads only what is committed: that test commits its Prepared Report (and the report's
flag) and removes them afterwards.
"""

import json
import os
import subprocess
import sys
import time

import frappe
from frappe.core.doctype.prepared_report.prepared_report import make_prepared_report
from frappe.desk.query_report import generate_report_result
from frappe.desk.query_report import run as run_report
from frappe.utils import add_days, get_bench_path, today

from sales_modes.prepared_reports import (
	APPLIED_KEY,
	CONFIG_KEY,
	HEAVY_REPORTS,
	SIZE_THRESHOLDS,
	sync_prepared_reports,
	wants_prepared_reports,
)
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import get_company, make_user_with_roles

SMALL = {"Sales Invoice": 1000, "Opportunity": 100}
MANAGER = "sm-prepared-manager@example.com"
REPORT = "Sales Mode Comparison"
WORKER_TIMEOUT = 180


def flags() -> dict[str, int]:
	return {
		name: frappe.db.get_value("Report", name, "prepared_report", cache=False) for name in HEAVY_REPORTS
	}


class TestWhenPrepared(SalesModesTestCase):
	def setUp(self):
		self.config = frappe.conf.pop(CONFIG_KEY, None)

	def tearDown(self):
		frappe.conf.pop(CONFIG_KEY, None)
		if self.config is not None:
			frappe.conf[CONFIG_KEY] = self.config
		frappe.db.rollback()

	def test_the_site_size_decides(self):
		for doctype, threshold in SIZE_THRESHOLDS.items():
			with self.subTest(doctype):
				self.assertFalse(wants_prepared_reports({**SMALL, doctype: threshold - 1}))
				self.assertTrue(wants_prepared_reports({**SMALL, doctype: threshold}))

	def test_site_config_overrides_the_size(self):
		frappe.conf[CONFIG_KEY] = 1
		self.assertTrue(wants_prepared_reports(SMALL))
		frappe.conf[CONFIG_KEY] = "0"
		self.assertFalse(wants_prepared_reports({"Sales Invoice": 10**7, "Opportunity": 10**6}))

	def test_the_heavy_reports_follow_the_decision_and_an_admin_choice_stands_until_it_changes(self):
		big = {**SMALL, "Sales Invoice": SIZE_THRESHOLDS["Sales Invoice"]}
		frappe.db.set_default(APPLIED_KEY, "0")
		self.assertTrue(sync_prepared_reports(big))
		self.assertEqual(flags(), dict.fromkeys(HEAVY_REPORTS, 1))
		# An admin makes one live again: the next migrate on the same big site leaves it so
		frappe.db.set_value("Report", "Stalled Deals", "prepared_report", 0)
		sync_prepared_reports(big)
		self.assertEqual(flags()["Stalled Deals"], 0)
		self.assertEqual(flags()["Stage Funnel by Mode"], 1)
		# The site shrinks (demo cleared): all live again
		self.assertFalse(sync_prepared_reports(SMALL))
		self.assertEqual(flags(), dict.fromkeys(HEAVY_REPORTS, 0))
		# The light reports are never touched
		self.assertEqual(frappe.db.get_value("Report", "Sales Cycle Analysis", "prepared_report"), 0)

	def test_a_small_site_keeps_its_reports_live(self):
		frappe.db.set_default(APPLIED_KEY, "1")
		self.assertFalse(sync_prepared_reports(SMALL))
		self.assertEqual(flags(), dict.fromkeys(HEAVY_REPORTS, 0))


class TestPreparedReportWorker(SalesModesTestCase):
	"""Sales Mode Comparison prepared by a real RQ worker, read back through the desk's call."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user_with_roles(MANAGER, ["Sales Manager"])
		cls.was_prepared = frappe.db.get_value("Report", REPORT, "prepared_report")
		frappe.db.set_value("Report", REPORT, "prepared_report", 1)
		frappe.db.commit()  # nosemgrep: the worker reads only what is committed

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		for name in frappe.get_all("Prepared Report", {"owner": MANAGER}, pluck="name"):
			frappe.delete_doc("Prepared Report", name, force=True, ignore_permissions=True)
		frappe.db.set_value("Report", REPORT, "prepared_report", cls.was_prepared)
		frappe.delete_doc("User", MANAGER, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: undo what setUpClass committed
		super().tearDownClass()

	def start_worker(self) -> subprocess.Popen:
		log = open(os.path.join(frappe.get_site_path(), "sm-test-worker.log"), "w")
		self.addCleanup(log.close)
		worker = subprocess.Popen(
			[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "worker", "--queue", "long"],
			cwd=os.path.join(get_bench_path(), "sites"),
			stdout=log,
			stderr=subprocess.STDOUT,
			env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [*sys.path]))},
		)
		self.addCleanup(self.stop_worker, worker)
		return worker

	@staticmethod
	def stop_worker(worker: subprocess.Popen):
		if worker.poll() is None:
			worker.terminate()
			try:
				worker.wait(30)
			except subprocess.TimeoutExpired:
				worker.kill()
				worker.wait(10)

	def wait_for(self, name: str, worker: subprocess.Popen) -> str:
		deadline = time.monotonic() + WORKER_TIMEOUT
		while time.monotonic() < deadline:
			frappe.db.rollback()  # a fresh snapshot: see what the worker committed
			status = frappe.db.get_value("Prepared Report", name, "status")
			if status in ("Completed", "Error"):
				return status
			self.assertIsNone(worker.poll(), "the worker died: see sm-test-worker.log in the site folder")
			time.sleep(0.25)
		self.fail(f"the worker did not finish Prepared Report {name} in {WORKER_TIMEOUT} s")

	def test_a_worker_prepares_the_report_and_the_desk_shows_it(self):
		filters = {"company": get_company(), "from_date": add_days(today(), -365), "to_date": today()}
		frappe.set_user(MANAGER)
		# The desk's first call: the report is prepared, and nothing has been made yet
		first = run_report(REPORT, json.dumps(filters))
		self.assertTrue(first["prepared_report"])
		self.assertIsNone(first["doc"])
		self.assertNotIn("result", first)

		queued = time.monotonic()
		name = make_prepared_report(REPORT, json.dumps(filters))["name"]
		frappe.db.commit()  # nosemgrep: enqueued after commit, as in a request
		worker = self.start_worker()
		status = self.wait_for(name, worker)
		elapsed = time.monotonic() - queued
		doc = frappe.get_doc("Prepared Report", name)
		self.assertEqual(status, "Completed", doc.error_message)
		self.assertEqual(doc.owner, MANAGER)
		self.assertTrue(doc.report_end_time)
		print(f"\nPrepared Report {name}: queued to completed in {elapsed:.1f} s (worker start included)")

		# The desk's next call shows it, with its time, and it is what a live run gives
		shown = run_report(REPORT, json.dumps(filters))
		self.assertTrue(shown["prepared_report"])
		self.assertEqual(shown["doc"].name, name)
		live = generate_report_result(frappe.get_doc("Report", REPORT), filters, user=MANAGER)
		live = json.loads(frappe.as_json(live))
		for key in ("columns", "result", "message", "chart", "report_summary"):
			self.assertEqual(shown.get(key), live.get(key), key)
		self.assertTrue(live["result"] or live["message"])
