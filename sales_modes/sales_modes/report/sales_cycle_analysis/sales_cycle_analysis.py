# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

"""Per mode: how long won deals took, from the opportunity's date to its close date.

The wins are those closed in the period (by close date), whenever they were opened: a long B2B
deal opened before the period and won in it counts, with its whole cycle.
"""

from frappe import _

from sales_modes.core.metrics import CYCLE_BUCKETS, bucket_counts
from sales_modes.figures.deals import won_cycle_histograms
from sales_modes.reports import (
	chart_or_none,
	get_filters,
	get_message,
	get_modes,
	histogram_percentile,
	mode_column,
	mode_label,
	report_notes,
)

READS = ("Opportunity",)
# Cycle bucket label -> column fieldname, in CYCLE_BUCKETS order
BUCKET_FIELDS = {
	"Same Day": "same_day",
	"1-7 Days": "days_1_7",
	"8-30 Days": "days_8_30",
	"31-90 Days": "days_31_90",
	"91-180 Days": "days_91_180",
	"Over 180 Days": "over_180_days",
}


def execute(filters=None):
	filters = get_filters(filters)
	histograms = won_cycle_histograms(filters)
	modes = get_modes(filters)
	if None in histograms and not filters.sales_mode:
		modes.append(None)
	data = [make_row(mode, histograms.get(mode) or {}) for mode in modes] if histograms else []
	return (
		get_columns(),
		data,
		get_message(report_notes(filters, READS), bool(data)),
		get_chart(data),
		get_summary(data),
	)


def make_row(mode: str | None, histogram: dict[int, int]) -> dict:
	row = {
		"sales_mode": mode,
		"won": sum(histogram.values()),
		"median_days": histogram_percentile(histogram, 50),
		"p75_days": histogram_percentile(histogram, 75),
		"p90_days": histogram_percentile(histogram, 90),
	}
	for label, count in bucket_counts(histogram).items():
		row[BUCKET_FIELDS[label]] = count
	return row


def get_columns() -> list[dict]:
	columns = [
		mode_column(120),
		{"fieldname": "won", "label": _("Won Deals"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "median_days",
			"label": _("Median Days"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 110,
		},
		{
			"fieldname": "p75_days",
			"label": _("75th Percentile Days"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 140,
		},
		{
			"fieldname": "p90_days",
			"label": _("90th Percentile Days"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 140,
		},
	]
	for label, _low, _high in CYCLE_BUCKETS:
		columns.append(
			{"fieldname": BUCKET_FIELDS[label], "label": _(label), "fieldtype": "Int", "width": 110}
		)
	return columns


def get_chart(data: list[dict]) -> dict | None:
	"""The distribution: one bar group per cycle bucket, one bar per mode."""
	return chart_or_none(
		[_(label) for label, _low, _high in CYCLE_BUCKETS],
		[
			{
				"name": mode_label(row["sales_mode"]),
				"values": [row[BUCKET_FIELDS[label]] for label, _l, _h in CYCLE_BUCKETS],
			}
			for row in data
		],
	)


def get_summary(data: list[dict]) -> list[dict] | None:
	if not data:
		return None
	return [
		{
			"value": row["median_days"],
			"label": _("{0} Median Days to Win").format(mode_label(row["sales_mode"])),
			"datatype": "Float",
			"indicator": "Blue",
		}
		for row in data
	]
