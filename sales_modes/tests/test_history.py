"""Install over history: close dates, stage entry times and reconstructed events, idempotent.

The deals are made through ERPNext's own flows, then put back as they were before the app was
installed (no close date, no entry time, no Won/Lost event, older timestamps).
"""

import frappe
from frappe.custom.doctype.property_setter.property_setter import make_property_setter
from frappe.utils import get_datetime, getdate

from sales_modes.history import install_over_history
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import (
	convert_to_sales_order,
	make_customer,
	make_opportunity,
	make_quotation,
)
from sales_modes.tests.test_close_date import lose


def as_before_install(opportunity: str, modified: str) -> None:
	"""What a deal looked like on a site without the app: no app fields, no log, its last change."""
	frappe.db.sql(
		"""UPDATE `tabOpportunity` SET closed_on = NULL, stage_entered_on = NULL, modified = %s
		WHERE name = %s""",
		(modified, opportunity),
	)
	frappe.db.delete("Stage Transition", {"opportunity": opportunity})


def transitions(opportunity: str) -> list[dict]:
	return frappe.get_all(
		"Stage Transition",
		filters={"opportunity": opportunity},
		fields=["event", "transitioned_on", "reconstructed", "sales_mode", "to_stage", "to_phase", "status"],
	)


class TestInstallOverHistory(SalesModesTestCase):
	def setUp(self):
		self.person = make_customer("_SM History Person", "Individual").name

	def tearDown(self):
		frappe.db.rollback()
		frappe.clear_cache(doctype="Opportunity")

	def test_closed_and_open_deals_get_dates_and_events_once(self):
		won = make_opportunity(self.person).name
		_quotation, order = convert_to_sales_order(won)
		frappe.db.set_value("Sales Order", order.name, "transaction_date", "2024-05-06")
		# A quotation linked through the header field and never ordered: the first one counts
		quoted_won = make_opportunity(self.person).name
		first = make_quotation(self.person, submit=True, opportunity=quoted_won)
		frappe.db.set_value("Quotation", first.name, "transaction_date", "2024-02-01")
		frappe.db.set_value("Opportunity", quoted_won, "status", "Converted")
		lost = make_opportunity(self.person).name
		lose(lost)
		open_deal = make_opportunity(self.person).name
		for name, modified in (
			(won, "2024-06-01 09:00:00"),
			(quoted_won, "2024-07-01 09:00:00"),
			(lost, "2024-03-09 16:30:00"),
			(open_deal, "2024-04-02 11:15:00"),
		):
			as_before_install(name, modified)

		install_over_history()

		# Won through ERPNext's flow: the first submitted order's date, not the last change
		self.assertEqual(frappe.db.get_value("Opportunity", won, "closed_on"), getdate("2024-05-06"))
		self.assertEqual(frappe.db.get_value("Opportunity", quoted_won, "closed_on"), getdate("2024-02-01"))
		# Opportunity keeps no Versions by default: a lost deal closed on its last change
		self.assertEqual(frappe.db.get_value("Opportunity", lost, "closed_on"), getdate("2024-03-09"))
		self.assertEqual(
			frappe.db.get_value("Opportunity", open_deal, "stage_entered_on"),
			get_datetime("2024-04-02 11:15:00"),
		)
		self.assertIsNone(frappe.db.get_value("Opportunity", open_deal, "closed_on"))

		(won_event,) = transitions(won)
		self.assertEqual(
			(won_event.event, won_event.transitioned_on, won_event.reconstructed, won_event.status),
			("Won", get_datetime("2024-05-06"), 1, "Converted"),
		)
		self.assertEqual(
			(won_event.sales_mode, won_event.to_stage, won_event.to_phase),
			("B2C", "Prospecting", "Awareness"),
		)
		(lost_event,) = transitions(lost)
		self.assertEqual((lost_event.event, lost_event.transitioned_on), ("Lost", get_datetime("2024-03-09")))
		self.assertEqual(transitions(open_deal), [])

		count = frappe.db.count("Stage Transition", {"reconstructed": 1})
		install_over_history()
		self.assertEqual(frappe.db.count("Stage Transition", {"reconstructed": 1}), count)
		self.assertEqual(frappe.db.get_value("Opportunity", lost, "closed_on"), getdate("2024-03-09"))

	def test_deals_with_a_won_or_lost_event_keep_it_and_close_on_its_day(self):
		lost = make_opportunity(self.person).name
		lose(lost)
		(event,) = [t for t in transitions(lost) if t.event != "Stage Change"]
		# A site that ran the app before close dates: the logged event is the evidence
		frappe.db.sql(
			"UPDATE `tabOpportunity` SET closed_on = NULL, modified = '2024-01-05' WHERE name = %s", lost
		)
		frappe.db.set_value(
			"Stage Transition",
			{"opportunity": lost, "event": "Lost"},
			"transitioned_on",
			"2024-02-06 17:00:00",
		)
		install_over_history()
		self.assertEqual(frappe.db.get_value("Opportunity", lost, "closed_on"), getdate("2024-02-06"))
		(event,) = [t for t in transitions(lost) if t.event != "Stage Change"]
		self.assertEqual((event.event, event.reconstructed), ("Lost", 0))

	def test_tracked_opportunities_use_their_versions(self):
		make_property_setter("Opportunity", None, "track_changes", 1, "Check", for_doctype=True)
		frappe.clear_cache(doctype="Opportunity")
		deal = make_opportunity(self.person)
		deal.sales_stage = "Proposal/Price Quote"
		deal.contact_email = "buyer@example.com"
		# The test runner skips Versions unless asked for them
		deal.save(ignore_version=False)
		lost = make_opportunity(self.person)
		lost.status = "Lost"
		lost.save(ignore_version=False)
		lost = lost.name
		frappe.db.sql(
			"""UPDATE `tabVersion` SET creation = %s WHERE ref_doctype = 'Opportunity' AND docname = %s""",
			("2024-08-08 08:00:00", deal.name),
		)
		frappe.db.sql(
			"""UPDATE `tabVersion` SET creation = %s WHERE ref_doctype = 'Opportunity' AND docname = %s""",
			("2024-09-09 09:00:00", lost),
		)
		as_before_install(deal.name, "2024-10-10 10:00:00")
		as_before_install(lost, "2024-11-11 11:00:00")

		install_over_history()

		self.assertEqual(
			frappe.db.get_value("Opportunity", deal.name, "stage_entered_on"),
			get_datetime("2024-08-08 08:00:00"),
		)
		self.assertEqual(frappe.db.get_value("Opportunity", lost, "closed_on"), getdate("2024-09-09"))
