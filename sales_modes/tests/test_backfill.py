"""The install-time backfill: set-based, never overwriting, idempotent, in batches, resumable.

Most tests run the backfill with commit=False inside the test's transaction and roll it back.
The kill-and-resume test needs real commits (a second process runs the backfill): it commits,
and puts back every mode it blanked when it ends.
"""

import math
import os
import signal
import subprocess
import sys
from unittest.mock import patch

import frappe
from frappe.tests.utils import change_settings

from sales_modes import backfill
from sales_modes.core import modes
from sales_modes.settings import get_mode_map
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import (
	make_customer,
	make_lead,
	make_opportunity,
	make_prospect,
	make_quotation,
	make_sales_invoice,
)

# Every customer type ERPNext offers and none; lead organisation names blank and not
CUSTOMER_TYPES = ("Company", "Partnership", "Individual", "")
COMPANY_NAMES = (None, "", "   ", "\t", " \r\n ", "Acme", "  Acme  ", "\u00a0", "é")


def blank_mode(doctype: str, name: str) -> None:
	frappe.db.set_value(doctype, name, "sales_mode", None, update_modified=False)


def mode_of(doctype: str, name: str) -> str | None:
	return frappe.db.get_value(doctype, name, "sales_mode")


def count_filled(doctype: str) -> int:
	return frappe.db.sql(f"SELECT COUNT(*) FROM `tab{doctype}` WHERE IFNULL(sales_mode, '') != ''")[0][0]


def snapshot(doctypes) -> dict:
	"""Every row's mode (and the deal amounts the backfill also fills), by doctype and name."""
	modes = {d: dict(frappe.db.sql(f"SELECT name, sales_mode FROM `tab{d}`")) for d in doctypes}
	modes["amounts"] = dict(frappe.db.sql("SELECT name, base_opportunity_amount FROM `tabOpportunity`"))
	return modes


def ensure_customers(count: int) -> None:
	"""At least `count` customers, whatever the site holds: batch tests need several batches."""
	for i in range(count - frappe.db.count("Customer")):
		make_customer(f"_SM Batch Customer {i}", "Individual")


