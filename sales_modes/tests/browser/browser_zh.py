"""A user who switched to Chinese sees the form, the gate error and the reports in Chinese."""

import re

import pytest
from browser_deal import B2B_CUSTOMER, gate_dialog
from browser_reports import headers, open_report, row_of

# Latin words of three letters or more: English left in what the app shows (modes, IDs and
# ERPNext's own record names aside)
ENGLISH = re.compile(r"\b(?!B2B\b|B2C\b|CRM\b|OPP\b|USD\b)[A-Za-z]{3,}\b")


def english_in(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
	for name in allowed:
		text = text.replace(name, "")
	return ENGLISH.findall(text)


@pytest.fixture(scope="module")
def zh_desk(desk_as, users):
	desk = desk_as("manager")
	desk.goto("")
	desk.api(
		"frappe.client.set_value", doctype="User", name=users["manager"], fieldname="language", value="zh"
	)
	yield desk
	desk.api(
		"frappe.client.set_value", doctype="User", name=users["manager"], fieldname="language", value="en"
	)


def test_form_and_gate_error_in_chinese(zh_desk):
	desk = zh_desk
	page = desk.page
	deal = desk.api(
		"frappe.client.insert",
		# ERPNext fills opportunity_type with the translated word "Sales", which names no record for a zh user
		doc={
			"doctype": "Opportunity",
			"opportunity_from": "Customer",
			"party_name": B2B_CUSTOMER,
			"opportunity_type": "Sales",
		},
	)
	desk.goto(f"opportunity/{deal['name']}")
	desk.wait_form("Opportunity")
	assert page.evaluate("() => frappe.boot.lang") == "zh"
	page.locator(".form-message", has_text="销售模式\uff1aB2B").wait_for()
	path = page.locator(".sales-modes-path")
	path.wait_for()
	page.locator('.frappe-control[data-fieldname="sales_path_html"]').scroll_into_view_if_needed()
	# Stage names are ERPNext's records, translated by ERPNext's own Chinese
	stages = page.evaluate("() => cur_frm.sales_modes_readiness.stages.map((s) => s.stage)")
	assert not english_in(path.inner_text(), tuple(stages)), path.inner_text()
	assert "确认该组织符合您的理想客户画像。" in path.inner_text()
	section = page.locator(".section-head", has_text="销售路径")
	assert section.count() == 1
	desk.screenshot("12-zh-form", full_page=False)

	desk.set_value("sales_stage", "Negotiation/Review")
	desk.save()
	dialog = gate_dialog(desk)
	assert dialog.locator(".modal-title").inner_text().strip() == "要求未满足"
	text = dialog.locator(".modal-body").inner_text()
	assert "请记录买方的电子邮件地址。" in text
	assert not english_in(text, (deal["name"], "Negotiation/Review")), text
	desk.screenshot("13-zh-gate-error", full_page=False)
	desk.assert_no_errors()


def test_comparison_in_chinese(zh_desk):
	desk = zh_desk
	open_report(desk, "Sales Mode Comparison")
	assert headers(desk)[0] == "指标"
	metrics = desk.page.evaluate("() => frappe.query_report.data.map((r) => r.metric)")
	assert metrics and not [m for m in metrics if english_in(m)], metrics
	assert row_of(desk, metrics[0])[0] == metrics[0]
	desk.screenshot("14-zh-comparison")

	open_report(desk, "Stage Funnel by Mode")
	# Columns: row number, mode, stage, buying phase, ...
	rows = desk.page.evaluate(
		"""() => [...document.querySelectorAll('.dt-scrollable .dt-row')].map((row) =>
			[...row.querySelectorAll('.dt-cell__content')].map((c) => c.innerText.trim()))"""
	)
	assert rows
	stages, phases = {r[2] for r in rows}, {r[3] for r in rows}
	assert phases <= {"认知", "考虑", "决策"}, phases
	assert not [s for s in stages if english_in(s)], stages
	desk.screenshot("15-zh-stage-funnel")
	desk.assert_no_errors()
