"""What the seven Sales Modes reports share: filters, permission conditions, notes and common queries.

Every report calls `get_filters()` first (defaults, then validation), builds its frappe.qb
queries on the unaliased doctype tables and passes each through `apply_filters()`, which adds
company, period, sales mode, territory, customer group and the user's permissions, one
condition at a time. The filters are input only: what the figures leave out (a doctype the user
may not read, a filter a doctype cannot take) comes back from `report_notes()` for the doctypes
the report reads, and `get_message()` puts those notes beside the data. Nothing here writes:
reports may run on a read replica.
"""

import frappe
from frappe import _
from frappe.model.db_query import DatabaseQuery
from frappe.query_builder import DocType
from frappe.query_builder.functions import CustomFunction
from frappe.utils import add_days, add_months, formatdate, getdate, today
from pypika.terms import Criterion, LiteralValue

from sales_modes.core.metrics import percentile_from_histogram

DEFAULT_MONTHS = 12
# The app's script reports, as the workspace lists them
SCRIPT_REPORTS = (
	"Sales Mode Comparison",
	"Stage Funnel by Mode",
	"Sales Cycle Analysis",
	"Stalled Deals",
	"Repeat Purchase by Mode",
	"Disqualification Analysis",
	"Sales Mode Trends",
)
DateDiff = CustomFunction("DATEDIFF", ["end_date", "start_date"])


class NoRows(Criterion):
	"""A condition no row meets: what a user without read access to a doctype gets."""

	def get_sql(self, **kwargs):
		return "1=0"


# Doctype -> the date field that places a document in the period
DATE_FIELDS = {
	"Lead": "creation",
	"Opportunity": "transaction_date",
	"Sales Invoice": "posting_date",
	"POS Invoice": "posting_date",
}


def get_filters(filters=None, optional_period: bool = False) -> frappe._dict:
	"""Fill the defaults (the user's company, the last 12 months) and validate every filter.

	With `optional_period` (a report of the present, such as Stalled Deals) an empty From Date or
	To Date stays empty: no default period.
	"""
	filters = frappe._dict(filters or {})
	filters.company = filters.company or get_default_company()
	if optional_period:
		filters.from_date = getdate(filters.from_date) if filters.from_date else None
		filters.to_date = getdate(filters.to_date) if filters.to_date else None
	else:
		filters.to_date = getdate(filters.to_date or today())
		filters.from_date = getdate(
			filters.from_date or add_days(add_months(filters.to_date, -DEFAULT_MONTHS), 1)
		)
	validate_filters(filters)
	return filters


def get_default_company() -> str | None:
	return frappe.defaults.get_user_default("Company") or frappe.db.get_single_value(
		"Global Defaults", "default_company"
	)


def validate_filters(filters: frappe._dict) -> None:
	if not filters.company:
		frappe.throw(_("Please choose a Company."), title=_("Company Missing"))
	if filters.from_date and filters.to_date and filters.from_date > filters.to_date:
		frappe.throw(
			_("From Date {0} is after To Date {1}. Choose a From Date on or before the To Date.").format(
				frappe.bold(formatdate(filters.from_date)), frappe.bold(formatdate(filters.to_date))
			),
			title=_("Invalid Date Range"),
		)
	for fieldname, doctype, title in (
		("company", "Company", _("Unknown Company")),
		("sales_mode", "Sales Mode", _("Unknown Sales Mode")),
		("territory", "Territory", _("Unknown Territory")),
		("customer_group", "Customer Group", _("Unknown Customer Group")),
	):
		value = filters.get(fieldname)
		if value and not frappe.db.exists(doctype, value):
			frappe.throw(
				_("{0} {1} does not exist.").format(_(doctype), frappe.bold(value)),
				frappe.DoesNotExistError,
				title=title,
			)


def get_modes(filters: frappe._dict) -> list[str]:
	"""The modes a report shows side by side: the one filtered on, or every mode."""
	if filters.sales_mode:
		return [filters.sales_mode]
	return frappe.get_all("Sales Mode", pluck="name", order_by="name asc")


def tree_members(doctype: str, name: str):
	"""A subquery of the node and its descendants (Territory, Customer Group)."""
	tree = DocType(doctype)
	lft, rgt = frappe.db.get_value(doctype, name, ["lft", "rgt"])
	return frappe.qb.from_(tree).select(tree.name).where((tree.lft >= lft) & (tree.rgt <= rgt))


