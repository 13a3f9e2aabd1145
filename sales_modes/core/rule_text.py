"""Requirements in plain words, and "did you mean" for a mistyped field.

Frappe-free: the caller resolves labels from the doctype meta and passes its translation
function (the Frappe layer passes `frappe._`). Messages are marked with the local `_` so that
Frappe's extractor (and tests/translatable.py) find them; the caller's `translate` translates them.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sales_modes.core import gates

Translate = Callable[[str], str]
# The checks `describe` words; any other (one added later) is named by its type
WORDED_CHECKS = (
	gates.FIELD_IS_SET,
	gates.MINIMUM_VALUE,
	gates.MINIMUM_ROWS,
	gates.EXPRESSION,
	gates.SUBMITTED_DOCUMENTS,
)
SUGGEST_CUTOFF = 0.6  # difflib's default: below it a name is not a typo of a field
SUGGEST_MARGIN = 0.1  # suggest the fields about as close as the best match


def _(message: str) -> str:
	"""Marks a message for translation; `describe` translates it with the caller's function."""
	return message


@dataclass(frozen=True)
class RuleLabels:
	"""What the reader sees for the rule's fieldnames and filter value, translated by the caller."""

	field: str | None = None
	filter_field: str | None = None
	filter_value: str | None = None


def format_number(value: object) -> str | None:
	"""1000 -> "1,000", 2.5 -> "2.5"; None when the value is not a number."""
	try:
		number = float(value)  # type: ignore[arg-type]
	except (TypeError, ValueError):
		return None
	return f"{int(number):,}" if number.is_integer() else f"{number:,}"


def describe(rule: gates.Requirement, labels: RuleLabels | None = None, translate: Translate = _) -> str:
	"""One sentence saying what the rule asks; "" while the rule is too incomplete to say."""
	labels = labels or RuleLabels()
	check = rule.check_type
	if check == gates.EXPRESSION:
		expression = " ".join((rule.expression or "").split())
		return translate(_("Expression: {0}")).format(expression) if expression else ""
	if check not in WORDED_CHECKS:
		return translate(check) if check else ""  # a check not worded here is named by its type
	if check == gates.SUBMITTED_DOCUMENTS:
		return describe_documents(rule, translate)
	if not rule.fieldname:
		return ""
	field = labels.field or rule.fieldname
	if check == gates.FIELD_IS_SET:
		return translate(_("{0} is set")).format(field)
	if check == gates.MINIMUM_VALUE:
		minimum = format_number(rule.value)
		if minimum is None:
			return ""
		return translate(_("{0} is at least {1}")).format(field, minimum)
	return describe_rows(rule, labels, field, translate)


def describe_documents(rule: gates.Requirement, translate: Translate) -> str:
	"""At least 1 submitted Quotation or Sales Order."""
	count = format_number(rule.value or 1)
	if count is None or not rule.document_types:
		return ""
	names = [translate(doctype) for doctype in rule.document_types]
	either = (
		names[0] if len(names) == 1 else translate(_("{0} or {1}")).format(", ".join(names[:-1]), names[-1])
	)
	return translate(_("At least {0} submitted {1}")).format(count, either)


def describe_rows(rule: gates.Requirement, labels: RuleLabels, field: str, translate: Translate) -> str:
	count = format_number(rule.value or 1)
	if count is None:
		return ""
	one = count == "1"
	if not rule.filter_field:
		if one:
			return translate(_("{0} has at least 1 row")).format(field)
		return translate(_("{0} has at least {1} rows")).format(field, count)
	column = labels.filter_field or rule.filter_field
	value = labels.filter_value if labels.filter_value is not None else rule.filter_value
	if not value:
		if one:
			return translate(_("{0} has at least 1 row where {1} is empty")).format(field, column)
		return translate(_("{0} has at least {1} rows where {2} is empty")).format(field, count, column)
	if one:
		return translate(_("{0} has at least 1 row where {1} = {2}")).format(field, column, value)
	return translate(_("{0} has at least {1} rows where {2} = {3}")).format(field, count, column, value)


def suggest_fields(name: str, fields: Mapping[str, str], limit: int = 3) -> list[str]:
	"""The fieldnames closest to a mistyped name, by fieldname or by label (fields: fieldname -> label).

	A label typed where the fieldname belongs ("Contact Email") finds its field too. Only the
	matches about as close as the best one are named: one clear typo gets one suggestion.
	"""
	name = (name or "").strip().lower()
	if not name or not fields:
		return []
	scores: dict[str, float] = {}
	for fieldname, label in fields.items():
		keys = {fieldname.lower()}
		if label:
			keys |= {label.lower(), label.lower().replace(" ", "_")}
		scores[fieldname] = max(difflib.SequenceMatcher(None, name, key).ratio() for key in keys)
	ranked = sorted((score, fieldname) for fieldname, score in scores.items() if score >= SUGGEST_CUTOFF)
	ranked.reverse()
	if not ranked:
		return []
	best = ranked[0][0]
	return [fieldname for score, fieldname in ranked if score >= best - SUGGEST_MARGIN][:limit]
