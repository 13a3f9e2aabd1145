"""Bench tests of the demo: real flow and bulk, marking, the modes' differences, and --clear.

Everything runs in the test transaction, rolled back at the end: a demo already on the site is
cleared inside the test and comes back afterwards.
"""

import statistics
from datetime import date

import frappe

from sales_modes import pipelines, sale_ledger
from sales_modes.core import gates
from sales_modes.core.deal_states import CONVERTED, LOST_EVENT, OPEN, STAGE_CHANGE, WON, status_event
from sales_modes.demo import bulk, generator, rules
from sales_modes.demo.clear import clear_demo
from sales_modes.demo.common import DEMO_USER, site_plan
from sales_modes.expressions import evaluate_expression
from sales_modes.gate import unmet_messages
from sales_modes.pipelines import doc_values, get_pipeline
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import make_customer, make_opportunity

TODAY = date(2026, 6, 30)


def counter(opportunity: str) -> dict:
	"""The gate's count of a deal's submitted documents, where the engine has such rules."""
	document_counter = getattr(pipelines, "document_counter", None)
	return (
		{"count_documents": document_counter(opportunity)} if document_counter else {}
	)  # a fixed end date: the same plan, whenever the test runs


CHECKED = (
	"Lead",
	"Customer",
	"Contact",
	"Opportunity",
	"Quotation",
	"Sales Order",
	"Sales Invoice",
	"Stage Transition",
	"GL Entry",
	"Payment Ledger Entry",
	"Buying Committee Member",
	"Sales Invoice Item",
)


def others() -> dict[str, int]:
	"""Rows not owned by the demo user, per doctype."""
	return {d: frappe.db.count(d, {"owner": ("!=", DEMO_USER)}) for d in CHECKED}


def demo_rows_anywhere() -> dict[str, int]:
	"""Every table with an owner column: rows still owned by the demo user."""
	tables = frappe.db.sql(
		"""SELECT table_name FROM information_schema.columns
		WHERE table_schema = DATABASE() AND column_name = 'owner' AND table_name LIKE 'tab%%'"""
	)
	left = {}
	for (table,) in tables:
		n = frappe.db.sql(f"SELECT COUNT(*) FROM `{table}` WHERE owner = %s", DEMO_USER)[0][0]
		if n:
			left[table] = n
	return left


def mode_figures() -> dict[str, dict]:
	"""Per mode: median won deal, median days to win, committee size, repeat-purchase rate."""
	figures = {}
	for mode in ("B2B", "B2C"):
		won = frappe.db.sql(
			"""SELECT o.opportunity_amount,
				TIMESTAMPDIFF(SECOND, o.creation, MIN(st.transitioned_on)) / 86400
			FROM `tabOpportunity` o JOIN `tabStage Transition` st
				ON st.opportunity = o.name AND st.event = %s
			WHERE o.owner = %s AND o.sales_mode = %s GROUP BY o.name""",
			(WON, DEMO_USER, mode),
		)
		committee = frappe.db.sql(
			"""SELECT COUNT(b.name) FROM `tabOpportunity` o
			LEFT JOIN `tabBuying Committee Member` b ON b.parent = o.name AND b.parenttype = 'Opportunity'
			WHERE o.owner = %s AND o.sales_mode = %s AND o.status = %s GROUP BY o.name""",
			(DEMO_USER, mode, CONVERTED),
		)
		buyers = frappe.db.sql(
			"""SELECT COUNT(*) FROM `tabSales Invoice` WHERE owner = %s AND sales_mode = %s AND docstatus = 1
			GROUP BY customer""",
			(DEMO_USER, mode),
		)
		figures[mode] = {
			"won": len(won),
			"deal": statistics.median([w[0] for w in won]) if won else 0,
			"days": statistics.median([w[1] for w in won]) if won else 0,
			"committee": statistics.median([c[0] for c in committee]) if committee else 0,
			"repeat": sum(1 for b in buyers if b[0] > 1) / len(buyers) if buyers else 0,
		}
	return figures


