"""Mode inference rules: table-driven and property-based."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_modes.core import modes
from sales_modes.core.modes import ModeMap

DEFAULT = ModeMap()


@pytest.mark.parametrize(
	"customer_type, expected",
	[
		("Company", "B2B"),
		("Partnership", "B2B"),
		("Individual", "B2C"),
		(None, None),
		("", None),
		("Other", None),
	],
)
def test_customer_mode_follows_customer_type(customer_type, expected):
	assert modes.customer_mode(customer_type, DEFAULT) == expected


def test_unknown_customer_type_uses_fallback():
	assert modes.customer_mode(None, ModeMap(fallback="B2C")) == "B2C"


def test_custom_mapping():
	mode_map = ModeMap(company="Wholesale", partnership="B2B", individual="B2C")
	assert modes.customer_mode("Company", mode_map) == "Wholesale"


def test_unmapped_type_falls_back():
	mode_map = ModeMap(company="B2B", partnership=None, individual="B2C", fallback="B2B")
	assert modes.customer_mode("Partnership", mode_map) == "B2B"


@pytest.mark.parametrize(
	"company_name, expected",
	[("Acme Ltd", "B2B"), ("  ", "B2C"), ("", "B2C"), (None, "B2C")],
)
def test_lead_mode_depends_on_company_name(company_name, expected):
	assert modes.lead_mode(company_name, DEFAULT) == expected


def test_prospect_is_business():
	assert modes.prospect_mode(DEFAULT) == "B2B"
	assert modes.prospect_mode(ModeMap(company=None, fallback="X")) == "X"


mode_names = st.one_of(st.none(), st.sampled_from(["B2B", "B2C", "Wholesale", ""]))


@given(explicit=mode_names, inferred=mode_names)
def test_explicit_mode_always_wins(explicit, inferred):
	resolved = modes.resolve(explicit, inferred)
	if explicit:
		assert resolved == explicit
	else:
		assert resolved == (inferred or None)


@given(
	customer_type=st.one_of(
		st.none(), st.sampled_from(["Company", "Partnership", "Individual"]), st.text(max_size=5)
	),
	company=mode_names,
	partnership=mode_names,
	individual=mode_names,
	fallback=mode_names,
)
def test_customer_mode_is_mapped_or_fallback(customer_type, company, partnership, individual, fallback):
	mode_map = ModeMap(company, partnership, individual, fallback)
	mapped = {"Company": company, "Partnership": partnership, "Individual": individual}.get(
		customer_type or ""
	)
	assert modes.customer_mode(customer_type, mode_map) == (mapped or fallback)


@given(company_name=st.one_of(st.none(), st.text(max_size=10)))
def test_lead_mode_is_business_iff_named_organisation(company_name):
	# Blank means only spaces, tabs and line breaks (what MariaDB's REGEXP and Python agree on)
	expected = "B2B" if (company_name or "").strip(" \t\r\n") else "B2C"
	assert modes.lead_mode(company_name, DEFAULT) == expected
