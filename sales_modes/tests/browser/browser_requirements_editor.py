"""A manager reads and edits a mode's requirements: rules in plain words, fields picked by label."""

ECONOMIC_BUYER_RULE = "Buying Committee has at least 1 row where Role in Decision = Economic Buyer"


def open_rule(desk, text: str):
	"""Opens the row editor of the requirement whose Rule column reads `text`."""
	row = desk.page.locator('.frappe-control[data-fieldname="requirements"] .grid-body .grid-row').filter(
		has_text=text
	)
	row.first.locator(".btn-open-row").click()
	form = desk.page.locator(".grid-row-open .form-in-grid")
	form.wait_for()
	desk.page.wait_for_timeout(800)  # the field choices and labels arrive from the server
	return form


def test_requirements_read_in_plain_words_and_fields_are_picked_by_label(desk_as):
	desk = desk_as("manager")
	desk.goto("sales-mode/B2B")
	desk.wait_form("Sales Mode")
	grid = desk.page.locator('.frappe-control[data-fieldname="requirements"]')
	grid.scroll_into_view_if_needed()
	rules = grid.locator('.grid-body .grid-static-col[data-fieldname="rule_summary"]').all_inner_texts()
	assert "Contact Email is set" in [r.strip() for r in rules], rules
	assert any(r.strip().startswith("Buying Committee has at least 1 row where Role in") for r in rules)
	desk.screenshot("20-requirements-grid", full_page=False)

	form = open_rule(desk, "Role in Decision = Economic Buyer")
	field = form.locator('[data-fieldname="fieldname"] input')
	assert field.input_value() == "Buying Committee"  # the label; the stored value is the fieldname
	assert desk.page.evaluate("() => cur_frm.cur_grid.doc.fieldname") == "buying_committee"
	assert form.locator('[data-fieldname="filter_field"] input').input_value() == "Role in Decision"
	preview = form.locator('[data-fieldname="rule_summary"] .control-value, [data-fieldname="rule_summary"]')
	assert ECONOMIC_BUYER_RULE in preview.first.inner_text()

	# The Equals box offers the column's values; the preview follows the edit
	equals = form.locator('[data-fieldname="filter_value"] input')
	equals.click()
	equals.fill("")
	choices = form.locator('[data-fieldname="filter_value"] ul li').all_inner_texts()
	assert "Champion" in choices, choices
	equals.fill("Champion")
	equals.press("Tab")
	desk.page.wait_for_function(
		"() => (cur_frm.cur_grid.doc.rule_summary || '').endsWith('= Champion')", timeout=10000
	)
	desk.screenshot("21-requirement-row-editor", full_page=False)

	# The Field box lists the deal's numeric fields by label for a Minimum Value rule
	form.locator('[data-fieldname="check_type"] select').select_option("Minimum Value")
	desk.page.wait_for_timeout(800)
	field.click()
	field.fill("")
	field.press_sequentially("amount", delay=30)
	labels = form.locator('[data-fieldname="fieldname"] ul li').all_inner_texts()
	assert any(label.startswith("Opportunity Amount") for label in labels), labels
	assert not any("Contact Email" in label for label in labels), labels
	desk.page.evaluate("() => cur_frm.reload_doc()")  # leave B2B as it was
	desk.page.wait_for_function("() => !cur_frm.is_dirty()")
