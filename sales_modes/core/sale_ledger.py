"""The sale ledger's arithmetic, without Frappe (sales_modes/sale_ledger.py keeps the rows in SQL,
figures/sales.py `mode_figures_from_ledger` reads them with the same conditions as here).

Each sale knows its customer's previous and next sale in the same company and mode, in the order
(day, name), and the customer's first sale in the company in any mode. Then for a period
[start, end] every per-customer figure of docs/metrics.md is a sum over the period's sales, each
term one comparison, with no group per customer:
- a later sale is one whose previous sale is in the period (previous >= start); every other sale
  of the period is its customer's first there, so customers = sales - later sales, and the
  intervals of the repeat customers (their sales - 1) are the later sales;
- new: a first sale in the mode ever (no previous) by a customer whose first sale in the company
  is on or after `start` (a customer with an earlier sale in the mode bought before the period);
- repeat: a first sale of the period whose next sale is in it too = the sales whose next is on or
  before `end`, less the later ones whose next is;
- days between a repeat customer's first and last sale of the period: the sum of the gaps from
  each later sale back to its previous (they add up to last - first).
Walk-in parties are no customers: their sums are taken apart and subtracted.
`grouped_figures` is the definition (one group per mode and customer); `period_figures` the sums;
tests/test_sale_ledger.py proves them equal on random histories.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date

# What figures.sales `mode_figures` gives per mode
FIGURES = (
	"orders",
	"net_revenue",
	"customers",
	"new_customers",
	"repeat_customers",
	"days_between",
	"intervals",
)


@dataclass(frozen=True)
class Entry:
	name: str
	company: str
	customer: str
	mode: str | None
	day: date
	is_return: bool = False
	amount: float = 0.0
	previous_sale: date | None = None
	next_sale: date | None = None
	customer_first_sale: date | None = None
	first_sale_in_mode: date | None = None


def link(entries: Iterable[Entry]) -> list[Entry]:
	"""The entries with their customer history filled, as a rebuild from scratch computes it."""
	entries = list(entries)
	firsts: dict[tuple, date] = {}
	orders: dict[tuple, list[Entry]] = {}
	for e in entries:
		if not e.is_return:
			key = (e.company, e.customer)
			firsts[key] = min(firsts.get(key, e.day), e.day)
			orders.setdefault((e.company, e.customer, e.mode), []).append(e)
	neighbours: dict[str, tuple[date | None, date | None]] = {}
	for sales in orders.values():
		sales.sort(key=lambda e: (e.day, e.name))
		for i, e in enumerate(sales):
			previous = sales[i - 1].day if i else None
			following = sales[i + 1].day if i + 1 < len(sales) else None
			neighbours[e.name] = (previous, following)
	return [
		replace(
			e,
			previous_sale=neighbours.get(e.name, (None, None))[0],
			next_sale=neighbours.get(e.name, (None, None))[1],
			customer_first_sale=firsts.get((e.company, e.customer)),
			first_sale_in_mode=None
			if e.is_return
			else min(o.day for o in orders[(e.company, e.customer, e.mode)]),
		)
		for e in entries
	]


def empty() -> dict[str, float]:
	return dict.fromkeys(FIGURES, 0)


def sums(entries: Iterable[Entry], start: date, end: date) -> dict[str, float]:
	"""The sums the SQL takes over one mode's sales of the period (figures.sales `ledger_sums`)."""
	totals = dict.fromkeys(("sales", "later", "new", "next_in", "later_next_in", "gaps"), 0)
	for e in entries:
		later = e.previous_sale is not None and e.previous_sale >= start
		next_in = e.next_sale is not None and e.next_sale <= end
		totals["sales"] += 1
		totals["later"] += later
		totals["new"] += e.previous_sale is None and e.customer_first_sale >= start
		totals["next_in"] += next_in
		totals["later_next_in"] += later and next_in
		totals["gaps"] += (e.day - e.previous_sale).days if later else 0
	return totals


def customer_figures(totals: dict[str, float]) -> dict[str, float]:
	"""The customer figures from the sums of `sums`."""
	return {
		"customers": totals["sales"] - totals["later"],
		"new_customers": totals["new"],
		"repeat_customers": totals["next_in"] - totals["later_next_in"],
		"days_between": totals["gaps"],
		"intervals": totals["later"],
	}


