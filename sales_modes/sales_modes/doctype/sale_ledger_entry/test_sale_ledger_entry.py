"""The sale ledger, kept by the hooks, equals a recomputation from the invoices after randomized
submits, cancels, returns, amendments, backdated sales, POS sales, a POS closing and a customer
merge; and the sales figures read from it equal the figures read from the invoices."""

import os
import random
import threading
from datetime import date, timedelta

import frappe
from frappe.utils import getdate

from sales_modes import sale_ledger
from sales_modes.core.sale_ledger import Entry, link
from sales_modes.figures import sales
from sales_modes.reports import get_filters
from sales_modes.tests import SalesModesTestCase, report_data
from sales_modes.tests import sales_data as pos
from sales_modes.tests.factories import get_company, make_customer, make_sales_invoice, make_user

PREFIX = "_SM Ledger Test "


def cohort_rows(rows) -> list[tuple]:
	return sorted((r.sales_mode, int(r.cohort), int(r.offset), int(r.customers)) for r in rows)


YEAR = 2003  # a year no other test dataset uses
OPERATIONS = int(os.environ.get("SALES_MODES_LEDGER_OPERATIONS", 45))
SEED = int(os.environ.get("SALES_MODES_LEDGER_SEED", 20261130))


def day(offset: int) -> date:
	return date(YEAR, 1, 1) + timedelta(days=offset)