def apply_filters(query, table, doctype: str, filters: frappe._dict, period: bool = True):
	"""Add the shared conditions for `doctype` (its table unaliased or aliased) to `query`."""
	query = query.where(table.company == filters.company)
	if period:
		date_field = DATE_FIELDS[doctype]
		if date_field == "creation":
			query = query.where(table.creation >= filters.from_date)
			query = query.where(table.creation < add_days(filters.to_date, 1))
		else:
			query = query.where(table[date_field] >= filters.from_date)
			query = query.where(table[date_field] <= filters.to_date)
	if filters.sales_mode:
		query = query.where(table.sales_mode == filters.sales_mode)
	if filters.territory:
		query = query.where(table.territory.isin(tree_members("Territory", filters.territory)))
	if filters.customer_group and takes_customer_group(doctype):
		query = query.where(table.customer_group.isin(tree_members("Customer Group", filters.customer_group)))
	permission = permission_condition(doctype, table)
	if permission is not None:
		query = query.where(permission)
	return query


def takes_customer_group(doctype: str) -> bool:
	return frappe.get_meta(doctype).has_field("customer_group")


def roles_can_read(doctype: str) -> bool:
	role_permissions = frappe.permissions.get_role_permissions(frappe.get_meta(doctype))
	return bool(role_permissions.get("read") or role_permissions.get("select"))


def reads_nothing(doctype: str) -> bool:
	"""The user may read no record of `doctype`: no role lets them and nothing is shared with them."""
	return not roles_can_read(doctype) and not frappe.share.get_shared(doctype)


def permission_condition(doctype: str, table) -> Criterion | None:
	"""The user's read permissions on `doctype` as a condition on `table`, or None when unrestricted.

	Frappe builds the conditions (role permissions, User Permissions, permission query hooks,
	shared documents) exactly as for a list view; they enter the query as a subquery of the
	readable names, so they hold whatever alias the table has.
	"""
	if reads_nothing(doctype):
		return NoRows()
	if roles_can_read(doctype) and not DatabaseQuery(doctype).build_match_conditions():
		return None
	readable = frappe.get_list(doctype, fields=["name"], order_by=None, run=0)
	# The raw SQL is executed with named parameters: a literal percent sign must be doubled
	return table.name.isin(LiteralValue("({})".format(readable.replace("%", "%%"))))


def report_notes(filters: frappe._dict, doctypes: tuple[str, ...]) -> list[str]:
	"""What the figures drawn from `doctypes` leave out for these filters and this user.

	The same tests `apply_filters()` applies: a doctype the user may not read adds nothing, and a
	doctype without a customer group ignores the Customer Group filter.
	"""
	notes = []
	for doctype in doctypes:
		if reads_nothing(doctype):
			notes.append(_("You may not read {0} records, so their figures are left out.").format(_(doctype)))
		elif filters.customer_group and not takes_customer_group(doctype):
			notes.append(
				_(
					"{0} records have no customer group: their figures ignore the Customer Group filter."
				).format(_(doctype))
			)
	return notes


def get_message(notes: list[str], has_data: bool, empty_message: str | None = None) -> str | None:
	"""The report's message: why there is no data (when there is none), then the notes."""
	notes = list(notes)
	if not has_data:
		notes.insert(
			0,
			empty_message
			or _(
				"No data for these filters. Widen the date range or clear the Territory, Customer Group or Sales Mode filter."
			),
		)
	return "<br>".join(notes) if notes else None


def histogram_percentile(histogram: dict | None, q: float) -> float | None:
	return percentile_from_histogram(histogram or {}, q)


def mode_column(width: int = 110) -> dict:
	return {
		"fieldname": "sales_mode",
		"label": _("Sales Mode"),
		"fieldtype": "Link",
		"options": "Sales Mode",
		"width": width,
	}


def mode_label(mode: str | None) -> str:
	return _(mode) if mode else _("Not Set")


def chart_or_none(labels: list, datasets: list[dict], chart_type: str = "bar", **extra) -> dict | None:
	if not labels or not any(any(v for v in d["values"] if v) for d in datasets):
		return None
	return {"data": {"labels": labels, "datasets": datasets}, "type": chart_type, **extra}
