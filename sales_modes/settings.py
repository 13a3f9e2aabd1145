"""Reading Sales Modes Settings and the records it points at, with the site cache."""

import frappe

from sales_modes.core import defaults
from sales_modes.core.modes import ModeMap

SETTINGS = "Sales Modes Settings"


def get_settings():
	return frappe.get_cached_doc(SETTINGS)


def get_mode_map() -> ModeMap:
	return mode_map_from(get_settings())


def mode_map_from(settings) -> ModeMap:
	return ModeMap(
		company=settings.company_mode or None,
		partnership=settings.partnership_mode or None,
		individual=settings.individual_mode or None,
		fallback=settings.fallback_mode or None,
		walk_in=settings.get("walk_in_customer_mode") or None,
	)


def get_override_role() -> str:
	return get_settings().override_role or defaults.SETTINGS["override_role"]


def can_override_gates(user: str | None = None) -> bool:
	return get_override_role() in frappe.get_roles(user)