def period_figures(
	entries: Iterable[Entry], company: str, start: date, end: date, walk_ins: Collection[str] = ()
) -> dict[str | None, dict[str, float]]:
	"""{mode: figures} from sums over the linked entries of the period alone."""
	in_period = [e for e in entries if e.company == company and start <= e.day <= end]
	figures: dict[str | None, dict[str, float]] = {}
	for mode in {e.mode for e in in_period}:
		rows = [e for e in in_period if e.mode == mode]
		sales = [e for e in rows if not e.is_return]
		everyone = customer_figures(sums(sales, start, end))
		walk_in = customer_figures(sums([e for e in sales if e.customer in walk_ins], start, end))
		figures[mode] = {
			"orders": len(sales),
			"net_revenue": sum(e.amount for e in rows),
			**{key: everyone[key] - walk_in[key] for key in everyone},
		}
	return figures


def grouped_figures(
	entries: Iterable[Entry], company: str, start: date, end: date, walk_ins: Collection[str] = ()
) -> dict[str | None, dict[str, float]]:
	"""{mode: figures} by their definition: one group per mode and customer."""
	entries = [e for e in entries if e.company == company]
	first_sale: dict[str, date] = {}
	for e in entries:
		if not e.is_return:
			first_sale[e.customer] = min(first_sale.get(e.customer, e.day), e.day)
	groups: dict[tuple, list[Entry]] = {}
	for e in entries:
		if start <= e.day <= end:
			groups.setdefault((e.mode, e.customer), []).append(e)
	figures: dict[str | None, dict[str, float]] = {}
	for (mode, customer), rows in groups.items():
		f = figures.setdefault(mode, empty())
		sales = sorted(e.day for e in rows if not e.is_return)
		f["orders"] += len(sales)
		f["net_revenue"] += sum(e.amount for e in rows)
		if not sales or customer in walk_ins:
			continue
		f["customers"] += 1
		f["new_customers"] += first_sale[customer] >= start
		if len(sales) >= 2:
			f["repeat_customers"] += 1
			f["days_between"] += (sales[-1] - sales[0]).days
			f["intervals"] += len(sales) - 1
	return figures


def month_of(day: date) -> int:
	return day.year * 12 + day.month - 1


def period_cohorts(
	entries: Iterable[Entry],
	company: str,
	start: date,
	end: date,
	horizon: int,
	walk_ins: Collection[str] = (),
) -> dict[tuple, int]:
	"""{(mode, cohort month, offset): customers} counted from the linked entries: a customer is
	active in a month on their first sale of that month (no previous sale, or one in an earlier
	month), in the cohort of the month of their first sale in the mode."""
	counts: dict[tuple, int] = {}
	for e in entries:
		if e.company != company or e.is_return or e.customer in walk_ins:
			continue
		if not start <= e.first_sale_in_mode <= end or e.day < start:
			continue
		offset = month_of(e.day) - month_of(e.first_sale_in_mode)
		if offset > horizon:
			continue
		if e.previous_sale is None or month_of(e.previous_sale) < month_of(e.day):
			key = (e.mode, month_of(e.first_sale_in_mode), offset)
			counts[key] = counts.get(key, 0) + 1
	return counts


def grouped_cohorts(
	entries: Iterable[Entry],
	company: str,
	start: date,
	end: date,
	horizon: int,
	walk_ins: Collection[str] = (),
) -> dict[tuple, int]:
	"""The definition (docs/metrics.md, Cohort and Month N): per mode and customer, the month of
	their first sale in the mode, and the months after it with a sale."""
	months: dict[tuple, set[int]] = {}
	first: dict[tuple, date] = {}
	for e in entries:
		if e.company == company and not e.is_return and e.customer not in walk_ins:
			key = (e.mode, e.customer)
			first[key] = min(first.get(key, e.day), e.day)
			months.setdefault(key, set()).add(month_of(e.day))
	counts: dict[tuple, int] = {}
	for key, day in first.items():
		if start <= day <= end:
			cohort = month_of(day)
			for month in months[key]:
				if 0 <= month - cohort <= horizon:
					counted = (key[0], cohort, month - cohort)
					counts[counted] = counts.get(counted, 0) + 1
	return counts