class TestBackfill(SalesModesTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def make_pre_install_data(self):
		"""Documents as they were before the app: no mode anywhere."""
		docs = frappe._dict(
			company=make_customer("_SM Backfill Corp", "Company"),
			person=make_customer("_SM Backfill Person", "Individual"),
			org_lead=make_lead("Gus", company_name="_SM Backfill Lead Corp"),
			person_lead=make_lead("Hal"),
			prospect=make_prospect("_SM Backfill Prospect"),
		)
		docs.opp_customer = make_opportunity(docs.person.name)
		docs.opp_lead = make_opportunity(docs.org_lead.name, "Lead")
		docs.opp_prospect = make_opportunity(docs.prospect.name, "Prospect")
		docs.quotation_lead = make_quotation(docs.person_lead.name, "Lead")
		docs.invoice_company = make_sales_invoice(docs.company.name)
		docs.invoice_person = make_sales_invoice(docs.person.name)
		for doc in docs.values():
			blank_mode(doc.doctype, doc.name)
		return docs

	def test_backfill_sets_every_mode(self):
		docs = self.make_pre_install_data()
		backfill.run_backfill(commit=False)
		expected = {
			"company": "B2B",
			"person": "B2C",
			"org_lead": "B2B",
			"person_lead": "B2C",
			"prospect": "B2B",
			"opp_customer": "B2C",
			"opp_lead": "B2B",
			"opp_prospect": "B2B",
			"quotation_lead": "B2C",
			"invoice_company": "B2B",
			"invoice_person": "B2C",
		}
		self.assertEqual({key: mode_of(docs[key].doctype, docs[key].name) for key in expected}, expected)

	def test_backfill_never_overwrites_and_is_idempotent(self):
		docs = self.make_pre_install_data()
		frappe.db.set_value("Customer", docs.company.name, "sales_mode", "B2C", update_modified=False)
		frappe.db.set_value(
			"Sales Invoice", docs.invoice_person.name, "sales_mode", "B2B", update_modified=False
		)
		backfill.run_backfill(commit=False)
		self.assertEqual(mode_of("Customer", docs.company.name), "B2C")
		self.assertEqual(mode_of("Sales Invoice", docs.invoice_company.name), "B2C")  # from its customer
		self.assertEqual(mode_of("Sales Invoice", docs.invoice_person.name), "B2B")

		snapshot = {d.name: mode_of(d.doctype, d.name) for d in docs.values()}
		modified = {d.name: frappe.db.get_value(d.doctype, d.name, "modified") for d in docs.values()}
		backfill.run_backfill(commit=False)
		self.assertEqual({d.name: mode_of(d.doctype, d.name) for d in docs.values()}, snapshot)
		self.assertEqual(
			{d.name: frappe.db.get_value(d.doctype, d.name, "modified") for d in docs.values()}, modified
		)

	def assert_backfill_gives_python_inference(self):
		"""The set-based SQL and the per-document Python inference give the same mode, row by row."""
		customers, leads = [], []
		for i, customer_type in enumerate(CUSTOMER_TYPES):
			name = make_customer(f"_SM Parity Customer {i}", customer_type or "Company").name
			frappe.db.set_value(
				"Customer", name, {"customer_type": customer_type, "sales_mode": None}, update_modified=False
			)
			customers.append(name)
		for i, company_name in enumerate(COMPANY_NAMES):
			name = make_lead(f"Parity {i}").name
			frappe.db.set_value(
				"Lead", name, {"company_name": company_name, "sales_mode": None}, update_modified=False
			)
			leads.append(name)
		backfill.run_backfill(commit=False)
		mode_map = get_mode_map()
		for name in customers:
			customer_type = frappe.db.get_value("Customer", name, "customer_type")
			with self.subTest(customer_type=customer_type):
				self.assertEqual(mode_of("Customer", name), modes.customer_mode(customer_type, mode_map))
		for name in leads:
			company_name = frappe.db.get_value("Lead", name, "company_name")
			with self.subTest(company_name=company_name):
				self.assertEqual(mode_of("Lead", name), modes.lead_mode(company_name, mode_map))
		return {name: mode_of("Customer", name) for name in customers}, {
			name: mode_of("Lead", name) for name in leads
		}

	def test_backfill_gives_python_inference(self):
		customers, leads = self.assert_backfill_gives_python_inference()
		self.assertEqual(list(customers.values()), ["B2B", "B2B", "B2C", None])
		self.assertEqual(list(leads.values()), ["B2C"] * 5 + ["B2B"] * 4)

	@change_settings(
		"Sales Modes Settings", {"partnership_mode": None, "individual_mode": "B2B", "fallback_mode": "B2C"}
	)
	def test_backfill_gives_python_inference_under_another_mapping(self):
		customers, leads = self.assert_backfill_gives_python_inference()
		self.assertEqual(list(customers.values()), ["B2B", "B2C", "B2B", "B2C"])
		self.assertEqual(list(leads.values()), ["B2B"] * 9)

	def test_blank_rows_are_counted_once_per_doctype(self):
		before = backfill.count_blank_rows()
		docs = self.make_pre_install_data()
		self.assertEqual(backfill.count_blank_rows() - before, len(docs))

	def test_company_currency_amounts_are_filled(self):
		customer = make_customer("_SM Amount Corp", "Company")
		deal = make_opportunity(customer.name, opportunity_amount=250)
		frappe.db.set_value("Opportunity", deal.name, "base_opportunity_amount", 0, update_modified=False)
		backfill.run_backfill(commit=False)
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "base_opportunity_amount"), 250)

	@change_settings(
		"Sales Modes Settings",
		{"company_mode": None, "partnership_mode": None, "individual_mode": None, "fallback_mode": None},
	)
	def test_backfill_without_settings_is_refused(self):
		self.assertRaises(frappe.ValidationError, backfill.run_backfill, commit=False)

	def test_progress_is_reported_for_every_step(self):
		self.make_pre_install_data()
		ensure_customers(20)
		calls = []
		backfill.run_backfill(lambda *call: calls.append(call), batch_size=3, commit=False)
		total = sum(frappe.db.count(doctype) for doctype, _step in backfill.STEPS)
		self.assertEqual(calls[0], (0, total, "Customer"))
		self.assertEqual(calls[-1], (total, total, ""))
		done = [c[0] for c in calls]
		self.assertEqual(done, sorted(done))  # never goes back
		self.assertTrue(all(c[1] == total for c in calls))
		steps = [doctype for doctype, _step in backfill.STEPS]
		reported = [c[2] for c in calls[:-1]]
		self.assertEqual(
			[d for i, d in enumerate(reported) if i == 0 or reported[i - 1] != d],
			[d for i, d in enumerate(steps) if i == 0 or steps[i - 1] != d],
		)
		# Batch by batch, not step by step: Customer alone has more rows than one batch
		self.assertGreater(sum(1 for c in calls if c[2] == "Customer"), 2)

	def test_batches_never_write_more_rows_than_the_batch_size(self):
		self.make_pre_install_data()
		tables = [doctype for doctype, _step in backfill.STEPS]
		for doctype in dict.fromkeys(tables):
			frappe.db.sql(f"UPDATE `tab{doctype}` SET sales_mode = NULL")
		filled = {d: count_filled(d) for d in tables}
		batches = []

		def on_batch(batch):
			# Counted in the database, not taken from the backfill's own report
			now = count_filled(batch.doctype)
			batches.append((batch, now - filled[batch.doctype]))
			filled[batch.doctype] = now

		backfill.run_backfill(batch_size=4, on_batch=on_batch, commit=False)
		self.assertTrue(batches)
		for batch, written in batches:
			with self.subTest(batch=batch):
				self.assertLessEqual(batch.walked, 4)
				self.assertLessEqual(written, 4)
				self.assertEqual(written, batch.changed)
		customers = [b for b, _w in batches if b.doctype == "Customer"]
		self.assertEqual(len(customers), math.ceil(frappe.db.count("Customer") / 4))
		self.assertEqual(sum(b.walked for b in customers), frappe.db.count("Customer"))
		self.assertEqual(sum(w for _b, w in batches if _b.doctype == "Customer"), frappe.db.count("Customer"))

	def test_batches_shrink_to_hold_their_locks_briefly(self):
		self.make_pre_install_data()
		ensure_customers(20)
		frappe.db.sql("UPDATE `tabCustomer` SET sales_mode = NULL")
		walked = []
		backfill.backfill_customers(
			backfill.Batching(
				batch_size=10,
				commit=False,
				on_batch=lambda batch: walked.append(batch.walked),
				batch_seconds=1e-9,  # every batch is too slow: the next one takes the fewest rows
				min_batch=3,
			)
		)
		self.assertEqual(walked[0], 10)
		self.assertGreater(len(walked), 2)
		self.assertTrue(all(0 < rows <= 3 for rows in walked[1:]), walked)
		self.assertEqual(sum(walked), frappe.db.count("Customer"))
		self.assertEqual(count_filled("Customer"), frappe.db.count("Customer"))

	def test_batch_sizing(self):
		batching = backfill.Batching(batch_seconds=0.5)
		self.assertEqual(batching.first(), backfill.FIRST_BATCH)
		self.assertEqual(batching.next(1000, 0.1, 1000), 2000)  # fast: doubles, no more
		self.assertEqual(batching.next(1000, 0.01, 8000), backfill.BATCH_SIZE)  # never above the cap
		self.assertEqual(batching.next(1000, 2.0, 1000), 250)  # slow: what fits in half a second
		self.assertEqual(batching.next(1000, 100.0, 1000), backfill.MIN_BATCH)
		self.assertLess(backfill.BATCH_SECONDS, 1)  # the point: no batch locks rows for a second
		self.assertEqual(backfill.Batching(batch_size=5).first(), 5)

	def test_batched_run_equals_one_statement_per_step(self):
		self.make_pre_install_data()
		doctypes = list(dict.fromkeys(doctype for doctype, _step in backfill.STEPS))
		for doctype in doctypes:
			frappe.db.sql(f"UPDATE `tab{doctype}` SET sales_mode = NULL")
		frappe.db.savepoint("blank")
		backfill.run_backfill(batch_size=0, commit=False)
		at_once = snapshot(doctypes)
		frappe.db.rollback(save_point="blank")
		blank = snapshot(doctypes)
		self.assertTrue(all(mode is None for d in doctypes for mode in blank[d].values()))
		backfill.run_backfill(batch_size=3, commit=False)
		self.assertEqual(snapshot(doctypes), at_once)
		self.assertIn("B2C", at_once["Sales Invoice"].values())

	def test_batched_update_sets_every_column_given(self):
		"""The generic batched update: extra SET columns ride along in the same statement."""
		docs = self.make_pre_install_data()
		doc = backfill.document("Customer")
		changed = backfill.update_in_batches(
			"Customer",
			backfill.is_blank(doc.sales_mode),
			[backfill.Update({"sales_mode": "B2C", "customer_details": "set by the batch"})],
			backfill.Batching(batch_size=2, commit=False),
		)
		self.assertGreaterEqual(changed, 2)
		self.assertEqual(
			frappe.db.get_value("Customer", docs.company.name, ["sales_mode", "customer_details"]),
			("B2C", "set by the batch"),
		)

	def test_large_sites_backfill_in_background(self):
		self.make_pre_install_data()
		with patch.object(backfill, "BACKGROUND_THRESHOLD", 3), patch("frappe.enqueue") as enqueue:
			backfill.backfill_on_install()
		enqueue.assert_called_once()
		self.assertEqual(enqueue.call_args.args[0], "sales_modes.backfill.run_backfill_job")
		self.assertGreater(backfill.count_blank_rows(), 3)  # nothing done inline

	def test_small_sites_backfill_inline(self):
		docs = self.make_pre_install_data()
		with patch.object(backfill, "BACKGROUND_THRESHOLD", 10**9), patch("frappe.enqueue") as enqueue:
			backfill.backfill_on_install(commit=False)
		enqueue.assert_not_called()
		self.assertEqual(mode_of("Sales Invoice", docs.invoice_person.name), "B2C")


