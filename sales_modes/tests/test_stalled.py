"""Stalled-deal alerts: one daily digest per owner, however many deals stalled."""

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import add_days, now_datetime

from sales_modes.stalled import DIGEST_ROWS, STALLED_DEALS_LINK, notify_stalled_deals
from sales_modes.tests import SalesModesTestCase
from sales_modes.tests.factories import make_customer, make_opportunity, make_user

REP = "sm-stall-rep@example.com"
OTHER_REP = "sm-stall-other@example.com"


class TestStalledDigest(SalesModesTestCase):
	def setUp(self):
		make_user(REP, ["Sales User"])
		make_user(OTHER_REP, ["Sales User"])
		self.customer = make_customer("_SM Stall Person", "Individual").name
		frappe.db.delete("Notification Log", {"for_user": ("in", [REP, OTHER_REP])})

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def make_deal(self, owner: str, days_in_stage: int) -> str:
		opportunity = make_opportunity(self.customer, opportunity_owner=owner)
		frappe.db.set_value(
			"Opportunity",
			opportunity.name,
			"stage_entered_on",
			add_days(now_datetime(), -days_in_stage),
			update_modified=False,
		)
		return opportunity.name

	def digests(self, user: str) -> list[dict]:
		return frappe.get_all(
			"Notification Log",
			filters={"for_user": user, "type": "Alert"},
			fields=["subject", "email_content", "link", "document_name"],
		)

	def test_many_stalled_deals_make_one_digest_per_owner(self):
		# B2C Prospecting stalls after 3 days: 30 old deals of one rep, one of another, one fresh deal
		stalled = [self.make_deal(REP, 10 + i) for i in range(DIGEST_ROWS + 10)]
		fresh = self.make_deal(REP, 1)
		other = self.make_deal(OTHER_REP, 5)
		notify_stalled_deals()

		(digest,) = self.digests(REP)
		self.assertEqual(digest.link, STALLED_DEALS_LINK)
		self.assertIn(str(len(stalled)), digest.subject)
		listed = [name for name in stalled if name in digest.email_content]
		self.assertEqual(len(listed), DIGEST_ROWS)
		# The longest-stalled first; the rest counted, not listed
		self.assertIn(stalled[-1], digest.email_content)
		self.assertNotIn(fresh, digest.email_content)
		self.assertIn("10", digest.email_content.rsplit("<li>", 1)[1])

		(other_digest,) = self.digests(OTHER_REP)
		self.assertIn(other, other_digest.email_content)

	def test_a_second_run_on_the_same_day_sends_nothing(self):
		self.make_deal(REP, 5)
		notify_stalled_deals()
		notify_stalled_deals()
		self.assertEqual(len(self.digests(REP)), 1)

	def test_the_digest_speaks_the_owners_language(self):
		frappe.db.set_value("User", REP, "language", "zh")
		self.make_deal(REP, 5)
		notify_stalled_deals()
		(digest,) = self.digests(REP)
		self.assertEqual(digest.subject, "您有一个商机已停滞")

	@change_settings("Sales Modes Settings", {"stall_alerts_enabled": 0})
	def test_alerts_can_be_switched_off(self):
		self.make_deal(REP, 10)
		notify_stalled_deals()
		self.assertEqual(self.digests(REP), [])
