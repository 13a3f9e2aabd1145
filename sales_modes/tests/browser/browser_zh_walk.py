"""A user who reads Chinese walks every page of the app and sees none of its English.

Each page's visible text (text nodes, Link and Select values, tooltips and placeholders, chart
labels and legends) is cut into lines; a line that is one of the app's own English strings means the desk showed it
untranslated: either it has a Chinese translation the desk did not use, or it has none.
"""

import re
import sys
import types
from pathlib import Path

import pytest
from browser_deal import B2B_CUSTOMER, B2C_CUSTOMER, close_dialog, gate_dialog
from browser_reports import open_report, wait_charts, wait_report

REPO = Path(__file__).resolve().parents[3]


def app_strings() -> tuple[set[str], dict[str, str]]:
	"""The app's strings and its zh.po, as the pure tests collect them (tests/translatable.py).

	The bench's site-packages hold another top-level `tests` package, which would win over this
	checkout's folder (no __init__.py): the name points at the folder while they are imported."""

	def ours() -> list[str]:
		return [name for name in sys.modules if name == "tests" or name.startswith("tests.")]

	saved = {name: sys.modules.pop(name) for name in ours()}
	package = types.ModuleType("tests")
	package.__path__ = [str(REPO / "tests")]
	sys.modules["tests"] = package
	sys.path.insert(0, str(REPO))  # for sales_modes.setup.custom_fields, this checkout's
	try:
		from tests.translatable import all_strings, zh_translations

		return all_strings(), zh_translations()
	finally:
		sys.path.remove(str(REPO))
		for name in ours():
			del sys.modules[name]
		sys.modules.update(saved)


APP_STRINGS, ZH = app_strings()
# English the desk must not show a zh user: what has a different Chinese, and what has none
TRANSLATED = {source for source, target in ZH.items() if target.strip() and target != source}
UNTRANSLATED = {source for source in APP_STRINGS if not ZH.get(source, "").strip()}
ENGLISH = TRANSLATED | UNTRANSLATED


def as_pattern(source: str) -> re.Pattern | None:
	"""A message with placeholders as a regex of what it reads once filled in ("{0} is set")."""
	parts = re.split(r"\{\d+\}", source)
	if len(parts) < 2 or len(re.findall(r"[A-Za-z]", "".join(parts))) < 6:
		return None  # "{0} {1}" or "{0}: {1}" would match any text
	return re.compile(".+?".join(re.escape(p) for p in parts), re.S)


PATTERNS = [p for p in map(as_pattern, ENGLISH) if p]

# Every fragment of text a user can see on the page: text nodes of rendered elements (SVG chart
# labels and legends too), values of inputs and selects, and tooltips and placeholders
VISIBLE_TEXT = """() => {
	const shown = (el) => {
		const box = el.getBoundingClientRect();
		const style = getComputedStyle(el);
		return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
	};
	const out = [];
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	while (walker.nextNode()) {
		const text = walker.currentNode.textContent.trim();
		const el = walker.currentNode.parentElement;
		if (!text || !el || ['SCRIPT', 'STYLE', 'TEMPLATE', 'TEXTAREA'].includes(el.tagName)) continue;
		if (shown(el)) out.push(text);
	}
	// Record names in Link boxes and choices in Select boxes; typed text (Data, Text) is the user's
	for (const el of document.querySelectorAll('input[data-fieldtype="Link"], select')) {
		if (!shown(el)) continue;
		const value = el.tagName === 'SELECT' ? (el.selectedOptions[0] || {}).text : el.value;
		if (value) out.push(value);
	}
	for (const el of document.querySelectorAll('[title], [placeholder], [data-original-title], [aria-label]')) {
		if (!shown(el)) continue;
		for (const name of ['title', 'placeholder', 'data-original-title', 'aria-label']) {
			if (el.getAttribute(name)) out.push(el.getAttribute(name));
		}
	}
	return out;
}"""

# What Frappe or the data put around a text: a label's colon, a required star, a count
DECORATION = re.compile(r"^[\s*:(\u00b7\u203a]+|[\s*:)\u00b7\u203a]+$")


# Where Frappe or the app joins texts: "Event: Stage Change", "B2B · Won Value", "a; b"
JOINS = re.compile(r": |\uff1a| \u00b7 |; ")


def english_fragments(texts: list[str]) -> list[str]:
	found = set()
	for text in texts:
		for line in text.split("\n"):
			line = line.strip()
			candidates = {line, *JOINS.split(line)}
			for candidate in candidates | {DECORATION.sub("", c) for c in candidates}:
				candidate = candidate.strip()
				if candidate in ENGLISH or any(p.fullmatch(candidate) for p in PATTERNS):
					found.add(line)
	return sorted(found)


