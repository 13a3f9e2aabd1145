"""What the demo generates for a seed: a frappe-free, deterministic plan of plain records.

Every record is drawn from its own `random.Random` seeded by (seed, kind, index), so any slice of
the plan can be produced on its own, in any order, with the same result: the bulk path streams
it in chunks and never holds a million invoices in memory, and the real-flow path reads the
same plan at scale 1.

How the two modes differ, as in life:
- B2B: companies that came in as leads, qualified on need, budget, authority and timing (or
  disqualified for no budget, no need ...); deals of tens of thousands, buying committees of 2
  to 6 people, cycles of weeks to months walking through every stage, some gates overridden
  by a manager, lost deals with reasons and competitors; few, large invoices.
- B2C: individuals, most of them walk-ins; deals that close in minutes to days and may skip
  stages; many small invoices, a loyal cohort that buys again and again, some POS sales.

What a deal carries at each stage is not written here: the plan reads the pipelines and their
Stage Requirements (the shipped default records, or the site's Sales Mode records when the
generators pass them) and asks `rules.satisfy` for the values that meet exactly what the gate
applies there, taken from the deal's profile (what the rep will come to know about the deal).
"""

from __future__ import annotations

import math
import random
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sales_modes.core import gates
from sales_modes.core.deal_states import CONVERTED, LOST, LOST_EVENT, OPEN, WON, status_event
from sales_modes.demo import rules

B2B = "B2B"
B2C = "B2C"

# What a rep records when the deal is opened; everything else waits until a rule asks for it.
# B2B reps put an estimate on a deal from the start; consumers leave a way to reach them.
INITIAL_FIELDS = {B2B: ("opportunity_amount",), B2C: ("contact_email", "purchase_driver")}
# What closing a deal writes (a won deal has its amount; ERPNext's "declare lost" its reasons),
# before the rules that apply to the win or the loss are met
CLOSING_FIELDS = {
	WON: ("opportunity_amount",),
	LOST_EVENT: ("lost_reasons", "competitors", "order_lost_reason"),
}
# The submitted documents closing leaves on a deal: the real flow wins through ERPNext's quotation
# and sales order
CLOSING_DOCUMENTS = {WON: ("Quotation", "Sales Order"), LOST_EVENT: ()}
# Written together with the field that carries them
COMPANION_FIELDS = {"budget_confirmed": ("budget_amount",)}
ROI_SUMMARY = "Payback in under a year from lower operating costs; the buyer's finance team agreed the model."
OVERRIDE_REASON = "Manager approved: the buyer confirmed this by phone, paperwork follows."
LOST_NOTE = "Told us on the last call."
DEFAULT_NEED = "Replace spreadsheets with one system."

DEMO_DAYS = 540  # about 18 months of history, so the default "last 12 months" filters are filled

B2B_DISQUALIFICATION = (("No Budget", 0.4), ("No Need", 0.3), ("No Authority", 0.15), ("Bad Timing", 0.15))
B2C_DISQUALIFICATION = (("Unreachable", 0.6), ("No Need", 0.3), ("Duplicate", 0.1))
B2B_LOST_REASONS = (("Chose a Competitor", 0.45), ("Price Too High", 0.25), ("No Decision", 0.3))
B2C_LOST_REASONS = (("Price Too High", 0.5), ("Found It Cheaper Elsewhere", 0.3), ("Changed Mind", 0.2))
COMPETITORS = ("Northwind Systems", "Contoso Software", "Initech Solutions", "Globex Corporation")
VALUE_DRIVERS = ("Cost Saving", "Efficiency", "Competitive Advantage")
PURCHASE_DRIVERS = ("Price", "Convenience", "Brand", "Need")
COMMITTEE_ROLES = (
	"Champion",
	"Technical Evaluator",
	"Influencer",
	"End User",
	"Decision Maker",
	"Gatekeeper",
)
STANCES = ("Supporter", "Neutral", "Skeptic", "Supporter", "Neutral")
TIMELINES = ("Within a Month", "1-3 Months", "3-6 Months")
FIRST_NAMES = (
	"Anna", "Ben", "Chen", "Diego", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kavya", "Liam",
	"Maria", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wei", "Yara",
)  # fmt: skip
LAST_NAMES = (
	"Almeida", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Huang", "Ivanova", "Jensen",
	"Kowalski", "Lopez", "Meyer", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka", "Weber",
)  # fmt: skip
COMPANY_WORDS = (
	"Apex", "Blue River", "Cedar", "Delta", "Evergreen", "Falcon", "Granite", "Harbor", "Iron Peak",
	"Juniper", "Keystone", "Lakeside", "Meridian", "Northgate", "Orion", "Pinnacle", "Quartz", "Redwood",
)  # fmt: skip
COMPANY_KINDS = ("Logistics", "Manufacturing", "Health", "Foods", "Energy", "Retail Group", "Engineering")


