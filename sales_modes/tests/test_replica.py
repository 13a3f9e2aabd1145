"""The app on a MariaDB read replica (issue 12): reads answer from it, writes never reach it.

Runs where the site is configured for a replica (`read_from_replica`, `replica_host`,
`replica_db_port` in site_config.json): `scripts/replica start SITE && scripts/replica attach SITE`
sets one up on this machine, and scripts/bench-suite does so for its throwaway site. Elsewhere the
tests are skipped.

How a read is proven to run on the replica: the replica serves nobody but this process, so its
statement counters (`Com_select`, `Com_insert`, ...) move only when Frappe queried it (its
`Connections` counter is no proof: the server bumps it for its own threads); and a row committed on
the primary with `sql_log_bin = 0` (never sent to the replica) shows on the primary and not in what
the desk gets back. The test reads committed data only: rows of this test's transaction are not on
the replica (nor visible to any other connection).
"""

import inspect
import json
from contextlib import contextmanager

import frappe
import pymysql
from frappe.desk.query_report import generate_report_result
from frappe.desk.query_report import run as run_report
from frappe.utils import add_days, today

from sales_modes.reports import SCRIPT_REPORTS
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import (
	make_customer,
	make_opportunity,
	make_user_with_roles,
	qualified_b2b_values,
)

BUILDER_REPORTS = ("Customers by Sales Mode", "Opportunities by Sales Mode and Stage")


RESTRICTED_USER = "sm-replica-b2b-rep@example.com"


