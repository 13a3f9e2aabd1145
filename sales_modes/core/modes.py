"""Which sales mode a party or a sales document belongs to.

Pure functions over plain values: the Frappe layer reads Settings and party records and passes
what it found here, so the rules can be tested without a site. The two definitions below are the
rule itself; `core/mode_sql.py` builds the backfill's SQL from them, so Python and SQL agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def customer_mode(customer_type: str | None, mode_map: ModeMap) -> str | None:
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