@dataclass(frozen=True)
class Counts:
	"""How many of each record; B2B and B2C customers each have a lead unless walk-ins."""

	b2b_customers: int  # each came in as a qualified B2B lead
	b2b_other_leads: int  # disqualified or still open
	b2c_lead_customers: int  # individuals who came in as leads
	b2c_walkins: int  # individuals who just bought
	b2c_other_leads: int
	b2b_opportunities: int
	b2c_opportunities: int

	@property
	def b2c_customers(self) -> int:
		return self.b2c_lead_customers + self.b2c_walkins

	@property
	def customers(self) -> int:
		return self.b2b_customers + self.b2c_customers

	@property
	def leads(self) -> int:
		return self.b2b_customers + self.b2b_other_leads + self.b2c_lead_customers + self.b2c_other_leads

	@property
	def opportunities(self) -> int:
		return self.b2b_opportunities + self.b2c_opportunities


# Scale 1 goes through the real document flow: a few hundred records in under two minutes
REAL_FLOW_COUNTS = Counts(
	b2b_customers=8,
	b2b_other_leads=6,
	b2c_lead_customers=10,
	b2c_walkins=18,
	b2c_other_leads=8,
	b2b_opportunities=12,
	b2c_opportunities=12,
)
# One unit of a large scale: 200 customers, 150 leads, 100 opportunities, about 1,000 invoices
UNIT_COUNTS = Counts(
	b2b_customers=30,
	b2b_other_leads=20,
	b2c_lead_customers=70,
	b2c_walkins=100,
	b2c_other_leads=30,
	b2b_opportunities=40,
	b2c_opportunities=60,
)


def counts_for_scale(scale: float) -> Counts:
	"""Scale 1 is the real-flow set; scale N > 1 is N units of UNIT_COUNTS (set-based)."""
	if scale <= 1:
		return Counts(*(max(1, round(v * scale)) for v in _values(REAL_FLOW_COUNTS)))
	return Counts(*(int(v * scale) for v in _values(UNIT_COUNTS)))


def _values(counts: Counts) -> tuple[int, ...]:
	return tuple(getattr(counts, f) for f in Counts.__dataclass_fields__)


@dataclass
class Lead:
	index: int
	mode: str
	first_name: str
	last_name: str
	company_name: str | None
	email: str
	created: datetime
	outcome: str  # Qualified, Disqualified, Open
	disqualification_reason: str | None = None
	decided: datetime | None = None  # qualified or disqualified on
	budget_amount: float = 0.0
	timeline: str | None = None
	need: str | None = None


@dataclass
class Customer:
	index: int
	mode: str
	customer_name: str
	customer_type: str
	created: datetime
	lead: int | None  # index into the leads of the same mode
	cohort: str  # B2B: Account; B2C: Loyal, Regular, One-off
	email: str
	committee: list[dict] = field(default_factory=list)


@dataclass
class StageStep:
	stage: str
	at: datetime
	values: dict  # the deal's fields once it rests in this stage (tables as lists of row dicts)
	overridden: bool = False
	unmet: tuple[gates.Requirement, ...] = ()  # what a manager's override passed over: the engine's list


@dataclass
class Opportunity:
	index: int
	mode: str
	customer: int
	created: datetime
	amount: float
	status: str  # an Opportunity status (core.deal_states): Open, Converted or Lost
	steps: list[StageStep]
	closed: datetime | None
	closing: dict | None = None  # the deal's fields once won or lost
	documents: tuple[str, ...] = ()  # the doctypes of its submitted documents (quotation, order)
	lost_reason: str | None = None
	competitor: str | None = None
	installments: int = 1

	@property
	def event(self) -> str | None:
		"""The Stage Transition event that closed the deal (Won, Lost), if any."""
		return status_event(OPEN, self.status)

	@property
	def values(self) -> dict:
		"""The deal's fields as they are today."""
		return self.closing if self.closing is not None else self.steps[-1].values