class TestSaleLedger(SalesModesTestCase):
	@classmethod
	def setUpClass(cls):
		# Runs after the rollback of the class's data: the reader's Custom DocPerm leaves the cache
		cls.addClassCleanup(pos.clear_invoice_reader)
		super().setUpClass()
		cls.company = get_company()
		report_data.make_fiscal_years(cls.company, (2002, YEAR))
		cls.customers = [
			make_customer(PREFIX + name, kind).name
			for name, kind in (("K", "Company"), ("L", "Company"), ("N", "Individual"), ("M", "Individual"))
		]
		cls.walk_in = make_customer(PREFIX + "W", "Individual").name
		cls.profile = pos.make_pos_profile(cls.company, cls.walk_in)
		pos.open_pos_day(cls.company, cls.profile)

	def tearDown(self):
		frappe.set_user("Administrator")

	# What the ledger should hold, from the invoices alone
	def expected(self) -> dict[str, tuple]:
		rows = []
		for voucher_type in sale_ledger.VOUCHER_TYPES:
			consolidated = {"is_consolidated": 0} if voucher_type == "Sales Invoice" else {}
			for r in frappe.get_all(
				voucher_type,
				filters={"docstatus": 1, "customer": ("in", self.all_customers()), **consolidated},
				fields=[
					"name",
					"company",
					"customer",
					"sales_mode",
					"posting_date",
					"is_return",
					"base_net_total",
				],
			):
				rows.append(
					Entry(
						sale_ledger.entry_name(voucher_type, r.name),
						r.company,
						r.customer,
						r.sales_mode,
						getdate(r.posting_date),
						bool(r.is_return),
						float(r.base_net_total),
					)
				)
		# The rebuild orders a day's sales by name in the database's collation: so does this
		ordered = {name: i for i, name in enumerate(self.names_in_collation([e.name for e in rows]))}
		linked = link(Entry(f"{ordered[e.name]:06}", *self.fields(e)[1:]) for e in rows)
		names = {f"{i:06}": name for name, i in ordered.items()}
		return {
			names[e.name]: (
				*self.fields(e)[1:],
				e.previous_sale if not e.is_return else None,
				e.next_sale if not e.is_return else None,
				e.customer_first_sale,
			)
			for e in linked
		}

	@staticmethod
	def fields(e: Entry) -> tuple:
		return (e.name, e.company, e.customer, e.mode, e.day, e.is_return, round(e.amount, 2))

	@staticmethod
	def names_in_collation(names: list[str]) -> list[str]:
		if not names:
			return []
		return frappe.db.sql_list(
			"SELECT name FROM (SELECT %s AS name {}) t ORDER BY name COLLATE utf8mb4_unicode_ci".format(
				" ".join("UNION ALL SELECT %s" for _ in names[1:])
			),
			names,
		)

	def held(self) -> dict[str, tuple]:
		return {
			r.name: (
				r.company,
				r.customer,
				r.sales_mode,
				getdate(r.posting_date),
				bool(r.is_return),
				round(float(r.base_net_total), 2),
				r.previous_sale_date,
				r.next_sale_date,
				r.customer_first_sale_date,
			)
			for r in frappe.get_all(
				sale_ledger.LEDGER,
				filters={"customer": ("in", self.all_customers())},
				fields=["name", *sale_ledger.COPIED, *sale_ledger.HISTORY],
			)
		}

	def all_customers(self) -> list[str]:
		return [*self.customers, self.walk_in]

	def assert_ledger_exact(self, after: str) -> None:
		self.assertEqual(self.held(), self.expected(), f"ledger after {after} (seed {SEED})")

	def assert_figures_agree(self, rng: random.Random, after: str) -> None:
		"""The ledger's figures equal both plans over the invoices, over random periods and modes."""
		for _i in range(3):
			start = day(rng.randint(-40, 300))
			end = start + timedelta(days=rng.randint(0, 200))
			mode = rng.choice((None, None, "B2B", "B2C"))
			filters = get_filters(
				{"company": self.company, "from_date": start, "to_date": end, "sales_mode": mode}
			)
			self.assertTrue(sales.ledger_applies(filters))
			with self.subTest(after=after, start=start, end=end, mode=mode, seed=SEED):
				from_ledger = sales.mode_figures_from_ledger(filters)
				self.assertEqual(from_ledger, sales.mode_figures(filters, sales.per_customer_probing))
				if not mode:
					self.assertEqual(from_ledger, sales.mode_figures(filters, sales.per_customer_single_pass))
				horizon = rng.randint(1, 12)
				self.assertEqual(
					cohort_rows(sales.cohort_activity_from_ledger(filters, horizon)),
					cohort_rows(sales.cohort_activity_joined(filters, horizon)),
				)

	# The randomized history
	def test_randomized_history_keeps_the_ledger_exact(self):
		rng = random.Random(SEED)
		submitted: list = []  # sales and returns that may still be cancelled, in order

		def sale(posting: date, **kwargs):
			customer = kwargs.pop("customer", rng.choice(self.customers))
			if rng.random() < 0.25:
				kwargs["sales_mode"] = rng.choice(("B2B", "B2C"))  # chosen against the party's
			doc = make_sales_invoice(
				customer, rate=rng.choice((50, 120, 400)), posting_date=posting, due_date=posting, **kwargs
			)
			submitted.append(doc)
			return doc

		operations = {
			"sale": lambda: sale(day(rng.randint(0, 330))),
			"same-day sale": lambda: sale(rng.choice(submitted).posting_date) if submitted else None,
			"backdated sale": lambda: sale(day(rng.randint(-60, -1))),
			"return": self.random_return,
			"cancel": lambda: self.random_cancel(rng, submitted),
			"amend": lambda: self.random_amend(rng, submitted),
		}
		weights = {"sale": 8, "same-day sale": 2, "backdated sale": 1, "return": 2, "cancel": 2, "amend": 2}
		self.rng, self.submitted = rng, submitted
		for i in range(OPERATIONS):
			name = rng.choices(list(weights), list(weights.values()))[0]
			operations[name]()
			self.assert_ledger_exact(f"operation {i} ({name})")
			if i % 9 == 8:
				self.assert_figures_agree(rng, f"operation {i}")

		# A POS day, with a return, and its closing (consolidated invoices are not counted)
		shop = [pos.pos_invoice(self.profile, c, 30, t) for c, t in ((self.walk_in, "10:00"),
			(self.customers[2], "11:00"), (self.walk_in, "12:00"))]  # fmt: skip
		pos.pos_return(shop[1], "13:00")
		self.assert_ledger_exact("the POS day")
		pos.consolidate(shop)
		self.assert_ledger_exact("the POS closing")
		self.assert_figures_agree(rng, "the POS closing")

		# A customer merged into another: their histories interleave
		frappe.rename_doc("Customer", self.customers[3], self.customers[2], merge=True, force=True)
		self.customers.pop(3)
		self.assert_ledger_exact("a customer merge")
		self.assert_figures_agree(rng, "a customer merge")

		# A rebuild from scratch writes exactly what the hooks kept
		kept = self.held()
		sale_ledger.rebuild(self.all_customers(), commit=False)
		self.assertEqual(self.held(), kept)

	def random_return(self):
		sales_ = [d for d in self.submitted if not d.is_return and d.docstatus == 1]
		if not sales_:
			return
		original = self.rng.choice(sales_)
		if frappe.db.exists("Sales Invoice", {"return_against": original.name, "docstatus": 1}):
			return
		posting = getdate(original.posting_date) + timedelta(days=self.rng.randint(0, 20))
		self.submitted.append(report_data.sales_return(original, posting))

	def cancellable(self):
		"""Submitted invoices no submitted return points at."""
		return [
			d
			for d in self.submitted
			if frappe.db.get_value("Sales Invoice", d.name, "docstatus") == 1
			and not frappe.db.exists("Sales Invoice", {"return_against": d.name, "docstatus": 1})
		]

	def random_cancel(self, rng, submitted):
		candidates = self.cancellable()
		if candidates:
			doc = frappe.get_doc("Sales Invoice", rng.choice(candidates).name)
			doc.cancel()
			submitted.remove(next(d for d in submitted if d.name == doc.name))

	def random_amend(self, rng, submitted):
		"""Cancel and amend, on another day (the amendment is a new sale of the same customer)."""
		candidates = [d for d in self.cancellable() if not d.is_return]
		if not candidates:
			return
		doc = frappe.get_doc("Sales Invoice", rng.choice(candidates).name)
		doc.cancel()
		submitted.remove(next(d for d in submitted if d.name == doc.name))
		amended = frappe.copy_doc(doc)
		amended.docstatus = 0
		amended.amended_from = doc.name
		amended.posting_date = amended.due_date = day(rng.randint(-30, 330))
		amended.set("payment_schedule", [])  # made anew from the new date
		amended.insert()
		amended.submit()
		submitted.append(amended)

	# The reports leave the ledger when it may be wrong
	def test_invoices_written_past_the_hooks_send_the_reports_back_to_the_invoices(self):
		# The class's other tests read the ledger whole: this one's changes are undone after it
		frappe.db.savepoint("past_the_hooks")
		self.addCleanup(frappe.db.rollback, save_point="past_the_hooks")
		invoice = make_sales_invoice(self.customers[0], posting_date=day(5), due_date=day(5))
		filters = get_filters({"company": self.company, "from_date": day(0), "to_date": day(30)})
		self.assertTrue(sales.ledger_applies(filters))
		self.assertEqual(sale_ledger.differences(), [])
		other = "B2C" if invoice.sales_mode == "B2B" else "B2B"
		frappe.db.set_value("Sales Invoice", invoice.name, "sales_mode", other, update_modified=False)
		self.assertTrue(sale_ledger.differences())
		sale_ledger.daily_check()
		self.assertFalse(sale_ledger.is_ready())
		self.assertFalse(sales.ledger_applies(filters))
		self.assertIn(other, sales.mode_figures(filters))  # read from the invoices
		# A backfill follows the invoices' modes, customer by customer
		self.assertEqual(sale_ledger.follow_invoice_modes(commit=False), 1)
		self.assertEqual(sale_ledger.differences(), [])
		self.assertEqual(self.held(), self.expected())

	def test_restricted_users_and_territory_filters_read_the_invoices(self):
		filters = get_filters(
			{"company": self.company, "territory": frappe.db.get_value("Territory", {"is_group": 1})}
		)
		self.assertFalse(sales.ledger_applies(filters))
		frappe.set_user(pos.make_invoice_reader())  # may read Sales Invoices, not POS Invoices
		self.assertFalse(sales.ledger_applies(get_filters({"company": self.company})))

	def test_a_customer_is_counted_once_a_month_in_their_cohort(self):
		"""Two sales in January (the second on its last day) and one on 1 February: January's
		cohort has one customer, active in month 1 once."""
		n = make_customer(PREFIX + "Cohort", "Individual").name
		for posting in ("2003-01-10", "2003-01-31", "2003-02-01"):
			make_sales_invoice(n, posting_date=posting, due_date=posting)
		filters = get_filters({"company": self.company, "from_date": "2003-01-01", "to_date": "2003-01-31"})
		mode = frappe.db.get_value("Customer", n, "sales_mode")
		january = getdate("2003-01-01").year * 12
		found = [row for row in cohort_rows(sales.cohort_activity_from_ledger(filters, 12)) if row[0] == mode]
		mine = [(mode, january, 0, 1), (mode, january, 1, 1)]
		self.assertTrue(set(mine) <= set(found), found)
		self.assertEqual(
			cohort_rows(sales.cohort_activity_from_ledger(filters, 12)),
			cohort_rows(sales.cohort_activity_joined(filters, 12)),
		)

	def test_a_cancelled_first_sale_moves_the_customer_first_sale(self):
		k = self.customers[1]
		first = make_sales_invoice(k, posting_date=day(10), due_date=day(10))
		make_sales_invoice(k, posting_date=day(40), due_date=day(40), sales_mode="B2C")
		make_sales_invoice(k, posting_date=day(20), due_date=day(20), sales_mode="B2B")
		firsts = set(frappe.get_all(sale_ledger.LEDGER, {"customer": k}, pluck="customer_first_sale_date"))
		self.assertEqual(firsts, {day(10)})
		first.reload()
		first.cancel()
		firsts = set(frappe.get_all(sale_ledger.LEDGER, {"customer": k}, pluck="customer_first_sale_date"))
		self.assertEqual(firsts, {day(20)})
		self.assertEqual(self.held(), self.expected())

	# Who may see the ledger: it shows every customer's sales, so readers of all invoices only
	def test_a_sales_user_may_not_read_the_ledger(self):
		make_sales_invoice(self.customers[0], posting_date=day(3), due_date=day(3))
		frappe.set_user(make_user("_sm_ledger_rep@example.com", ["Sales User"]))
		self.assertFalse(frappe.has_permission(sale_ledger.LEDGER, "read"))
		with self.assertRaises(frappe.PermissionError):
			frappe.get_list(sale_ledger.LEDGER, limit=1)

	def test_a_sales_manager_reads_but_never_writes_the_ledger(self):
		invoice = make_sales_invoice(self.customers[0], posting_date=day(4), due_date=day(4))
		name = sale_ledger.entry_name("Sales Invoice", invoice.name)
		frappe.set_user(make_user("_sm_ledger_manager@example.com", ["Sales Manager"]))
		self.assertEqual(frappe.get_list(sale_ledger.LEDGER, filters={"name": name}, pluck="name"), [name])
		entry = frappe.get_doc(sale_ledger.LEDGER, name)
		entry.base_net_total = 1
		for attempt in (
			entry.save,
			entry.delete,
			lambda: frappe.get_doc({**entry.as_dict(), "name": None, "voucher_no": "FORGED"}).insert(),
		):
			with self.assertRaises(frappe.PermissionError):
				attempt()
		frappe.set_user("Administrator")
		self.assertEqual(self.held(), self.expected())


