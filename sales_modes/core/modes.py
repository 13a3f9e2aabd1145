"""Which sales mode a party or a sales document belongs to.

Pure functions over plain values: the Frappe layer reads Settings and party records and passes
what it found here, so the rules can be tested without a site. The two definitions below are the
rule itself; `core/mode_sql.py` builds the backfill's SQL from them, so Python and SQL agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sales_modes.core.deal_states import OPEN_STATUSES
from sales_modes.core.defaults import SETTINGS

# ERPNext's Customer.customer_type options
COMPANY = "Company"
PARTNERSHIP = "Partnership"
INDIVIDUAL = "Individual"

# Parties a transaction can point at (Opportunity.opportunity_from, Quotation.quotation_to)
PARTY_DOCTYPES = ("Customer", "Lead", "Prospect")

# Customer type -> the ModeMap field holding its mode; any other type takes the fallback
CUSTOMER_TYPE_FIELDS = {COMPANY: "company", PARTNERSHIP: "partnership", INDIVIDUAL: "individual"}

# A lead's organisation name names an organisation when it holds a character this matches
# (a regular expression Python's re and MariaDB's REGEXP read alike)
NAME_CHARACTER = "[^ \t\r\n]"


@dataclass(frozen=True)
class ModeMap:
	"""Customer type -> mode mapping from Sales Modes Settings, plus the fallback mode.

	Starts from the installed settings (core/defaults.py)."""

	company: str | None = SETTINGS["company_mode"]
	partnership: str | None = SETTINGS["partnership_mode"]
	individual: str | None = SETTINGS["individual_mode"]
	fallback: str | None = SETTINGS.get("fallback_mode")
	walk_in: str | None = SETTINGS["walk_in_customer_mode"]

	def customer_type_modes(self) -> dict[str, str | None]:
		"""{customer type: its mode, None when unmapped}, in CUSTOMER_TYPE_FIELDS order."""
		return {kind: getattr(self, field) or None for kind, field in CUSTOMER_TYPE_FIELDS.items()}

	def for_customer_type(self, customer_type: str | None) -> str | None:
		return self.customer_type_modes().get(customer_type or "") or self.fallback

	@property
	def business(self) -> str | None:
		"""The mode of a party known to be an organisation."""
		return self.company or self.fallback

	@property
	def consumer(self) -> str | None:
		"""The mode of a party known to be a person."""
		return self.individual or self.fallback


def customer_mode(customer_type: str | None, mode_map: ModeMap, walk_in: bool = False) -> str | None:
	"""A walk-in customer (the default customer of a POS Profile) takes the walk-in mode when one is
	set; any other customer the mode of its type."""
	if walk_in and mode_map.walk_in:
		return mode_map.walk_in
	return mode_map.for_customer_type(customer_type)


def names_organisation(company_name: str | None) -> bool:
	return re.search(NAME_CHARACTER, company_name or "") is not None


def lead_mode(company_name: str | None, mode_map: ModeMap) -> str | None:
	"""A lead that names an organisation is a business lead; otherwise it is a person."""
	if names_organisation(company_name):
		return mode_map.business
	return mode_map.consumer


def prospect_mode(mode_map: ModeMap) -> str | None:
	"""ERPNext's Prospect is always an organisation (it has a company name and industry)."""
	return mode_map.business


def resolve(explicit: str | None, inferred: str | None) -> str | None:
	"""An explicit choice always wins; inference only fills a blank."""
	return explicit or inferred or None


# Whether a record's mode was inferred (it follows its party) or chosen by someone (it never
# changes by itself): the values of `sales_mode_source`
INFERRED = "Inferred"
CHOSEN = "Chosen"
SOURCES = (INFERRED, CHOSEN)


def mode_source(mode: str | None, inferred: str | None) -> str | None:
	"""A mode equal to what inference gives is Inferred, any other is Chosen; no mode, no source."""
	if not mode:
		return None
	return INFERRED if mode == inferred else CHOSEN


def decide(
	given: str | None,
	inferred: str | None,
	stored_mode: str | None = None,
	stored_source: str | None = None,
	is_new: bool = True,
	follows: bool = False,
) -> tuple[str | None, str | None]:
	"""(mode, source) a save stores. `given` is the mode the save carries, `inferred` what inference
	gives now, `stored_*` what the record holds, `follows` whether an unchanged Inferred mode takes
	the inference of this save (a party re-read on its own save; documents follow by cascade only).

	- blank: inference fills it, Inferred (clearing a choice makes the mode Inferred again);
	- new, or changed in this save: Inferred when it is what inference gives, else Chosen;
	- unchanged: a Chosen mode stays; an Inferred one follows the inference when `follows`.
	The client never sets the source: it is derived here, from values the server reads.
	"""
	if not given:
		return inferred or None, mode_source(inferred, inferred)
	if is_new or given != stored_mode:
		return given, mode_source(given, inferred)
	source = stored_source if stored_source in SOURCES else mode_source(given, inferred)
	if source == INFERRED and follows and inferred:
		return inferred, INFERRED
	return given, source


def document_follows(source: str | None, docstatus: int | None) -> bool:
	"""A sales document follows its party while its mode is Inferred and it is a draft: submitted
	(and cancelled) documents keep the mode they were sold under."""
	return source == INFERRED and not docstatus


def deal_follows(source: str | None, status: str | None) -> bool:
	"""An opportunity follows its party while its mode is Inferred and the deal is open: won, lost
	and closed deals keep theirs."""
	return source == INFERRED and status in OPEN_STATUSES


def deal_may_move(stage: str | None, old_stages: tuple[str, ...], new_stages: tuple[str, ...]) -> bool:
	"""Whether the stage gate can let an open deal change mode without an override: a deal with no
	stage, or one in the first stage of its old pipeline (or of none) whose stage the new pipeline
	has (or that has no pipeline). Past the first stage a move needs the override role and a reason,
	which no cascade has: such a deal keeps its old mode (and stays Inferred). The gate still
	checks the new stage's rules when the move is saved."""
	if not stage:
		return True
	if old_stages and stage != old_stages[0]:
		return False
	return not new_stages or stage in new_stages