@dataclass
class Invoice:
	mode: str
	customer: int
	posting_date: date
	amount: float
	is_pos: bool = False
	opportunity: int | None = None  # the won deal it bills, if any


def rng_for(seed: int, kind: str, index: int) -> random.Random:
	return random.Random(f"{seed}:{kind}:{index}")


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
	roll, acc = rng.random(), 0.0
	for value, weight in weighted:
		acc += weight
		if roll < acc:
			return value
	return weighted[-1][0]


def lognormal(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
	return min(high, max(low, median * math.exp(rng.gauss(0, sigma))))


class Plan:
	"""The demo for one seed, scale and end date: each record computed on demand."""

	def __init__(
		self,
		seed: int = 42,
		scale: float = 1,
		today: date | None = None,
		pipelines: dict[str, gates.Pipeline] | None = None,
		evaluate_expression: rules.Evaluator = None,
		blank: Mapping | None = None,
	):
		"""`pipelines` by mode (default: the shipped records); `evaluate_expression` as the gate's;
		`blank`, a new Opportunity's fields: rules see a deal as that plus what the plan wrote on it."""
		self.seed = seed
		self.pipelines = pipelines or rules.default_pipelines()
		for pipeline in self.pipelines.values():
			rules.check_pipeline(pipeline)
		self.evaluate = rules.remembering(evaluate_expression)
		self.blank = blank or {}
		self.stages = {mode: tuple(s.name for s in self.pipelines[mode].stages) for mode in (B2B, B2C)}
		self.scale = scale
		self.counts = counts_for_scale(scale)
		self.today = today or date.today()
		# Midnight at the start of `today`: the whole demo lies in the past, and a seed gives the
		# same data all day long
		self.now = datetime.combine(self.today, datetime.min.time())
		self.start = self.now - timedelta(days=DEMO_DAYS)

	# Time helpers
	def moment(self, rng: random.Random, lo: datetime, hi: datetime) -> datetime:
		if hi <= lo:
			return lo
		seconds = rng.uniform(0, (hi - lo).total_seconds())
		moment = lo + timedelta(seconds=seconds)
		during_office_hours = office_hours(moment)
		return during_office_hours if lo <= during_office_hours <= hi else moment

	# Leads: B2B leads 0..b2b_customers-1 became customers; then the others. Same for B2C.
	def b2b_lead_count(self) -> int:
		return self.counts.b2b_customers + self.counts.b2b_other_leads

	def b2c_lead_count(self) -> int:
		return self.counts.b2c_lead_customers + self.counts.b2c_other_leads

	def lead(self, mode: str, index: int) -> Lead:
		rng = rng_for(self.seed, "lead-" + mode, index)
		first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
		if mode == B2B:
			company = company_name(rng, index)
			converted = index < self.counts.b2b_customers
			created = self.moment(rng, self.start, self.now - timedelta(days=45))
			domain = company.lower().replace(" ", "") + ".example.com"
			email = f"{first.lower()}.{last.lower()}@{domain}"
		else:
			company = None
			converted = index < self.counts.b2c_lead_customers
			created = self.moment(rng, self.start, self.now - timedelta(days=2))
			email = f"{first.lower()}.{last.lower()}.{index}@mail.example.com"
		lead = Lead(index, mode, first, last, company, email, created, "Open")
		if converted:
			lead.outcome = "Qualified"
		elif rng.random() < (0.6 if mode == B2B else 0.5):
			lead.outcome = "Disqualified"
			lead.disqualification_reason = pick(
				rng, B2B_DISQUALIFICATION if mode == B2B else B2C_DISQUALIFICATION
			)
		if mode == B2B:
			lead.need = rng.choice(
				(
					"Cut warehouse costs",
					"Replace a legacy ERP",
					"Faster month-end close",
					"Track field service",
				)
			)
			lead.budget_amount = round(lognormal(rng, 40000, 0.7, 5000, 400000), -2)
			lead.timeline = rng.choice(TIMELINES)
		delay = (
			timedelta(days=lognormal(rng, 8, 0.6, 1, 40))
			if mode == B2B
			else timedelta(hours=lognormal(rng, 3, 1.0, 0.1, 72))
		)
		if lead.outcome != "Open":
			lead.decided = min(self.now - timedelta(hours=1), office_hours(created + delay))
		return lead

	# Customers: B2B 0..b2b_customers-1, then B2C (lead customers first, then walk-ins)
	def customer(self, index: int) -> Customer:
		counts = self.counts
		if index < counts.b2b_customers:
			lead = self.lead(B2B, index)
			rng = rng_for(self.seed, "customer", index)
			size = rng.choice((2, 3, 3, 4, 4, 5, 6))
			committee = self.committee(rng, size, lead)
			return Customer(
				index,
				B2B,
				lead.company_name,
				"Company",
				lead.decided,
				index,
				"Account",
				lead.email,
				committee,
			)
		b2c_index = index - counts.b2b_customers
		rng = rng_for(self.seed, "customer", index)
		cohort = pick(rng, (("Loyal", 0.3), ("Regular", 0.35), ("One-off", 0.35)))
		if b2c_index < counts.b2c_lead_customers:
			lead = self.lead(B2C, b2c_index)
			name = f"{lead.first_name} {lead.last_name} {b2c_index + 1:05d}"
			return Customer(index, B2C, name, "Individual", lead.decided, b2c_index, cohort, lead.email)
		first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
		created = self.moment(rng, self.start, self.now - timedelta(days=1))
		name = f"{first} {last} {b2c_index + 1:05d}"
		email = f"{first.lower()}.{last.lower()}.w{b2c_index}@mail.example.com"
		return Customer(index, B2C, name, "Individual", created, None, cohort, email)

	def committee(self, rng: random.Random, size: int, lead: Lead) -> list[dict]:
		members = [
			{
				"first_name": lead.first_name,
				"last_name": lead.last_name,
				"email": lead.email,
				"role": "Economic Buyer",
			}
		]
		domain = lead.email.split("@")[1]
		roles = list(COMMITTEE_ROLES)
		rng.shuffle(roles)
		for i in range(size - 1):
			first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
			email = f"{first.lower()}.{last.lower()}{i}@{domain}"
			members.append(
				{"first_name": first, "last_name": last, "email": email, "role": roles[i % len(roles)]}
			)
		for member in members:
			member["stance"] = rng.choice(STANCES)
			member["engaged"] = (
				1 if member["role"] in ("Economic Buyer", "Champion") or rng.random() < 0.5 else 0
			)
		return members

	# Opportunities: B2B 0..b2b_opportunities-1, then B2C
	def customer_pool(self, mode: str) -> tuple[int, int]:
		"""(first customer index, how many) of the customers a mode's deals belong to."""
		counts = self.counts
		if mode == B2B:
			return 0, counts.b2b_customers
		# B2C deals come from people who left their details (lead customers)
		return counts.b2b_customers, counts.b2c_lead_customers or counts.b2c_customers

	def opportunity_customer(self, mode: str, index: int) -> int:
		first, pool = self.customer_pool(mode)
		return first + index % pool

	def opportunity(self, index: int, walk: bool = True) -> Opportunity:
		"""Deal `index`; without `walk`, only what its invoices need (no stages, no field values)."""
		counts = self.counts
		mode = B2B if index < counts.b2b_opportunities else B2C
		local = index if mode == B2B else index - counts.b2b_opportunities
		customer = self.customer(self.opportunity_customer(mode, local))
		rng = rng_for(self.seed, "opportunity", index)
		make = self.b2b_opportunity if mode == B2B else self.b2c_opportunity
		opp, path, span_end, expected_closing = make(rng, index, customer)
		if walk:
			profile = self.profile(rng, opp, customer, expected_closing)
			# a few B2B moves are forced through by a manager
			override = mode == B2B and rng.random() < 0.3
			opp.steps = self.walk(rng, opp, path, span_end, profile, override)
			self.close(opp, profile)
		return opp

	def b2b_opportunity(self, rng: random.Random, index: int, customer: Customer):
		stages = self.stages[B2B]
		# most accounts' deals started a while ago: enough of them have closed by now
		created = self.moment(rng, customer.created, self.now - timedelta(days=rng.choice((10, 60, 90, 120))))
		cycle = timedelta(days=lognormal(rng, 75, 0.55, 14, 300))
		status = pick(rng, ((CONVERTED, 0.35), (LOST, 0.4), (OPEN, 0.25)))
		amount = round(lognormal(rng, 45000, 0.75, 5000, 600000), -2)
		last_stage = len(stages) - 1
		if status == LOST:
			last_stage = rng.randint(1, len(stages) - 1)
		elif status == OPEN:
			last_stage = rng.randint(0, len(stages) - 1)
		closes = created + cycle
		if closes > self.now and status != OPEN:
			status = OPEN  # a deal this recent has not closed yet
		span_end = closes if status != OPEN else min(closes, self.now - timedelta(days=1))
		opp = Opportunity(index, B2B, customer.index, created, amount, status, [], None)
		opp.closed = closes if status != OPEN else None
		opp.installments = rng.choice((1, 1, 1, 2))
		self.close_story(rng, opp, B2B_LOST_REASONS)
		return opp, stages[: last_stage + 1], span_end, (created + cycle).date()

	def b2c_opportunity(self, rng: random.Random, index: int, customer: Customer):
		stages = self.stages[B2C]
		created = self.moment(rng, customer.created, self.now - timedelta(hours=2))
		cycle = timedelta(minutes=lognormal(rng, 240, 1.6, 5, 60 * 24 * 12))
		status = pick(rng, ((CONVERTED, 0.6), (LOST, 0.25), (OPEN, 0.15)))
		amount = round(lognormal(rng, 140, 0.6, 15, 2500), 2)
		# Consumers skip stages: often straight from the first contact to the offer or the close
		path = rng.choice((stages, stages, (stages[0], stages[-1]), stages[:2]))
		if status == OPEN:
			path = path[: rng.randint(1, len(path))]
		closes = created + cycle
		if closes > self.now and status != OPEN:
			status = OPEN
		span_end = closes if status != OPEN else min(closes, self.now)
		opp = Opportunity(index, B2C, customer.index, created, amount, status, [], None)
		opp.closed = closes if status != OPEN else None
		self.close_story(rng, opp, B2C_LOST_REASONS)
		return opp, path, span_end, (created + cycle).date()

	def close_story(self, rng: random.Random, opp: Opportunity, reasons) -> None:
		if opp.status == LOST:
			opp.lost_reason = pick(rng, reasons)
			if opp.lost_reason == "Chose a Competitor" or rng.random() < 0.3:
				opp.competitor = rng.choice(COMPETITORS)

	def profile(
		self, rng: random.Random, opp: Opportunity, customer: Customer, expected_closing: date
	) -> dict:
		"""Everything the rep will come to know about the deal, by Opportunity field: rules pick from it."""
		lead = self.lead(customer.mode, customer.lead) if customer.lead is not None else None
		return {
			"contact_email": customer.email,
			"opportunity_amount": opp.amount,
			"expected_closing": expected_closing,
			"need_description": (lead.need if lead else None) or DEFAULT_NEED,
			"value_driver": rng.choice(VALUE_DRIVERS),
			"purchase_driver": rng.choice(PURCHASE_DRIVERS),
			"budget_confirmed": 1,
			"budget_amount": opp.amount,
			"roi_summary": ROI_SUMMARY,
			"buying_committee": [
				{
					"full_name": f"{m['first_name']} {m['last_name']}".strip(),
					"decision_role": m["role"],
					"stance": m["stance"],
					"engaged": m["engaged"],
					"email": m["email"],  # not a column: how the real flow finds the member's Contact
				}
				for m in customer.committee
			],
			"lost_reasons": [{"lost_reason": opp.lost_reason}] if opp.lost_reason else [],
			"competitors": [{"competitor": opp.competitor}] if opp.competitor else [],
			"order_lost_reason": LOST_NOTE if opp.lost_reason else None,
		}

	def satisfy(self, values: dict, requirements, profile: dict, documents=()) -> dict:
		values = rules.satisfy(values, requirements, profile, self.evaluate, self.blank, documents)
		for fieldname, companions in COMPANION_FIELDS.items():
			if not gates.is_blank(values.get(fieldname)):
				values.update({c: profile[c] for c in companions})
		return values

	def walk(
		self, rng, opp: Opportunity, path, end: datetime, profile: dict, override: bool
	) -> list[StageStep]:
		"""The stages in `path`, each with the values that meet what the gate applies on entering it
		(and what the deal must still meet resting there); with `override`, one move that lacked
		something is forced through instead, and the rep fills it in with the next move."""
		pipeline = self.pipelines[opp.mode]
		times = self.spread_times(rng, len(path), opp.created, end)
		values = {field: profile[field] for field in INITIAL_FIELDS[opp.mode]}
		chain, lacking, previous = [], [], None
		for k, stage in enumerate(path):
			if override and k:
				entered = pipeline.requirements_for(gates.plan_move(pipeline, previous, stage).entered)
				missing = gates.unmet(entered, ChainMap(values, self.blank), self.evaluate)
				if missing:
					lacking.append((k, tuple(missing)))
			values = self.satisfy(values, rules.stage_requirements(pipeline, stage), profile)
			chain.append(values)
			previous = stage
		steps = [
			StageStep(stage, at, chain[k]) for k, (stage, at) in enumerate(zip(path, times, strict=True))
		]
		if override and lacking:
			k, missing = rng.choice(lacking)
			steps[k] = StageStep(path[k], times[k], chain[k - 1], overridden=True, unmet=missing)
		return steps

	def close(self, opp: Opportunity, profile: dict) -> None:
		"""A won or lost deal: what closing writes, then what the rules of the win or loss ask."""
		event = opp.event
		if event is None:
			return
		values = dict(opp.steps[-1].values)
		values.update({f: profile[f] for f in CLOSING_FIELDS[event] if gates.is_blank(values.get(f))})
		opp.documents = CLOSING_DOCUMENTS[event]
		rules_of_outcome = rules.outcome_requirements(self.pipelines[opp.mode], event)
		opp.closing = self.satisfy(values, rules_of_outcome, profile, opp.documents)

	def spread_times(self, rng, count: int, start: datetime, end: datetime) -> list[datetime]:
		"""Stage entry times between start and end."""
		weights = [rng.uniform(0.5, 1.5) for _ in range(count)]
		total = sum(weights) or 1
		span = max((end - start).total_seconds(), 60)
		times, elapsed = [], 0.0
		for weight in weights:
			times.append(start + timedelta(seconds=elapsed))
			elapsed += span * 0.9 * weight / total
		return times

	# Invoices, customer by customer (streamable)
	def invoices_for_customer(self, index: int) -> list[Invoice]:
		customer = self.customer(index)
		rng = rng_for(self.seed, "invoices", index)
		invoices: list[Invoice] = []
		for opp in self.won_opportunities_of(customer):
			invoices += self.deal_invoices(opp)
		if customer.mode == B2C:
			purchases = {"Loyal": rng.randint(12, 24), "Regular": rng.randint(2, 6), "One-off": 1}[
				customer.cohort
			]
			# A walk-in is created by their first purchase; a lead-customer buys some time later
			first = (
				customer.created if customer.lead is None else self.moment(rng, customer.created, self.now)
			)
			window = (self.now - first).total_seconds()
			purchases = max(1, min(purchases, int(window // (7 * 86400)) + 1))  # at most one a week
			offsets = sorted([0.0] + [rng.uniform(0, window) for _ in range(purchases - 1)])
			for offset in offsets:
				day = first + timedelta(seconds=offset)
				amount = round(lognormal(rng, 55, 0.7, 5, 900), 2)
				invoices.append(Invoice(B2C, index, day.date(), amount, is_pos=rng.random() < 0.3))
		return invoices

	def won_opportunities_of(self, customer: Customer) -> list[Opportunity]:
		"""Deal j of a mode belongs to customer j % pool: walk the customer's deals directly."""
		counts = self.counts
		first, pool = self.customer_pool(customer.mode)
		local = customer.index - first
		if local >= pool:
			return []
		n, base = (
			(counts.b2b_opportunities, 0)
			if customer.mode == B2B
			else (counts.b2c_opportunities, counts.b2b_opportunities)
		)
		won = []
		for j in range(local, n, pool):
			opp = self.opportunity(base + j, walk=False)
			if opp.status == CONVERTED:
				won.append(opp)
		return won

	def deal_invoices(self, opp: Opportunity) -> list[Invoice]:
		parts = opp.installments if opp.mode == B2B else 1
		out = []
		for k in range(parts):
			day = (opp.closed + timedelta(days=30 * k)).date()
			if day > self.today:
				break
			out.append(
				Invoice(opp.mode, opp.customer, day, round(opp.amount / parts, 2), opportunity=opp.index)
			)
		return out


def office_hours(moment: datetime) -> datetime:
	"""Move a moment into 08:00-18:00 of its day, keeping its minutes: people sell by day."""
	if 8 <= moment.hour < 18:
		return moment
	return moment.replace(hour=8 + moment.hour % 10)


def company_name(rng: random.Random, index: int) -> str:
	return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {index + 1:05d}"


def cycle_days(opp: Opportunity) -> float | None:
	if not opp.closed:
		return None
	return (opp.closed - opp.created).total_seconds() / 86400
