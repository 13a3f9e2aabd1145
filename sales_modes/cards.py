"""The workspace's number cards (type Custom): each reads its figure from sales_modes.figures.

Frappe calls a card's method with the card's filters (filters_json, then dynamic_filters_json):
here the mode set on the card and the user's company. A card returns its value, how to format
it, and the report or list its click opens with the same figure.
"""

import frappe
from frappe.utils import get_quarter_ending, get_quarter_start, today

from sales_modes.core.deal_states import OPEN_STATUSES
from sales_modes.figures import deals
from sales_modes.reports import get_filters


def card_filters(filters: str | dict | None, **extra) -> frappe._dict:
	frappe.has_permission("Opportunity", "read", throw=True)
	filters = frappe._dict(frappe.parse_json(filters) or {})
	return get_filters({"company": filters.company, "sales_mode": filters.sales_mode, **extra})


@frappe.whitelist()
@frappe.read_only()
def get_win_rate_this_quarter(filters: str | dict | None = None) -> dict:
	"""Win Rate of the deals closed this quarter (by close date, whenever opened), for one mode."""
	filters = card_filters(filters, from_date=get_quarter_start(today()), to_date=get_quarter_ending(today()))
	closed = deals.closed_deal_counts(filters)
	return {
		"value": deals.win_rate(sum(row.won or 0 for row in closed), sum(row.lost or 0 for row in closed)),
		"fieldtype": "Percent",
		"precision": 1,  # the card formats with this df: 75.0%, not 75.000%
		"route": ["query-report", "Sales Mode Comparison"],
		"route_options": {
			"company": filters.company,
			"sales_mode": filters.sales_mode,
			"from_date": str(filters.from_date),
			"to_date": str(filters.to_date),
		},
	}


@frappe.whitelist()
@frappe.read_only()
def get_open_deals(filters: str | dict | None = None) -> dict:
	"""Open Deals now, whatever their date, for one mode."""
	filters = card_filters(filters)
	return {
		"value": sum(deals.open_deal_counts(filters).values()),
		"fieldtype": "Int",
		"route": ["List", "Opportunity"],
		"route_options": {
			"company": filters.company,
			"sales_mode": filters.sales_mode,
			"status": ["in", list(OPEN_STATUSES)],
		},
	}
