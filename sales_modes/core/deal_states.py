"""Opportunity statuses and Stage Transition events: the names every layer shares.

ERPNext's Opportunity status values, which of them are open and closed, and the event a
status change is logged as. Reports, the gate, the stage log and the demo read them here.
"""

# ERPNext's Opportunity.status options
OPEN = "Open"
REPLIED = "Replied"
QUOTATION = "Quotation"
CONVERTED = "Converted"  # ERPNext's name for a won deal
LOST = "Lost"
CLOSED = "Closed"

OPEN_STATUSES = (OPEN, REPLIED, QUOTATION)
CLOSED_STATUSES = (CONVERTED, LOST, CLOSED)

# Stage Transition.event options
STAGE_CHANGE = "Stage Change"
WON = "Won"
LOST_EVENT = "Lost"
CLOSED_EVENT = "Closed"
REOPENED = "Reopened"
STATUS_CHANGE = "Status Change"
MODE_CHANGE = "Mode Change"  # the deal moved to another Sales Mode (from_mode, to_mode)
GATE_OVERRIDE = "Override"  # an override given without a move: the deal stays, its rules unmet
EVENTS = (STAGE_CHANGE, WON, LOST_EVENT, REOPENED, CLOSED_EVENT, STATUS_CHANGE, MODE_CHANGE, GATE_OVERRIDE)

STATUS_EVENTS = {CONVERTED: WON, LOST: LOST_EVENT, CLOSED: CLOSED_EVENT}


def status_event(old_status: str | None, new_status: str | None) -> str | None:
	"""The event a status change is logged as, or None when it is no event."""
	if old_status == new_status or new_status is None:
		return None
	if new_status in STATUS_EVENTS:
		return STATUS_EVENTS[new_status]
	if old_status in CLOSED_STATUSES:
		return REOPENED
	if old_status is None:
		return None
	return STATUS_CHANGE


# The statuses that close a deal under rules of their own (Stage Requirement "applies to")
GATED_OUTCOMES = {CONVERTED: WON, LOST: LOST_EVENT}


def gated_outcome(status: str | None) -> str | None:
	"""Won or Lost for a status whose rules a deal must meet, else None."""
	return GATED_OUTCOMES.get(status or "")
