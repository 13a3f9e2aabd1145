"""Stalled deals: open opportunities that stayed in a stage longer than its stall_after_days."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Coalesce, UnixTimestamp
from frappe.utils import get_datetime, now_datetime, today

from sales_modes.core.deal_states import OPEN_STATUSES
from sales_modes.settings import get_settings


def days_in_stage(stage_entered_on, as_of=None) -> int:
	"""Whole days a deal has been in its stage: elapsed time, not calendar days (09:00 to 08:59 the
	next day is 0). The report, the alert and their tests all count with this."""
	return (get_datetime(as_of or now_datetime()) - get_datetime(stage_entered_on)).days


def stalled_deals_query(as_of=None):
	"""One row per stalled open opportunity, joined to its stage's row in its mode's pipeline."""
	opportunity, stage = DocType("Opportunity"), DocType("Sales Mode Stage")
	as_of_ts = int(get_datetime(as_of or now_datetime()).timestamp())
	entered = Coalesce(opportunity.stage_entered_on, opportunity.creation)
	return (
		frappe.qb.from_(opportunity)
		.join(stage)
		.on(
			(stage.parent == opportunity.sales_mode)
			& (stage.parenttype == "Sales Mode")
			& (stage.parentfield == "stages")
			& (stage.sales_stage == opportunity.sales_stage)
		)
		.select(
			opportunity.name.as_("opportunity"),
			opportunity.sales_mode,
			opportunity.sales_stage,
			Coalesce(opportunity.opportunity_owner, opportunity.owner).as_("owner"),
			entered.as_("stage_entered_on"),
			stage.stall_after_days,
			opportunity.base_opportunity_amount,
			opportunity.company,
			opportunity.customer_name,
		)
		.where(opportunity.status.isin(OPEN_STATUSES))
		.where(stage.stall_after_days > 0)
		.where(UnixTimestamp(entered) + stage.stall_after_days * 86400 <= as_of_ts)
	)


# How many deals one digest lists; the report linked from it shows them all
DIGEST_ROWS = 20
STALLED_DEALS_LINK = "/app/query-report/Stalled Deals"


def notify_stalled_deals() -> None:
	"""Daily: one digest per owner listing the owner's stalled deals, never one alert per deal.

	A site installed over years of history may have hundreds of old open deals stalled on day
	one: each owner still gets one notification. A second run on the same day sends nothing.
	"""
	if not get_settings().stall_alerts_enabled:
		return
	deals = stalled_deals_query().run(as_dict=True)
	if not deals:
		return
	by_owner: dict[str, list] = {}
	for deal in deals:
		by_owner.setdefault(deal.owner, []).append(deal)
	told_today = set(
		frappe.get_all(
			"Notification Log",
			filters={
				"for_user": ("in", list(by_owner)),
				"type": "Alert",
				"link": STALLED_DEALS_LINK,
				"creation": (">=", today()),
			},
			pluck="for_user",
		)
	)
	now = now_datetime()
	for owner, owned in by_owner.items():
		if owner in told_today or not frappe.db.exists("User", {"name": owner, "enabled": 1}):
			continue
		send_digest(owner, owned, now)


def send_digest(owner: str, deals: list, now) -> None:
	lang = frappe.get_cached_value("User", owner, "language") or None
	deals = sorted(deals, key=lambda d: get_datetime(d.stage_entered_on))
	rows = "".join(
		"<li>{}</li>".format(
			_("{0} ({1}): {2} days in {3}, {4} allowed", lang=lang).format(
				frappe.utils.escape_html(deal.opportunity),
				frappe.utils.escape_html(deal.customer_name or ""),
				days_in_stage(deal.stage_entered_on, now),
				_(deal.sales_stage, lang=lang),
				deal.stall_after_days,
			)
		)
		for deal in deals[:DIGEST_ROWS]
	)
	more = len(deals) - DIGEST_ROWS
	if more > 0:
		rows += "<li>{}</li>".format(_("and {0} more", lang=lang).format(more))
	frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": owner,
			"type": "Alert",
			"link": STALLED_DEALS_LINK,
			"subject": _("{0} of your deals have stalled", lang=lang).format(len(deals))
			if len(deals) > 1
			else _("One of your deals has stalled", lang=lang),
			"email_content": f"<ul>{rows}</ul>",
		}
	).insert(ignore_permissions=True)