class TestDemo(SalesModesTestCase):
	def setUp(self):
		clear_demo()
		self.customer = make_customer("_Test Demo Bystander", customer_type="Company")
		self.opportunity = make_opportunity(self.customer.name, sales_stage="Prospecting")
		self.before = others()

	def tearDown(self):
		frappe.set_user("Administrator")

	def assert_marked_and_cleared(self):
		self.assertEqual(others(), self.before, "every record the demo made is owned by the demo user")
		clear_demo()
		self.assertEqual(demo_rows_anywhere(), {})
		self.assertFalse(frappe.db.exists("User", DEMO_USER))
		self.assertEqual(others(), self.before, "clear removes nothing but demo records")
		self.assertTrue(frappe.db.exists("Customer", self.customer.name))
		self.assertTrue(frappe.db.exists("Opportunity", self.opportunity.name))

	def assert_deals_meet_their_rules(self, plan, names: dict[int, str], documents_written=True) -> None:
		"""Every demo deal, read back, against the gate engine and this site's Sales Mode records: it
		meets every rule of its stage and the stages before (and of its win or loss), except where
		its log shows a manager's override for that stage listing exactly what the engine finds
		missing; and its log is the plan's walk, step by step."""
		self.assertEqual(len(names), plan.counts.opportunities)
		overridden = 0
		for index, name in names.items():
			opp = plan.opportunity(index)
			doc = frappe.get_doc("Opportunity", name)
			pipeline = get_pipeline(doc.sales_mode)
			values = doc_values(doc)
			self.assertEqual(
				(doc.sales_mode, doc.sales_stage, doc.status), (opp.mode, opp.steps[-1].stage, opp.status)
			)
			log = frappe.get_all(
				"Stage Transition",
				{"opportunity": name, "event": STAGE_CHANGE},
				["to_stage", "gate_overridden", "unmet_requirements"],
				order_by="transitioned_on asc, creation asc",
			)
			self.assertEqual(
				[(row.to_stage, row.gate_overridden, row.unmet_requirements) for row in log],
				[(s.stage, int(s.overridden), "\n".join(unmet_messages(s.unmet)) or None) for s in opp.steps],
			)
			missing = gates.unmet(
				rules.stage_requirements(pipeline, doc.sales_stage), values, evaluate_expression
			)
			if missing:
				self.assertEqual(log[-1].gate_overridden, 1, name)
				self.assertEqual(log[-1].unmet_requirements.split("\n"), unmet_messages(missing))
				overridden += 1
			event = status_event(OPEN, doc.status)
			outcome = gates.unmet(
				rules.outcome_requirements(pipeline, event), values, evaluate_expression, **counter(name)
			)
			if documents_written:
				self.assertEqual(outcome, [], name)
			else:  # the bulk load writes no quotations or sales orders: only those rules may be unmet
				self.assertEqual([r for r in outcome if r.check_type != gates.SUBMITTED_DOCUMENTS], [], name)
		overrides = sum(1 for i in names for s in plan.opportunity(i).steps if s.overridden)
		self.assertTrue(overrides, "some moves were forced through by a manager")
		self.assertLessEqual(overridden, overrides)

	def test_real_flow(self):
		# How long it takes is the benchmark's business (docs/benchmarks.md), not a test's
		plan = site_plan(seed=2, scale=0.5, today=TODAY)
		flow = generator.RealFlowGenerator(plan)
		flow.run()
		self.assert_deals_meet_their_rules(plan, flow.opportunities)

		counts = {d: frappe.db.count(d, {"owner": DEMO_USER}) for d in ("Lead", "Customer", "Opportunity")}
		self.assertEqual(counts, {"Lead": 16, "Customer": 18, "Opportunity": 12})
		self.assertTrue(frappe.db.count("Sales Invoice", {"owner": DEMO_USER, "docstatus": 1}))
		self.assertTrue(frappe.db.count("GL Entry", {"owner": DEMO_USER}))
		# The gates ran: B2B deals walked every stage; overrides and disqualifications are logged
		won_b2b = frappe.get_all(
			"Opportunity", {"owner": DEMO_USER, "sales_mode": "B2B", "status": CONVERTED}, pluck="name"
		)
		self.assertTrue(won_b2b)
		stages = frappe.get_all(
			"Stage Transition",
			{"opportunity": won_b2b[0], "event": STAGE_CHANGE},
			pluck="to_stage",
			order_by="transitioned_on asc",
		)
		self.assertEqual(len(stages), 8)
		# Qualified leads passed the lead gate; they are the ones that became customers
		self.assertEqual(
			frappe.db.count("Lead", {"owner": DEMO_USER, "qualification_status": "Qualified"}), 9
		)
		self.assertEqual(frappe.db.count("Customer", {"owner": DEMO_USER, "lead_name": ("is", "set")}), 9)
		figures = mode_figures()
		self.assertGreater(figures["B2B"]["deal"], 10 * figures["B2C"]["deal"])
		self.assertGreater(figures["B2B"]["days"], 7)
		self.assertLess(figures["B2C"]["days"], 3)
		self.assert_marked_and_cleared()

	def test_bulk(self):
		plan = site_plan(seed=3, scale=3)
		loader = bulk.BulkGenerator(plan)
		loader.run(with_indexes=False)
		summary = loader.summary()
		self.assert_deals_meet_their_rules(
			plan,
			{i: loader.opportunity_name(i) for i in range(plan.counts.opportunities)},
			documents_written=False,
		)
		self.assertEqual(summary["Customer"], 600)
		self.assertEqual(summary["Opportunity"], 300)
		self.assertEqual(summary["Lead"], 450)
		self.assertGreater(summary["Sales Invoice"], 2000)
		figures = mode_figures()
		b2b, b2c = figures["B2B"], figures["B2C"]
		self.assertGreater(b2b["deal"], 50 * b2c["deal"], "B2B deals are much larger")
		self.assertGreater(b2b["days"], 20 * b2c["days"], "B2B cycles are much longer")
		self.assertGreaterEqual(b2b["committee"], 2, "B2B wins have a buying committee")
		self.assertEqual(b2c["committee"], 0)
		self.assertGreater(b2c["repeat"], b2b["repeat"] + 0.2, "B2C customers buy again more often")
		# Stages and statuses agree: every won deal has its win logged once, after its stages
		self.assertEqual(
			frappe.db.count("Stage Transition", {"owner": DEMO_USER, "event": WON}),
			frappe.db.count("Opportunity", {"owner": DEMO_USER, "status": CONVERTED}),
		)
		# ... and dated at its close date, which the reports place wins and losses by
		closes = frappe.db.sql(
			"""SELECT COUNT(*), SUM(o.closed_on = DATE(t.transitioned_on)) FROM `tabOpportunity` o
			JOIN `tabStage Transition` t ON t.opportunity = o.name AND t.event IN (%s, %s)
			WHERE o.owner = %s""",
			(WON, LOST_EVENT, DEMO_USER),
		)[0]
		self.assertGreater(closes[0], 0)
		self.assertEqual(closes[0], closes[1])
		# The invoices went in with SQL: the load rebuilt the sale ledger from them
		self.assertEqual(sale_ledger.differences(), [])
		self.assertTrue(sale_ledger.is_ready())
		self.assert_marked_and_cleared()
		self.assertEqual(sale_ledger.differences(), [], "clear leaves no ledger row of a demo invoice")
