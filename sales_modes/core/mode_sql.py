"""The mode-inference rules of `core.modes` as SQL expressions, for the set-based backfill.

Built from the same definitions the Python inference reads (`ModeMap.customer_type_modes`,
`NAME_CHARACTER`, `ModeMap.business`/`consumer`) with PyPika alone, no Frappe: the pure suite
renders them and checks on SQLite that they give what the Python functions give, case by case.
"""

from __future__ import annotations

from pypika import Case
from pypika.functions import Coalesce
from pypika.terms import Term, ValueWrapper

from sales_modes.core.deal_states import OPEN_STATUSES
from sales_modes.core.modes import CHOSEN, INFERRED, NAME_CHARACTER, ModeMap


def customer_mode_sql(customer_type: Term, mode_map: ModeMap, walk_in: Term | None = None) -> Term:
	"""modes.customer_mode: the walk-in mode for a walk-in customer (`walk_in` a condition), else
	the mapped mode of the customer type, else the fallback."""
	case = Case()
	for kind, mode in mode_map.customer_type_modes().items():
		case = case.when(customer_type == kind, mode)
	by_type = Coalesce(case, mode_map.fallback)
	if walk_in is None or not mode_map.walk_in:
		return by_type
	return Case().when(walk_in, mode_map.walk_in).else_(by_type)


def lead_mode_sql(company_name: Term, mode_map: ModeMap) -> Term:
	"""modes.lead_mode: business when the organisation name holds a name character, else consumer."""
	return Case().when(company_name.regexp(NAME_CHARACTER), mode_map.business).else_(mode_map.consumer)


def prospect_mode_sql(mode_map: ModeMap) -> Term:
	"""modes.prospect_mode: a prospect is always an organisation."""
	return ValueWrapper(mode_map.business)


def mode_source_sql(mode: Term, inferred: Term) -> Term:
	"""modes.mode_source: Inferred when the mode is what inference gives, Chosen otherwise, NULL
	without a mode (a NULL inference compares unequal: Chosen, as in Python)."""
	return Case().when(Coalesce(mode, "") == "", None).when(mode == inferred, INFERRED).else_(CHOSEN)


def document_follows_sql(source: Term, docstatus: Term) -> Term:
	"""modes.document_follows: an Inferred draft."""
	return (source == INFERRED) & (Coalesce(docstatus, 0) == 0)


def deal_follows_sql(source: Term, status: Term) -> Term:
	"""modes.deal_follows: an Inferred open deal."""
	return (source == INFERRED) & status.isin(OPEN_STATUSES)
