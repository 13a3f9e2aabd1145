"""Opportunity status and Stage Transition event names live in core/deal_states.py only."""

import json
import re

from sales_modes.core import deal_states
from tests.artifacts import APP, MODULE, doctypes

# "Quotation" is left out: it is a doctype's name as well as a status
NAMES = (
	deal_states.OPEN, deal_states.REPLIED, deal_states.CONVERTED, deal_states.LOST,
	deal_states.CLOSED, deal_states.STAGE_CHANGE, deal_states.WON, deal_states.REOPENED,
	deal_states.STATUS_CHANGE,
)  # fmt: skip
# A quoted name that is not a translated label (_("Won") is a column heading, not a state)
QUOTED_NAME = re.compile(r"""(?<!_\()["']({})["']""".format("|".join(map(re.escape, NAMES))))


def test_stage_transition_events_are_the_shared_names():
	event = next(df for df in doctypes()["Stage Transition"]["fields"] if df["fieldname"] == "event")
	assert set(event["options"].split("\n")) == set(deal_states.EVENTS)
	assert set(deal_states.STATUS_EVENTS.values()) < set(event["options"].split("\n"))


def test_open_deal_cards_count_the_open_statuses():
	"""The cards keep no status list of their own: they read Open Deals from figures.deals."""
	paths = list(MODULE.glob("number_card/open_*/*.json"))
	assert paths
	for path in paths:
		card = json.loads(path.read_text(encoding="utf-8"))
		assert (card["type"], card["method"]) == ("Custom", "sales_modes.cards.get_open_deals"), path
		assert "status" not in json.loads(card["filters_json"]), path
	deals = (APP / "figures" / "deals.py").read_text(encoding="utf-8")
	assert "opportunity.status.isin(OPEN_STATUSES)" in deals


def test_no_module_retypes_a_status_or_event_name():
	for path in sorted(APP.rglob("*.py")):
		relative = path.relative_to(APP)
		if relative.parts[0] in ("tests", "demo") or path.name.startswith("test_"):
			continue
		if path == APP / "core" / "deal_states.py":
			continue
		generated = False  # the generated type block mirrors the doctype's options
		for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
			if "# begin: auto-generated types" in line or "# end: auto-generated types" in line:
				generated = "begin" in line
				continue
			if generated or "DF.Literal" in line:
				continue
			assert not QUOTED_NAME.search(line), f"{relative}:{number}: {line.strip()}"
