"""Install over years of history: what the app reconstructs from the evidence ERPNext keeps.

Run by `after_install` (after the mode backfill) and by a patch on sites installed earlier.
Every step is set-based SQL (one UPDATE or INSERT ... SELECT per rule, never a loop over rows)
and only fills what is blank, so a second run changes nothing.

1. Close dates (`Opportunity.closed_on`) of deals already Converted or Lost:
   - on sites that ran the app before close dates existed: the day of the deal's last Won or
     Lost event in Stage Transition;
   - Converted: the date of the first submitted Sales Order made from a submitted Quotation of
     the deal (ERPNext marks the deal Converted when that order is submitted); failing that,
     the first submitted Quotation of the deal. A quotation belongs to a deal through its
     `opportunity` field (set when the deal has no items) or its items' `prevdoc_docname`
     (prevdoc_doctype "Opportunity", when it has items); an order item's `prevdoc_docname`
     names its quotation.
   - Lost, and Converted without a quotation: the latest Version recording the change to that
     status when the site tracks changes on Opportunity (ERPNext does not by default:
     Opportunity has no `track_changes`, so there are usually no Versions), else the day of
     the deal's last change (`modified`): ERPNext's `declare_enquiry_lost` saves the deal and a
     lost quotation db_sets its status, both of which stamp `modified`.
2. Stage entry times (`stage_entered_on`) of open deals: the latest Version recording a change
   of `sales_stage` when Opportunity is tracked, else the deal's last change (`modified`). The
   stage was entered at or before that moment, so `modified` is the latest possible entry: a
   deal counts as stalled only when nothing on it has changed for longer than its stage allows.
   (`creation` would call every old deal stalled on day one, however recently it was worked.)
3. Won and Lost Stage Transition events for deals closed before install, dated at their close
   date, marked `reconstructed`, one per deal that has no Won or Lost event yet.
"""

import frappe
from frappe.utils import now

from sales_modes.core.deal_states import CONVERTED, LOST, LOST_EVENT, OPEN_STATUSES, WON

# The submitted quotations of each deal, through either link ERPNext writes
DEAL_QUOTATIONS = """
	SELECT q.name AS quotation, q.opportunity AS opportunity, q.transaction_date
	FROM `tabQuotation` q
	WHERE q.docstatus = 1 AND IFNULL(q.opportunity, '') != ''
	UNION
	SELECT q.name, qi.prevdoc_docname, q.transaction_date
	FROM `tabQuotation Item` qi
	JOIN `tabQuotation` q ON q.name = qi.parent AND q.docstatus = 1
	WHERE qi.prevdoc_doctype = 'Opportunity' AND IFNULL(qi.prevdoc_docname, '') != ''
"""

FIRST_ORDER_DATE = f"""
	SELECT link.opportunity, MIN(so.transaction_date) AS evidence_date
	FROM ({DEAL_QUOTATIONS}) link
	JOIN `tabSales Order Item` soi ON soi.prevdoc_docname = link.quotation
	JOIN `tabSales Order` so ON so.name = soi.parent AND so.docstatus = 1
	GROUP BY link.opportunity
"""

FIRST_QUOTATION_DATE = f"""
	SELECT link.opportunity, MIN(link.transaction_date) AS evidence_date
	FROM ({DEAL_QUOTATIONS}) link
	GROUP BY link.opportunity
"""


# The buying phase of the deal's stage in its mode's pipeline
STAGE_PHASE = """
	SELECT stage.buying_phase FROM `tabSales Mode Stage` stage
	WHERE stage.parent = opp.sales_mode AND stage.parenttype = 'Sales Mode'
		AND stage.parentfield = 'stages' AND stage.sales_stage = opp.sales_stage
	LIMIT 1
"""


def version_pattern(fieldname: str, new_value: str | None = None) -> str:
	"""A REGEXP on Version.data for a change of `fieldname` (to `new_value`): ["field", old, new]."""
	new = f'"{new_value}"' if new_value else '"[^"]*"'
	return f'"{fieldname}",[[:space:]]*("[^"]*"|null),[[:space:]]*{new}[[:space:]]*\\]'


def latest_version(pattern: str) -> str:
	return f"""
		SELECT v.docname AS opportunity, MAX(v.creation) AS evidence_date
		FROM `tabVersion` v
		WHERE v.ref_doctype = 'Opportunity' AND v.data REGEXP {frappe.db.escape(pattern)}
		GROUP BY v.docname
	"""