class TestConcurrentSubmits(SalesModesTestCase):
	"""Two sessions submitting one customer's invoices at once leave the ledger exact: each change
	locks the customer's row, so neither relinks neighbours the other is moving."""

	INVOICES = 12

	def setUp(self):
		# Each session has its own connection: the drafts must be committed for both to see them
		self.customer = make_customer(PREFIX + "Concurrent", "Company").name
		today = getdate()
		self.invoices = [
			make_sales_invoice(
				self.customer, submit=False, posting_date=today - timedelta(days=d), due_date=today
			).name
			for d in random.Random(SEED).choices(range(30), k=self.INVOICES)
		]
		frappe.db.commit()  # nosemgrep: the other sessions must see the drafts
		self.addCleanup(self.remove)

	def remove(self):
		frappe.db.rollback()
		for name in self.invoices:
			doc = frappe.get_doc("Sales Invoice", name)
			if doc.docstatus == 1:
				doc.cancel()
			frappe.delete_doc("Sales Invoice", name, force=True, ignore_permissions=True)
		frappe.delete_doc("Customer", self.customer, force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep
		self.assertFalse(frappe.db.exists(sale_ledger.LEDGER, {"customer": self.customer}))

	def in_sessions(self, *work) -> None:
		"""Run each callable in a session (thread, connection) of its own, started together."""
		site, sites_path = frappe.local.site, frappe.local.sites_path
		start = threading.Barrier(len(work))
		errors = []

		def session(fn):
			frappe.init(site=site, sites_path=sites_path)
			frappe.connect()
			try:
				frappe.set_user("Administrator")
				start.wait()
				fn()
			except Exception as error:
				errors.append(error)
			finally:
				frappe.destroy()

		threads = [threading.Thread(target=session, args=(fn,)) for fn in work]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join()
		self.assertEqual(errors, [])
		frappe.db.rollback()  # a fresh snapshot: what the sessions committed

	def submit(self, names):
		for name in names:
			frappe.get_doc("Sales Invoice", name).submit()
			frappe.db.commit()  # nosemgrep: each submit is its own request

	def assert_exact(self):
		ledger = TestSaleLedger("held")
		ledger.customers, ledger.walk_in = [self.customer], self.customer
		self.assertEqual(len(ledger.held()), self.INVOICES)
		self.assertEqual(ledger.held(), ledger.expected())

	def test_two_sessions_submitting_one_customers_invoices(self):
		self.in_sessions(lambda: self.submit(self.invoices[0::2]), lambda: self.submit(self.invoices[1::2]))
		self.assert_exact()

	def test_cancels_in_one_session_while_another_submits(self):
		self.submit(self.invoices[0::2])

		def cancel(names):
			for name in names:
				frappe.get_doc("Sales Invoice", name).cancel()
				frappe.db.commit()  # nosemgrep: each cancel is its own request

		self.in_sessions(lambda: cancel(self.invoices[0::2]), lambda: self.submit(self.invoices[1::2]))
		ledger = TestSaleLedger("held")
		ledger.customers, ledger.walk_in = [self.customer], self.customer
		self.assertEqual(len(ledger.held()), len(self.invoices[1::2]))
		self.assertEqual(ledger.held(), ledger.expected())

	def test_submits_while_a_rebuild_rewrites_the_customer(self):
		submitted, rebuilds = threading.Event(), []

		def submit_all():
			try:
				self.submit(self.invoices)
			finally:
				submitted.set()

		def rebuild_until_submitted():
			while not submitted.is_set():
				rebuilds.append(sale_ledger.rebuild([self.customer]))  # commits

		self.in_sessions(submit_all, rebuild_until_submitted)
		self.assertGreater(len(rebuilds), 3)
		self.assert_exact()
