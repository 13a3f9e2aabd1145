"""Requirements in plain words, and suggestions for a mistyped field."""

from sales_modes.core import gates
from sales_modes.core.rule_text import RuleLabels, describe, format_number, suggest_fields


def rule(check_type, **kwargs):
	return gates.Requirement(check_type=check_type, message="Fix it", **kwargs)


def test_field_is_set_reads_the_label():
	assert (
		describe(rule(gates.FIELD_IS_SET, fieldname="budget_confirmed"), RuleLabels(field="Budget Confirmed"))
		== "Budget Confirmed is set"
	)


def test_without_a_label_the_fieldname_is_shown():
	assert describe(rule(gates.FIELD_IS_SET, fieldname="contact_email")) == "contact_email is set"


def test_minimum_value_formats_the_number():
	amount = RuleLabels(field="Amount")
	assert describe(rule(gates.MINIMUM_VALUE, fieldname="opportunity_amount", value="1000"), amount) == (
		"Amount is at least 1,000"
	)
	assert describe(rule(gates.MINIMUM_VALUE, fieldname="x", value="2.5"), amount) == "Amount is at least 2.5"
	assert describe(rule(gates.MINIMUM_VALUE, fieldname="x", value="lots"), amount) == ""


def test_minimum_rows_with_and_without_a_filter():
	labels = RuleLabels(field="Buying Committee", filter_field="Role", filter_value="Economic Buyer")
	committee = {"fieldname": "buying_committee", "filter_field": "decision_role"}
	assert (
		describe(rule(gates.MINIMUM_ROWS, value="1", filter_value="Economic Buyer", **committee), labels)
		== "Buying Committee has at least 1 row where Role = Economic Buyer"
	)
	assert (
		describe(rule(gates.MINIMUM_ROWS, value="3", filter_value="Economic Buyer", **committee), labels)
		== "Buying Committee has at least 3 rows where Role = Economic Buyer"
	)
	empty = RuleLabels(field="Buying Committee", filter_field="Role")
	assert (
		describe(rule(gates.MINIMUM_ROWS, value="2", **committee), empty)
		== "Buying Committee has at least 2 rows where Role is empty"
	)
	assert describe(rule(gates.MINIMUM_ROWS, fieldname="items"), RuleLabels(field="Items")) == (
		"Items has at least 1 row"
	)
	assert describe(rule(gates.MINIMUM_ROWS, fieldname="items", value="4"), RuleLabels(field="Items")) == (
		"Items has at least 4 rows"
	)


def test_expression_is_shown_on_one_line():
	assert (
		describe(rule(gates.EXPRESSION, expression="doc.opportunity_amount\n   > 0"))
		== "Expression: doc.opportunity_amount > 0"
	)


def test_a_check_it_cannot_word_is_named_by_its_type():
	assert describe(rule("Custom Check", value="1"), translate=lambda s: s.upper()) == "CUSTOM CHECK"


def test_submitted_documents_name_the_doctypes():
	documents = gates.Requirement(
		check_type=gates.SUBMITTED_DOCUMENTS,
		message="",
		value="1",
		document_types=("Quotation", "Sales Order"),
	)
	assert describe(documents) == "At least 1 submitted Quotation or Sales Order"
	one = gates.Requirement(
		check_type=gates.SUBMITTED_DOCUMENTS, message="", value="2", document_types=("Sales Order",)
	)
	assert describe(one) == "At least 2 submitted Sales Order"
	assert describe(gates.Requirement(check_type=gates.SUBMITTED_DOCUMENTS, message="")) == ""


def test_an_incomplete_rule_says_nothing():
	assert describe(rule(gates.FIELD_IS_SET)) == ""
	assert describe(rule(gates.EXPRESSION, expression="  ")) == ""


def test_the_template_goes_through_the_translation_function():
	zh = {"{0} has at least 1 row where {1} = {2}": "{0} 至少有 1 行 {1} = {2}"}
	labels = RuleLabels(field="采购委员会", filter_field="角色", filter_value="经济决策人")
	assert (
		describe(
			rule(
				gates.MINIMUM_ROWS,
				fieldname="buying_committee",
				filter_field="decision_role",
				filter_value="x",
			),
			labels,
			translate=lambda s: zh.get(s, s),
		)
		== "采购委员会 至少有 1 行 角色 = 经济决策人"
	)


def test_format_number():
	assert [format_number(v) for v in ("1000000", 3, "0.25", None)] == ["1,000,000", "3", "0.25", None]


FIELDS = {
	"contact_email": "Contact Email",
	"contact_mobile": "Contact Mobile",
	"opportunity_amount": "Amount",
}


def test_suggestions_for_a_typo_and_for_a_label():
	assert suggest_fields("contact_emial", FIELDS) == ["contact_email"]
	assert suggest_fields("contact_", FIELDS) == ["contact_email", "contact_mobile"]
	assert suggest_fields("Contact Email", FIELDS)[0] == "contact_email"
	assert suggest_fields("Amount", FIELDS) == ["opportunity_amount"]
	assert suggest_fields("zzz", FIELDS) == []
	assert suggest_fields("", FIELDS) == []