def opportunity_is_tracked() -> bool:
	return bool(frappe.get_meta("Opportunity").track_changes)


def fill_from(
	evidence: str, column: str, status_condition: str, value: str = "evidence.evidence_date"
) -> None:
	"""UPDATE the blank `column` of the deals matching `status_condition` from an evidence query."""
	frappe.db.sql(
		f"""
		UPDATE `tabOpportunity` opp
		JOIN ({evidence}) evidence ON evidence.opportunity = opp.name
		SET opp.`{column}` = {value}
		WHERE opp.`{column}` IS NULL AND {status_condition}
		"""
	)


def status_is(*statuses: str) -> str:
	return "opp.status IN ({})".format(", ".join(frappe.db.escape(s) for s in statuses))


def last_logged(event: str) -> str:
	"""The latest Won or Lost event the app logged (sites that had the app before close dates)."""
	return f"""
		SELECT t.opportunity, MAX(t.transitioned_on) AS evidence_date
		FROM `tabStage Transition` t
		WHERE t.event = {frappe.db.escape(event)}
		GROUP BY t.opportunity
	"""


def backfill_close_dates() -> None:
	for status, event in ((CONVERTED, WON), (LOST, LOST_EVENT)):
		fill_from(last_logged(event), "closed_on", status_is(status), "DATE(evidence.evidence_date)")
	fill_from(FIRST_ORDER_DATE, "closed_on", status_is(CONVERTED))
	fill_from(FIRST_QUOTATION_DATE, "closed_on", status_is(CONVERTED))
	if opportunity_is_tracked():
		for status in (CONVERTED, LOST):
			fill_from(
				latest_version(version_pattern("status", status)),
				"closed_on",
				status_is(status),
				"DATE(evidence.evidence_date)",
			)
	frappe.db.sql(
		f"""
		UPDATE `tabOpportunity` opp SET opp.closed_on = DATE(opp.modified)
		WHERE opp.closed_on IS NULL AND {status_is(CONVERTED, LOST)}
		"""
	)


def backfill_stage_entry_times() -> None:
	open_with_stage = f"{status_is(*OPEN_STATUSES)} AND IFNULL(opp.sales_stage, '') != ''"
	if opportunity_is_tracked():
		fill_from(latest_version(version_pattern("sales_stage")), "stage_entered_on", open_with_stage)
	frappe.db.sql(
		f"""
		UPDATE `tabOpportunity` opp SET opp.stage_entered_on = opp.modified
		WHERE opp.stage_entered_on IS NULL AND {open_with_stage}
		"""
	)


def reconstruct_close_events() -> None:
	"""One Won or Lost event per closed deal that has none, at its close date, marked reconstructed.

	The name is derived from the deal, so the rows are the same on every run (and a second run,
	which finds the events, inserts nothing).
	"""
	frappe.db.sql(
		f"""
		INSERT INTO `tabStage Transition` (
			name, creation, modified, owner, modified_by, docstatus, idx,
			opportunity, sales_mode, status, event, from_stage, to_stage, from_phase, to_phase,
			transitioned_on, user, gate_overridden, imported, reconstructed
		)
		SELECT
			SUBSTRING(SHA2(CONCAT('reconstructed|', opp.name), 256), 1, 10),
			%(now)s, %(now)s, %(user)s, %(user)s, 0, 0,
			opp.name, opp.sales_mode, opp.status,
			CASE opp.status WHEN %(converted)s THEN %(won)s ELSE %(lost_event)s END,
			opp.sales_stage, opp.sales_stage, ({STAGE_PHASE}), ({STAGE_PHASE}),
			TIMESTAMP(opp.closed_on), opp.modified_by, 0, 0, 1
		FROM `tabOpportunity` opp
		WHERE {status_is(CONVERTED, LOST)} AND opp.closed_on IS NOT NULL
			AND NOT EXISTS (
				SELECT 1 FROM `tabStage Transition` t
				WHERE t.opportunity = opp.name AND t.event IN (%(won)s, %(lost_event)s)
			)
		""",
		{
			"now": now(),
			"user": frappe.session.user,
			"converted": CONVERTED,
			"won": WON,
			"lost_event": LOST_EVENT,
		},
	)


def install_over_history() -> None:
	backfill_close_dates()
	backfill_stage_entry_times()
	reconstruct_close_events()
