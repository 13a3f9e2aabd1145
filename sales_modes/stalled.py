"""Stalled deals: open opportunities that stayed in a stage longer than its stall_after_days."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Coalesce, Max, UnixTimestamp
from frappe.utils import get_datetime, now_datetime

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


def notify_stalled_deals() -> None:
	"""Daily: tell each owner once per stage about each deal of theirs that stalled in it.

	An alert about the deal since it entered its stage counts as already told.
	"""
	if not get_settings().stall_alerts_enabled:
		return
	deals = stalled_deals_query().run(as_dict=True)
	if not deals:
		return
	log = DocType("Notification Log")
	last_alerts = dict(
		frappe.qb.from_(log)
		.select(log.document_name, Max(log.creation))
		.where(log.document_type == "Opportunity")
		.where(log.document_name.isin([d.opportunity for d in deals]))
		.where(log.type == "Alert")
		.groupby(log.document_name)
		.run()
	)
	now = now_datetime()
	for deal in deals:
		last = last_alerts.get(deal.opportunity)
		if last and get_datetime(last) >= get_datetime(deal.stage_entered_on):
			continue
		days = days_in_stage(deal.stage_entered_on, now)
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": deal.owner,
				"type": "Alert",
				"document_type": "Opportunity",
				"document_name": deal.opportunity,
				"subject": _("Stalled deal: {0} has been in {1} for {2} days ({3} allowed)").format(
					deal.opportunity, _(deal.sales_stage), days, deal.stall_after_days
				),
			}
		).insert(ignore_permissions=True)
