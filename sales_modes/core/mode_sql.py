"""The mode-inference rules of `core.modes` as SQL expressions, for the set-based backfill.

Built from the same definitions the Python inference reads (`ModeMap.customer_type_modes`,
`NAME_CHARACTER`, `ModeMap.business`/`consumer`) with PyPika alone, no Frappe: the pure suite
renders them and checks on SQLite that they give what the Python functions give, case by case.
"""

from __future__ import annotations

from pypika import Case
from pypika.functions import Coalesce
from pypika.terms import Term, ValueWrapper

from sales_modes.core.modes import NAME_CHARACTER, ModeMap


def customer_mode_sql(customer_type: Term, mode_map: ModeMap) -> Term:
	"""modes.customer_mode: the mapped mode of the customer type, else the fallback."""
	case = Case()
	for kind, mode in mode_map.customer_type_modes().items():
		case = case.when(customer_type == kind, mode)
	return Coalesce(case, mode_map.fallback)


def lead_mode_sql(company_name: Term, mode_map: ModeMap) -> Term:
	"""modes.lead_mode: business when the organisation name holds a name character, else consumer."""
	return Case().when(company_name.regexp(NAME_CHARACTER), mode_map.business).else_(mode_map.consumer)


def prospect_mode_sql(mode_map: ModeMap) -> Term:
	"""modes.prospect_mode: a prospect is always an organisation."""
	return ValueWrapper(mode_map.business)