class TestBackfillResumes(SalesModesTestCase):
	"""Killed midway (SIGKILL, between committed batches), a second run finishes the job exactly."""

	BATCH_SIZE = 2
	KILL_AFTER = 3  # committed batches that wrote rows

	def setUp(self):
		self.doctypes = list(dict.fromkeys(doctype for doctype, _step in backfill.STEPS))
		# A few committed parties of our own, so that even a bare site has several batches to do
		self.customers = [
			make_customer(f"_SM Resume Customer {i}", ("Company", "Individual")[i % 2]).name for i in range(6)
		]
		self.leads = [
			make_lead(f"Resume {i}", company_name="Resume Corp" if i % 2 else None).name for i in range(4)
		]
		frappe.db.commit()  # nosemgrep: the second process must see them
		self.original = snapshot(self.doctypes)
		self.addCleanup(self.restore)

	def restore(self):
		frappe.db.rollback()
		for doctype in self.doctypes:
			by_mode = {}
			for name, mode in self.original[doctype].items():
				by_mode.setdefault(mode, []).append(name)
			for mode, names in by_mode.items():
				frappe.db.sql(
					f"UPDATE `tab{doctype}` SET sales_mode = %(mode)s WHERE name IN %(names)s",
					{"mode": mode, "names": names},
				)
		for name, amount in self.original["amounts"].items():
			frappe.db.sql(
				"UPDATE `tabOpportunity` SET base_opportunity_amount = %s WHERE name = %s", (amount, name)
			)
		for name in self.customers:
			frappe.delete_doc("Customer", name, force=True, ignore_permissions=True)
		for name in self.leads:
			frappe.delete_doc("Lead", name, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep

	def blank_everything(self):
		for doctype in self.doctypes:
			frappe.db.sql(f"UPDATE `tab{doctype}` SET sales_mode = NULL")
		frappe.db.commit()  # nosemgrep

	def run_and_kill(self) -> list[str]:
		site_dir = os.path.join(frappe.utils.get_bench_path(), "sites")
		command = [
			sys.executable,
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			frappe.local.site,
			"execute",
			"sales_modes.tests.backfill_child.run",
			"--kwargs",
			f'{{"batch_size": {self.BATCH_SIZE}}}',
		]
		child = subprocess.Popen(
			command, cwd=site_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
		)
		committed = []
		try:
			for line in child.stdout:
				if line.startswith("committed "):
					committed.append(line.strip())
					if len(committed) == self.KILL_AFTER:
						child.send_signal(signal.SIGKILL)
						break
		finally:
			if child.poll() is None and len(committed) < self.KILL_AFTER:
				child.kill()
			_out, err = child.communicate(timeout=120)
		self.assertEqual(len(committed), self.KILL_AFTER, f"the backfill process failed: {err[-2000:]}")
		self.assertEqual(child.returncode, -signal.SIGKILL)
		return committed

	def test_killed_backfill_resumes_to_the_same_result(self):
		self.blank_everything()
		backfill.run_backfill(batch_size=self.BATCH_SIZE)
		uninterrupted = snapshot(self.doctypes)
		self.assertEqual(
			{name: uninterrupted["Customer"][name] for name in self.customers},
			{name: ("B2B", "B2C")[i % 2] for i, name in enumerate(self.customers)},
		)

		self.blank_everything()
		committed = self.run_and_kill()
		frappe.db.rollback()  # a fresh snapshot: see what the killed process committed
		killed = snapshot(self.doctypes)
		filled = sum(1 for d in self.doctypes for mode in killed[d].values() if mode)
		expected = sum(1 for d in self.doctypes for mode in uninterrupted[d].values() if mode)
		# Killed midway: what it committed stays, batch by batch; the rest is still blank
		self.assertGreaterEqual(filled, self.KILL_AFTER)
		self.assertLessEqual(filled, self.KILL_AFTER * self.BATCH_SIZE, committed)
		self.assertLess(filled, expected)
		for doctype in self.doctypes:
			for name, mode in killed[doctype].items():
				if mode:
					self.assertEqual(mode, uninterrupted[doctype][name])

		backfill.run_backfill(batch_size=self.BATCH_SIZE)  # the second run
		self.assertEqual(snapshot(self.doctypes), uninterrupted)
