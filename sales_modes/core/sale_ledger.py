"""The sale ledger's arithmetic, without Frappe (sales_modes/sale_ledger.py keeps the rows in SQL,
figures/sales.py `mode_figures_from_ledger` reads them with the same conditions as here).

Each sale knows its customer's previous and next sale in the same company and mode, in the order
(day, name), and the customer's first sale in the company in any mode. Then for a period
[start, end] every per-customer figure of docs/metrics.md is a count over the period's rows:
- a customer (with a sale in the mode in the period) is counted once, on their first sale of the
  period: the previous sale is before `start` or there is none;
- new: that row's customer had no sale in the company before `start`;
- repeat (two sales or more in the period): that row's next sale is on or before `end`;
- intervals (sales - 1 of each repeat customer): the later sales of the period (previous >= start);
- days between a repeat customer's first and last sale of the period: the day of the last (a later
  sale whose next is after `end` or absent) minus the day of the first.
`grouped_figures` is the definition (one group per mode and customer); `period_figures` the count;
tests/test_sale_ledger.py proves them equal on random histories.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date

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
		)
		for e in entries
	]


def empty() -> dict[str, float]:
	return dict.fromkeys(FIGURES, 0)


def period_figures(
	entries: Iterable[Entry], company: str, start: date, end: date, walk_ins: Collection[str] = ()
) -> dict[str | None, dict[str, float]]:
	"""{mode: figures} counted from the linked entries of the period alone."""
	figures: dict[str | None, dict[str, float]] = {}
	for e in entries:
		if e.company != company or not start <= e.day <= end:
			continue
		f = figures.setdefault(e.mode, empty())
		f["net_revenue"] += e.amount
		if e.is_return:
			continue
		f["orders"] += 1
		if e.customer in walk_ins:
			continue
		first = e.previous_sale is None or e.previous_sale < start
		repeat_first = first and e.next_sale is not None and e.next_sale <= end
		repeat_last = not first and (e.next_sale is None or e.next_sale > end)
		if first:
			f["customers"] += 1
			f["new_customers"] += e.customer_first_sale >= start
			f["repeat_customers"] += repeat_first
		else:
			f["intervals"] += 1
		day = (e.day - start).days
		f["days_between"] += day if repeat_last else -day if repeat_first else 0
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