class Walk:
	"""The pages walked, and the English each showed."""

	def __init__(self, desk):
		self.desk = desk
		self.english: dict[str, list[str]] = {}
		self.pages: list[str] = []

	def settle(self) -> None:
		try:
			# Not the freeze count: an open grid row keeps the page frozen behind it
			self.desk.page.wait_for_function("() => !frappe.request.ajax_count")
		except Exception:
			state = self.desk.page.evaluate(
				"() => [frappe.request.ajax_count, frappe.dom.freeze_count, frappe.get_route_str()]"
			)
			self.desk.screenshot("zh-walk-unsettled")
			raise AssertionError(f"the desk did not settle (requests, freezes, route): {state}") from None

	def read(self, name: str, screenshot: bool = False) -> None:
		self.settle()
		texts = self.desk.page.evaluate(VISIBLE_TEXT)
		assert texts, f"{name}: nothing shown"
		self.pages.append(name)
		english = english_fragments(texts)
		if english:
			self.english[name] = english
		if screenshot or english:
			self.desk.screenshot(f"zh-walk-{len(self.pages):02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}")

	def assert_chinese(self) -> None:
		assert not self.english, "English shown to a zh user:\n" + "\n".join(
			f"  {page}: {english}" for page, english in self.english.items()
		)
		self.desk.assert_no_errors()


@pytest.fixture(scope="module")
def walk(desk_as, users):
	desk = desk_as("manager")
	desk.goto("")
	desk.api(
		"frappe.client.set_value", doctype="User", name=users["manager"], fieldname="language", value="zh"
	)
	desk.page.set_viewport_size({"width": 1366, "height": 768})
	yield Walk(desk)
	desk.page.set_viewport_size({"width": 1366, "height": 900})
	desk.api(
		"frappe.client.set_value", doctype="User", name=users["manager"], fieldname="language", value="en"
	)


def test_workspace_and_onboarding(walk):
	desk, page = walk.desk, walk.desk.page
	desk.goto("sales-modes")
	assert page.evaluate("() => frappe.boot.lang") == "zh"
	page.locator(".widget.number-widget-box .widget-content .number").first.wait_for()
	page.wait_for_function(
		"() => [...document.querySelectorAll('.number-widget-box')].every((w) => w.querySelector('.number'))"
	)
	page.locator(".widget.dashboard-widget-box").first.scroll_into_view_if_needed()
	wait_charts(desk, 2)
	page.locator(".widget.links-widget-box").first.scroll_into_view_if_needed()
	walk.read("workspace", screenshot=True)
	# Each onboarding step shows its own description and action
	steps = page.locator(".onboarding-step")
	for i in range(steps.count()):
		steps.nth(i).locator(".step-title, .step-text").first.click()
		page.wait_for_function(
			"(i) => document.querySelectorAll('.onboarding-step')[i].classList.contains('active')", arg=i
		)
		walk.read(f"onboarding step {i + 1}")
	walk.assert_chinese()


SCRIPT_REPORTS = (
	"Sales Mode Comparison",
	"Stage Funnel by Mode",
	"Sales Cycle Analysis",
	"Stalled Deals",
	"Repeat Purchase by Mode",
	"Disqualification Analysis",
	"Sales Mode Trends",
)
# Select filters whose every choice changes the columns, messages or chart
REPORT_CHOICES = {"Sales Mode Comparison": ("layout", 2), "Sales Mode Trends": ("measure", 3)}


def test_every_report(walk):
	desk, page = walk.desk, walk.desk.page
	for report in SCRIPT_REPORTS:
		open_report(desk, report)
		walk.read(report)
		if report in REPORT_CHOICES:
			fieldname, count = REPORT_CHOICES[report]
			options = page.evaluate(
				"""(f) => {
					const options = frappe.query_report.get_filter(f).df.options;
					return (typeof options === 'string' ? options.split('\\n') : options.map((o) => o.value || o))
						.filter(Boolean);
				}""",
				fieldname,
			)
			assert len(options) == count, options
			for option in options[1:]:
				page.evaluate("([f, v]) => frappe.query_report.set_filter_value(f, v)", [fieldname, option])
				wait_report(desk)
				walk.read(f"{report} ({option})")
	# The saved report-builder views
	for doctype, label in (
		("opportunity", "Opportunities by Sales Mode and Stage"),
		("customer", "Customers by Sales Mode"),
	):
		desk.goto(f"{doctype}/view/report/{label}")
		page.locator(".dt-header").first.wait_for()
		walk.read(label)
	walk.assert_chinese()


def open_deal(walk, party: str) -> str:
	desk = walk.desk
	deal = desk.api(
		"frappe.client.insert",
		# ERPNext fills opportunity_type with the translated word "Sales", which names no record for a zh user
		doc={
			"doctype": "Opportunity",
			"opportunity_from": "Customer",
			"party_name": party,
			"opportunity_type": "Sales",
		},
	)
	desk.goto(f"opportunity/{deal['name']}")
	desk.wait_form("Opportunity")
	desk.page.locator(".sales-modes-path").wait_for()
	return deal["name"]


