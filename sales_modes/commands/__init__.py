"""`bench --site S sales-modes demo|backfill|rebuild-sale-ledger|benchmark`: demo data, backfill,
the sale ledger and benchmark."""

import json
import time

import click
from frappe.commands import get_site, pass_context


def _(text: str) -> str:
	"""Translate once a site is connected (the CLI parses before any site is open)."""
	import frappe

	return frappe._(text) if getattr(frappe.local, "lang", None) else text


def connect(context) -> str:
	import frappe

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	return site


class Bar:
	"""A click progress bar fed by (done, total, label) or (advance, label) callbacks."""

	def __init__(self, total: int, label: str):
		self.bar = click.progressbar(length=max(total, 1), label=label, show_pos=True, width=30)
		self.bar.__enter__()
		self.done = 0

	def advance(self, n: int, label: str = "") -> None:
		if label:
			self.bar.label = label.ljust(24)
		self.bar.update(n)

	def to(self, done: int, total: int, label: str = "") -> None:
		self.bar.length = max(total, 1)
		if label:
			self.bar.label = label.ljust(24)
		self.bar.update(done - self.bar.pos)

	def close(self) -> None:
		self.bar.__exit__(None, None, None)


@click.group("sales-modes", help=_("B2B and B2C sales modes: demo data, backfill and benchmark."))
def sales_modes():
	pass


@sales_modes.command("demo", help=_("Create realistic B2B and B2C demo data, or remove it with --clear."))
@click.option(
	"--scale",
	type=float,
	default=1,
	show_default=True,
	help=_("1: the real document flow; N > 1: N units of about 1,000 invoices, set-based."),
)
@click.option("--seed", type=int, default=42, show_default=True, help=_("The same seed gives the same data."))
@click.option(
	"--clear", "clear", is_flag=True, default=False, help=_("Remove every demo record and nothing else.")
)
@pass_context
def demo(context, scale, seed, clear):
	import frappe

	connect(context)
	try:
		from sales_modes.demo.common import demo_exists

		if clear:
			from sales_modes.demo.clear import clear_demo

			bar = Bar(1, _("Removing demo data"))
			start = time.monotonic()
			removed = clear_demo(lambda d, t, label: bar.to(d, t, _(label) if label else ""))
			frappe.db.commit()
			bar.close()
			click.echo(
				_("Removed {0} demo rows in {1} s.").format(
					sum(removed.values()), round(time.monotonic() - start, 1)
				)
			)
			return
		if scale <= 0:
			raise click.ClickException(_("--scale must be greater than 0."))
		if demo_exists():
			raise click.ClickException(
				_(
					"This site already has demo data. Remove it first with: bench --site {0} sales-modes demo --clear"
				).format(frappe.local.site)
			)
		make_demo(scale, seed)
	finally:
		frappe.destroy()


def make_demo(scale: float, seed: int) -> None:
	import frappe

	from sales_modes.demo.common import site_plan

	start = time.monotonic()
	if scale <= 1:
		from sales_modes.demo.generator import RealFlowGenerator as Generator
	else:
		from sales_modes.demo.bulk import BulkGenerator as Generator
	generator = Generator(site_plan(seed=seed, scale=scale))
	bar = Bar(generator.total_steps(), _("Creating demo data"))
	generator.progress = lambda n, label: bar.advance(n, label)
	if scale > 1:
		generator.after_chunk = frappe.db.commit  # a million rows: commit chunk by chunk
	generator.run()
	frappe.db.commit()
	bar.close()
	click.echo(_("Demo data created in {0} s:").format(round(time.monotonic() - start, 1)))
	for doctype, count in generator.summary().items():
		click.echo(f"  {_(doctype)}: {count}")


@sales_modes.command("backfill", help=_("Give every party and sales document without a mode its mode."))
@click.option(
	"--batch-size",
	type=int,
	default=None,
	help=_(
		"Rows per transaction (default 10,000); 0 writes each step in one statement, which locks the rows it writes until it ends."
	),
)
@pass_context
def backfill(context, batch_size):
	import frappe

	connect(context)
	try:
		from sales_modes.backfill import BATCH_SIZE, run_backfill

		if batch_size is not None and batch_size < 0:
			raise click.ClickException(_("--batch-size must be 0 or more."))
		bar = Bar(1, _("Backfilling sales modes"))
		start = time.monotonic()
		run_backfill(
			lambda done, total, doctype: bar.to(done, total, _(doctype) if doctype else ""),
			batch_size=BATCH_SIZE if batch_size is None else batch_size,
		)
		frappe.db.commit()
		bar.close()
		from sales_modes.sale_ledger import follow_invoice_modes

		follow_invoice_modes()
		click.echo(_("Backfill done in {0} s.").format(round(time.monotonic() - start, 1)))
	finally:
		frappe.destroy()


@sales_modes.command(
	"rebuild-sale-ledger",
	help=_("Rewrite the sale ledger from the invoices (after invoices were written with SQL)."),
)
@pass_context
def rebuild_sale_ledger(context):
	import frappe

	connect(context)
	try:
		from sales_modes.sale_ledger import rebuild

		bar = Bar(1, _("Sale ledger"))
		start = time.monotonic()
		written = rebuild(progress=lambda done, total: bar.to(done, total))
		bar.close()
		click.echo(
			_("Sale ledger rebuilt in {0} s: {1} rows.").format(round(time.monotonic() - start, 1), written)
		)
	finally:
		frappe.destroy()


@sales_modes.command(
	"benchmark", help=_("Time the reports, an opportunity save and the backfill on the demo data.")
)
@click.option(
	"--scale",
	type=float,
	default=None,
	help=_("Create demo data at this scale first when the site has none."),
)
@click.option("--seed", type=int, default=42, show_default=True, help=_("The same seed gives the same data."))
@click.option(
	"--runs", type=int, default=5, show_default=True, help=_("Timed runs per measurement, after one warm-up.")
)
@click.option(
	"--output",
	default="sales_modes_benchmark.json",
	show_default=True,
	help=_("Where to write the JSON results."),
)
@click.option("--skip-backfill", is_flag=True, default=False, help=_("Do not time the backfill."))
@click.option(
	"--skip-slow",
	is_flag=True,
	default=False,
	help=_("Do not time ERPNext's Customer Acquisition and Loyalty."),
)
@click.option(
	"--targets-only",
	is_flag=True,
	default=False,
	help=_("Time only the floor and what has a target: the app's reports, number cards and charts."),
)
@pass_context
def benchmark(context, scale, seed, runs, output, skip_backfill, skip_slow, targets_only):
	import frappe

	connect(context)
	try:
		from sales_modes.demo.benchmark import Benchmark
		from sales_modes.demo.common import demo_exists

		if runs < 1:
			raise click.ClickException(_("--runs must be at least 1."))
		if scale and not demo_exists():
			make_demo(scale, seed)
		bench = Benchmark(
			runs=runs,
			skip_backfill=skip_backfill,
			skip_slow=skip_slow,
			echo=click.echo,
			targets_only=targets_only,
		)
		results = bench.run()
		click.echo(bench.table(results))
		with open(output, "w") as f:
			json.dump(results, f, indent=1, default=str)
		click.echo(_("Results written to {0}").format(output))
	finally:
		frappe.destroy()


commands = [sales_modes]
