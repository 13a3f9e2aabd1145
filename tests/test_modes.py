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


# Inferred or chosen: what a save stores, and what follows the party
MODES = st.sampled_from([None, "", "B2B", "B2C", "Wholesale"])
STORED_SOURCES = st.sampled_from([None, "", modes.INFERRED, modes.CHOSEN, "Forged"])


def test_walk_in_customer_takes_the_walk_in_mode_whatever_its_type():
	assert modes.customer_mode("Company", DEFAULT, walk_in=True) == "B2C"
	assert modes.customer_mode("Company", DEFAULT, walk_in=False) == "B2B"
	# No walk-in mode set: a walk-in customer is read by its type like any other
	assert modes.customer_mode("Company", ModeMap(walk_in=None), walk_in=True) == "B2B"


@pytest.mark.parametrize(
	"given, inferred, stored, stored_source, is_new, follows, expected",
	[
		# a new record: blank is filled, a pick equal to inference is Inferred, another is Chosen
		(None, "B2B", None, None, True, False, ("B2B", modes.INFERRED)),
		("B2B", "B2B", None, None, True, False, ("B2B", modes.INFERRED)),
		("B2C", "B2B", None, None, True, False, ("B2C", modes.CHOSEN)),
		# nothing to infer, nothing given: no mode and no source
		(None, None, None, None, True, False, (None, None)),
		# a user picks another mode: Chosen; picks the inferred one back: Inferred; clears it: Inferred
		("B2C", "B2B", "B2B", modes.INFERRED, False, True, ("B2C", modes.CHOSEN)),
		("B2B", "B2B", "B2C", modes.CHOSEN, False, True, ("B2B", modes.INFERRED)),
		("", "B2B", "B2C", modes.CHOSEN, False, True, ("B2B", modes.INFERRED)),
		# the party's type changed: an Inferred mode follows, a Chosen one stays
		("B2B", "B2C", "B2B", modes.INFERRED, False, True, ("B2C", modes.INFERRED)),
		("B2B", "B2C", "B2B", modes.CHOSEN, False, True, ("B2B", modes.CHOSEN)),
		# documents do not re-infer on their own save (they follow by cascade)
		("B2B", "B2C", "B2B", modes.INFERRED, False, False, ("B2B", modes.INFERRED)),
		# a row from before sources existed is read like an upgrade marks it
		("B2B", "B2C", "B2B", None, False, False, ("B2B", modes.CHOSEN)),
	],
)
def test_decide(given, inferred, stored, stored_source, is_new, follows, expected):
	assert modes.decide(given, inferred, stored, stored_source, is_new, follows) == expected


@given(given=MODES, inferred=MODES, stored=MODES, stored_source=STORED_SOURCES, is_new=st.booleans())
def test_a_source_is_never_taken_from_outside_and_always_true(given, inferred, stored, stored_source, is_new):
	mode, source = modes.decide(given, inferred, stored, stored_source, is_new, follows=True)
	assert source in (*modes.SOURCES, None)
	assert (source is None) == (not mode)
	if is_new or given != stored or not given:
		# decided here from values the server read: Inferred exactly when inference gives the mode
		assert source == modes.mode_source(mode, inferred)
	if source == modes.INFERRED and not is_new and given == stored and given:
		# an unchanged Inferred mode the party re-read is what inference gives now (if anything)
		assert mode == (inferred or given)


@given(given=MODES, inferred=MODES, stored=MODES, is_new=st.booleans(), follows=st.booleans())
def test_a_chosen_mode_never_changes_by_itself(given, inferred, stored, is_new, follows):
	"""Only the save's own value moves a Chosen mode: re-inference never does."""
	if given and given == stored and not is_new:
		assert modes.decide(given, inferred, stored, modes.CHOSEN, is_new, follows) == (given, modes.CHOSEN)


@given(mode=MODES, inferred=MODES)
def test_decide_is_idempotent(mode, inferred):
	"""Saving again with nothing changed stores the same mode and source."""
	first = modes.decide(mode, inferred, None, None, True, False)
	assert modes.decide(first[0], inferred, first[0], first[1], False, True) == first


@given(source=STORED_SOURCES, docstatus=st.sampled_from([None, 0, 1, 2]))
def test_submitted_documents_never_follow(source, docstatus):
	assert modes.document_follows(source, docstatus) == (source == modes.INFERRED and not docstatus)


def test_closed_deals_never_follow():
	assert modes.deal_follows(modes.INFERRED, "Open")
	assert modes.deal_follows(modes.INFERRED, "Quotation")
	for status in ("Converted", "Lost", "Closed", None):
		assert not modes.deal_follows(modes.INFERRED, status)
	assert not modes.deal_follows(modes.CHOSEN, "Open")


B2B_STAGES = ("Prospecting", "Qualification", "Needs Analysis")
B2C_STAGES = ("Prospecting", "Proposal/Price Quote")


@pytest.mark.parametrize(
	"stage, old, new, expected",
	[
		(None, B2B_STAGES, B2C_STAGES, True),  # no stage: no pipeline to leave
		("Prospecting", B2B_STAGES, B2C_STAGES, True),  # first stage, the new pipeline has it
		("Needs Analysis", B2B_STAGES, B2C_STAGES, False),  # past the first stage: needs an override
		("Proposal/Price Quote", B2C_STAGES, B2B_STAGES, False),
		("Prospecting", B2B_STAGES, ("Lead In", "Won"), False),  # the new pipeline lacks the stage
		("Anything", (), B2C_STAGES, False),  # no old pipeline, and not a stage of the new one
		("Anything", (), (), True),  # neither mode has a pipeline
	],
)
def test_which_open_deals_a_cascade_may_move(stage, old, new, expected):
	assert modes.deal_may_move(stage, old, new) is expected