def delete_user(user: str) -> None:
	frappe.set_user("Administrator")
	frappe.db.rollback()
	frappe.db.delete("User Permission", {"user": user})
	frappe.delete_doc("User", user, force=True, ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: undo what the test committed


def replica_configured() -> bool:
	return bool(frappe.conf.read_from_replica and frappe.conf.replica_host)


def connect(host, port, user, password, database=None):
	return pymysql.connect(
		host=host, port=int(port or 3306), user=user, password=password, database=database, autocommit=True
	)


def on_primary(fn):
	"""The same whitelisted function without frappe.read_only(): it runs on the primary."""
	return inspect.unwrap(fn)


class TestReplica(SalesModesTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		if not replica_configured():
			raise __import__("unittest").SkipTest(
				"No read replica configured for this site (read_from_replica and replica_host in its "
				"site_config.json): see scripts/replica"
			)
		conf = frappe.conf
		# The site's own user, as Frappe connects to the replica
		cls.replica = connect(
			conf.replica_host, conf.replica_db_port, conf.db_name, conf.db_password, conf.db_name
		)
		server_ids = {
			cls.query(cls.replica, "select @@server_id")[0][0],
			frappe.db.sql("select @@server_id")[0][0],
		}
		if len(server_ids) != 2:
			raise AssertionError("replica_host/replica_db_port point at the primary itself, not a replica")
		cls.company = frappe.db.sql(
			"""select company from `tabSales Invoice` where docstatus = 1
			group by company order by count(*) desc limit 1"""
		)
		if not cls.company:
			raise AssertionError(
				"No submitted Sales Invoice on this site to read back from the replica: "
				"load the demo first (bench --site SITE sales-modes demo)"
			)
		cls.company = cls.company[0][0]
		cls.filters = {"company": cls.company, "from_date": "2000-01-01", "to_date": add_days(today(), 366)}

	@classmethod
	def tearDownClass(cls):
		if getattr(cls, "replica", None):
			cls.replica.close()
		super().tearDownClass()

	@staticmethod
	def query(connection, sql, args=None):
		with connection.cursor() as cursor:
			cursor.execute(sql, args)
			return cursor.fetchall()

	def replica_counters(self) -> dict[str, int]:
		rows = self.query(
			self.replica,
			"show global status where variable_name in "
			"('Com_select', 'Com_insert', 'Com_update', 'Com_delete')",
		)
		return {name: int(value) for name, value in rows}

	@contextmanager
	def replica_use(self):
		"""Yields a dict filled on exit with how much the replica's counters moved.

		Starts like a new request: Frappe switches to the replica once per request (frappe.local),
		and a test runs many calls in one.
		"""
		for attribute in ("replica_db", "primary_db"):
			if hasattr(frappe.local, attribute):
				delattr(frappe.local, attribute)
		before = self.replica_counters()
		moved = {}
		yield moved
		after = self.replica_counters()
		moved.update({name: after[name] - before[name] for name in after})

	def sync(self):
		"""Wait until the replica has applied everything committed on the primary."""
		position = frappe.db.sql("select @@gtid_binlog_pos")[0][0]
		waited = self.query(self.replica, "select master_gtid_wait(%s, 60)", (position,))[0][0]
		self.assertEqual(waited, 0, f"the replica did not reach the primary's position {position}")

	def assert_read_on_replica(self, moved):
		self.assertGreaterEqual(moved["Com_select"], 1, "nothing was read from the replica")
		self.assertEqual(moved["Com_insert"] + moved["Com_update"] + moved["Com_delete"], 0)

	def assert_untouched(self, moved):
		self.assertEqual(moved, dict.fromkeys(moved, 0), "the replica was queried")

	def setUp(self):
		frappe.set_user("Administrator")
		self.sync()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def report_filters(self, report_name):
		filters = dict(self.filters)
		if report_name == "Sales Mode Trends":
			filters["measure"] = "Revenue"
		return filters

	def test_every_script_report_answers_from_the_replica(self):
		for report_name in SCRIPT_REPORTS:
			with self.subTest(report_name):
				filters = self.report_filters(report_name)
				with self.replica_use() as moved:
					from_replica = run_report(report_name, json.dumps(filters), ignore_prepared_report=True)
				self.assert_read_on_replica(moved)
				report = frappe.get_doc("Report", report_name)
				on_the_primary = generate_report_result(report, filters)
				for key in ("columns", "result", "message", "chart", "report_summary"):
					self.assertEqual(from_replica.get(key), on_the_primary.get(key), key)

	def test_a_restricted_user_gets_the_same_restricted_figures_from_the_replica(self):
		"""Roles and User Permissions are read on the replica too: they must be committed there."""
		user = make_user_with_roles(RESTRICTED_USER, ["Sales User"])
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": "Sales Mode", "for_value": "B2B"}
		).insert(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the replica sees only what is committed
		self.addCleanup(delete_user, user)
		self.sync()
		for report_name in ("Sales Mode Comparison", "Stage Funnel by Mode", "Stalled Deals"):
			with self.subTest(report_name):
				filters = self.report_filters(report_name)
				report = frappe.get_doc("Report", report_name)
				unrestricted = generate_report_result(report, filters)
				frappe.set_user(user)
				try:
					with self.replica_use() as moved:
						from_replica = run_report(
							report_name, json.dumps(filters), ignore_prepared_report=True
						)
					on_the_primary = generate_report_result(report, filters, user=user)
				finally:
					frappe.set_user("Administrator")
				self.assert_read_on_replica(moved)
				self.assertEqual(from_replica["result"], on_the_primary["result"])
				self.assertNotEqual(
					from_replica["result"], unrestricted["result"], "the restriction changed nothing"
				)

	def test_report_builder_reports_answer_from_the_replica(self):
		from frappe.desk.reportview import get

		for report_name in BUILDER_REPORTS:
			with self.subTest(report_name):
				report = frappe.get_doc("Report", report_name)
				settings = json.loads(report.json)
				frappe.local.form_dict = frappe._dict(
					doctype=report.ref_doctype,
					fields=json.dumps([f"`tab{doctype}`.`{field}`" for field, doctype in settings["fields"]]),
					filters=json.dumps(settings["filters"]),
					order_by=settings["order_by"],
					page_length=500,
				)
				with self.replica_use() as moved:
					from_replica = get()
				self.assert_read_on_replica(moved)
				self.assertEqual(from_replica, on_primary(get)())

	def test_dashboard_charts_answer_from_the_replica(self):
		# The workspace's charts are Report charts: the desk asks query_report.run for them
		for name in frappe.get_all("Dashboard Chart", {"module": "Sales Modes"}, pluck="name"):
			chart = frappe.get_doc("Dashboard Chart", name)
			with self.subTest(name):
				self.assertEqual(chart.chart_type, "Report")
				filters = {**json.loads(chart.filters_json), **self.filters}
				with self.replica_use() as moved:
					from_replica = run_report(chart.report_name, json.dumps(filters))
				self.assert_read_on_replica(moved)
				on_the_primary = generate_report_result(frappe.get_doc("Report", chart.report_name), filters)
				self.assertEqual(from_replica["chart"], on_the_primary["chart"])
				self.assertEqual(from_replica["result"], on_the_primary["result"])

	def test_every_number_card_answers_from_the_replica(self):
		"""Custom cards call their method, which must be @frappe.read_only(); Document Type cards go
		through Frappe's number_card.get_result, which v15 runs on the primary (one indexed COUNT):
		proven here to answer the same from the replica too."""
		from frappe.desk.doctype.number_card.number_card import get_result

		cards = frappe.get_all("Number Card", {"module": "Sales Modes"}, pluck="name")
		self.assertTrue(cards)
		for name in cards:
			card = frappe.get_doc("Number Card", name)
			with self.subTest(name):
				if card.type == "Custom":
					method = frappe.get_attr(card.method)
					filters = json.dumps({**json.loads(card.filters_json or "{}"), "company": self.company})
					with self.replica_use() as moved:
						from_replica = method(filters)
					on_the_primary = on_primary(method)(filters)
				else:
					self.assertEqual(card.type, "Document Type")
					filters = json.dumps(
						[
							*json.loads(card.filters_json),
							[card.document_type, "company", "=", self.company, False],
						]
					)
					with self.replica_use() as moved:
						from_replica = frappe.read_only()(get_result)(card.as_json(), filters)
					on_the_primary = get_result(card.as_json(), filters)
				self.assert_read_on_replica(moved)
				self.assertEqual(from_replica, on_the_primary)

	def test_stage_readiness_answers_from_the_replica_but_runs_on_the_primary(self):
		from sales_modes.api import get_stage_readiness

		deals = frappe.get_all(
			"Opportunity", {"company": self.company, "sales_mode": ("is", "set")}, pluck="name", limit=5
		)
		self.assertTrue(deals, "no committed opportunity with a sales mode to read")
		read_only_readiness = frappe.read_only()(get_stage_readiness)
		for deal in deals:
			with self.subTest(deal):
				with self.replica_use() as moved:
					from_replica = read_only_readiness(deal)
				self.assert_read_on_replica(moved)
				with self.replica_use() as moved:
					on_the_primary = get_stage_readiness(deal)
				# Read right after the user's own save: it stays on the primary (docs/architecture.md)
				self.assert_untouched(moved)
				self.assertEqual(from_replica, on_the_primary)

	def test_a_row_only_the_primary_has_is_not_in_what_the_replica_answers(self):
		"""Commit an opportunity on the primary outside the binary log: the replica never gets it."""
		filters = self.report_filters("Stage Funnel by Mode")
		report = frappe.get_doc("Report", "Stage Funnel by Mode")
		before = generate_report_result(report, filters)["result"]
		source = frappe.get_all(
			"Opportunity",
			{"company": self.company, "sales_mode": ("is", "set"), "status": "Open"},
			pluck="name",
			order_by="creation desc",
			limit=1,
		)
		self.assertTrue(source, "no committed open opportunity with a sales mode to copy")
		marker = f"_SM-REPLICA-{frappe.generate_hash(length=8)}"
		# This test's transaction reads its snapshot: end it to see what root commits
		frappe.db.rollback()
		root = connect(
			frappe.conf.db_host, frappe.conf.db_port, "root", frappe.conf.root_password, frappe.conf.db_name
		)
		try:
			self.unlogged(
				root,
				"create temporary table _sm_marker select * from `tabOpportunity` where name = %s",
				(source[0],),
			)
			self.unlogged(root, "update _sm_marker set name = %s", (marker,))
			self.unlogged(root, "insert into `tabOpportunity` select * from _sm_marker")
			self.assertTrue(frappe.db.exists("Opportunity", marker))
			on_the_primary = generate_report_result(report, filters)["result"]
			self.assertNotEqual(on_the_primary, before, "the copied deal changes no figure of the funnel")
			with self.replica_use() as moved:
				from_replica = run_report(report.name, json.dumps(filters), ignore_prepared_report=True)
			self.assert_read_on_replica(moved)
			self.assertEqual(from_replica["result"], before)
		finally:
			self.unlogged(root, "delete from `tabOpportunity` where name = %s", (marker,))
			root.close()
		frappe.db.rollback()
		self.assertEqual(generate_report_result(report, filters)["result"], before)

	@classmethod
	def unlogged(cls, root, sql, args=None):
		"""Run on the primary without writing the binary log: the replica never sees it."""
		cls.query(root, "set session sql_log_bin = 0")
		cls.query(root, sql, args)

	def test_a_stage_move_through_the_gate_never_touches_the_replica(self):
		customer = make_customer("_SM Replica Gate Corp", "Company").name
		with self.replica_use() as moved:
			deal = make_opportunity(customer, sales_mode="B2B", **qualified_b2b_values())
			deal.sales_stage = "Qualification"
			deal.save()
		self.assert_untouched(moved)
		self.assertEqual(
			frappe.db.get_value(
				"Stage Transition", {"opportunity": deal.name, "to_stage": "Qualification"}, "from_stage"
			),
			"Prospecting",
		)

	def test_the_backfill_never_touches_the_replica(self):
		from sales_modes.backfill import run_backfill

		customer = make_customer("_SM Replica Backfill Corp", "Company").name
		frappe.db.set_value("Customer", customer, "sales_mode", None)
		with self.replica_use() as moved:
			run_backfill(commit=False)
		self.assert_untouched(moved)
		self.assertEqual(frappe.db.get_value("Customer", customer, "sales_mode"), "B2B")

	def test_the_replica_refuses_writes(self):
		"""Were a write routed to the replica, it would fail rather than diverge."""
		deal = frappe.get_all("Opportunity", {"company": self.company}, pluck="name", limit=1)[0]

		@frappe.read_only()
		def write_on_replica():
			frappe.db.sql("update `tabOpportunity` set modified = modified where name = %s", deal)

		with self.replica_use(), self.assertRaises(pymysql.err.OperationalError) as raised:
			write_on_replica()
		self.assertEqual(raised.exception.args[0], 1290)  # running with --read-only