@pytest.mark.parametrize(
	"party,jump", [(B2B_CUSTOMER, "Negotiation/Review"), (B2C_CUSTOMER, "Negotiation/Review")]
)
def test_opportunity_form_path_gate_and_override(walk, party, jump):
	desk, page = walk.desk, walk.desk.page
	mode = "B2B" if party == B2B_CUSTOMER else "B2C"
	open_deal(walk, party)
	walk.read(f"{mode} deal", screenshot=True)
	# A jump the gate blocks: the missing list, the override button and its dialog
	desk.set_value("sales_stage", jump)
	override = page.locator(".page-actions button, .page-head button").filter(
		has_text=page.evaluate("() => __('Override Stage Gate')")
	)
	override.first.wait_for()
	walk.read(f"{mode} deal, blocked move")
	override.first.click()
	page.locator(".modal.show .sales-modes-bypassed").wait_for()
	walk.read(f"{mode} override dialog", screenshot=True)
	close_dialog(desk)
	desk.save()
	gate_dialog(desk)
	walk.read(f"{mode} gate error")
	close_dialog(desk)
	page.evaluate("() => cur_frm.reload_doc()")
	page.wait_for_function("() => !cur_frm.is_dirty()")
	walk.assert_chinese()


def test_lead_form_disqualify_dialog_and_list(walk):
	desk, page = walk.desk, walk.desk.page
	lead = desk.api("frappe.client.insert", doc={"doctype": "Lead", "first_name": "Zh", "last_name": "Walk"})
	desk.goto(f"lead/{lead['name']}")
	desk.wait_form("Lead")
	walk.read("lead")
	page.locator(".page-actions button").filter(
		has_text=page.evaluate("() => __('Disqualify')")
	).first.click()
	page.locator(".modal.show .modal-title").wait_for()
	walk.read("disqualify dialog", screenshot=True)
	dialog = page.locator(".modal.show")
	reason = dialog.locator('[data-fieldname="reason"] input')
	reason.click()
	option = page.locator('.modal.show .awesomplete [role="option"]').first
	option.wait_for()
	walk.read("disqualification reasons offered")
	reason_name = option.evaluate("(el) => $(el).data('item.autocomplete').value")
	page.evaluate("(r) => cur_dialog.set_value('reason', r)", reason_name)
	page.wait_for_function("(r) => cur_dialog.get_value('reason') === r", arg=reason_name)
	page.evaluate("() => cur_dialog.get_primary_btn().trigger('click')")  # the open list covers it
	page.wait_for_function("() => cur_frm.doc.disqualified && !cur_frm.is_dirty()")
	walk.read("disqualified lead", screenshot=True)
	desk.goto(f"lead?name={lead['name']}")
	page.locator(".list-row-container").first.wait_for()
	walk.read("lead list")
	walk.assert_chinese()


def test_customer_sales_mode_settings_and_stage_log(walk):
	desk, page = walk.desk, walk.desk.page
	desk.goto(f"customer/{B2B_CUSTOMER}")
	desk.wait_form("Customer")
	walk.read("customer")
	for mode in ("B2B", "B2C"):
		desk.goto(f"sales-mode/{mode}")
		desk.wait_form("Sales Mode")
		page.locator('.frappe-control[data-fieldname="requirements"]').scroll_into_view_if_needed()
		walk.read(f"sales mode {mode}", screenshot=mode == "B2B")
		# A requirement's row editor with its plain-words preview
		page.locator(
			'.frappe-control[data-fieldname="requirements"] .grid-body .grid-row .btn-open-row'
		).first.click()
		page.locator(".grid-row-open .form-in-grid").wait_for()
		walk.read(f"sales mode {mode} requirement")
		page.evaluate("() => cur_frm.reload_doc()")
		page.wait_for_function("() => !cur_frm.is_dirty()")
	desk.goto("sales-modes-settings")
	desk.wait_form("Sales Modes Settings")
	walk.read("sales modes settings")
	desk.goto("disqualification-reason")
	page.locator(".list-row-container").first.wait_for()
	walk.read("disqualification reasons")
	desk.goto("stage-transition")
	page.locator(".list-row-container").first.wait_for()
	page.locator(".list-row-container .indicator-pill").first.hover()
	walk.read("stage transition list", screenshot=True)
	# Every event pill (and the Event column's tooltip, where the column shows) in Chinese
	events = [
		"Stage Change",
		"Won",
		"Lost",
		"Reopened",
		"Closed",
		"Status Change",
		"Mode Change",
		"Overridden",
	]
	chinese = {ZH[event] for event in events}
	pills = {p.strip() for p in page.locator(".list-row-container .indicator-pill").all_inner_texts()}
	assert pills and pills <= chinese, pills
	assert ZH["Stage Change"] in pills, pills
	walk.assert_chinese()
