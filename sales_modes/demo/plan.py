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
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sales_modes.core.gates import ERPNEXT_SALES_STAGES

B2B = "B2B"
B2C = "B2C"

B2B_STAGES = ERPNEXT_SALES_STAGES
B2C_STAGES = ("Prospecting", "Proposal/Price Quote", "Negotiation/Review")

# The requirement a B2B stage checks, in the app's default B2B pipeline: what an override skips
B2B_STAGE_FIELDS = {
	"Qualification": "contact_email",
	"Needs Analysis": "need_description",
	"Value Proposition": "value_driver",
	"Identifying Decision Makers": "buying_committee",
	"Perception Analysis": "budget_confirmed",
	"Proposal/Price Quote": "expected_closing",
	"Negotiation/Review": "engaged",
}
OVERRIDABLE_STAGES = ("Needs Analysis", "Value Proposition", "Perception Analysis")

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
	overridden: bool = False


@dataclass
class Opportunity:
	index: int
	mode: str
	customer: int
	created: datetime
	amount: float
	outcome: str  # Won, Lost, Open
	steps: list[StageStep]
	closed: datetime | None
	lost_reason: str | None = None
	competitor: str | None = None
	committee_size: int = 0
	value_driver: str | None = None
	purchase_driver: str | None = None
	expected_closing: date | None = None
	installments: int = 1


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

	def __init__(self, seed: int = 42, scale: float = 1, today: date | None = None):
		self.seed = seed
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

	def opportunity(self, index: int) -> Opportunity:
		counts = self.counts
		mode = B2B if index < counts.b2b_opportunities else B2C
		local = index if mode == B2B else index - counts.b2b_opportunities
		customer = self.customer(self.opportunity_customer(mode, local))
		rng = rng_for(self.seed, "opportunity", index)
		if mode == B2B:
			return self.b2b_opportunity(rng, index, customer)
		return self.b2c_opportunity(rng, index, customer)

	def b2b_opportunity(self, rng: random.Random, index: int, customer: Customer) -> Opportunity:
		# most accounts' deals started a while ago: enough of them have closed by now
		created = self.moment(rng, customer.created, self.now - timedelta(days=rng.choice((10, 60, 90, 120))))
		cycle = timedelta(days=lognormal(rng, 75, 0.55, 14, 300))
		outcome = pick(rng, (("Won", 0.35), ("Lost", 0.4), ("Open", 0.25)))
		amount = round(lognormal(rng, 45000, 0.75, 5000, 600000), -2)
		last_stage = len(B2B_STAGES) - 1
		if outcome == "Lost":
			last_stage = rng.randint(1, len(B2B_STAGES) - 1)
		elif outcome == "Open":
			last_stage = rng.randint(0, len(B2B_STAGES) - 1)
		closes = created + cycle
		if closes > self.now and outcome != "Open":
			outcome = "Open"  # a deal this recent has not closed yet
		span_end = closes if outcome != "Open" else min(closes, self.now - timedelta(days=1))
		steps = self.spread_steps(rng, B2B_STAGES[: last_stage + 1], created, span_end, rng.random() < 0.3)
		opp = Opportunity(
			index,
			B2B,
			customer.index,
			created,
			amount,
			outcome,
			steps,
			closes if outcome != "Open" else None,
			committee_size=len(customer.committee),
			value_driver=rng.choice(VALUE_DRIVERS),
			expected_closing=(created + cycle).date(),
			installments=rng.choice((1, 1, 1, 2)),
		)
		if outcome == "Lost":
			opp.lost_reason = pick(rng, B2B_LOST_REASONS)
			if opp.lost_reason == "Chose a Competitor" or rng.random() < 0.3:
				opp.competitor = rng.choice(COMPETITORS)
		return opp

	def b2c_opportunity(self, rng: random.Random, index: int, customer: Customer) -> Opportunity:
		created = self.moment(rng, customer.created, self.now - timedelta(hours=2))
		cycle = timedelta(minutes=lognormal(rng, 240, 1.6, 5, 60 * 24 * 12))
		outcome = pick(rng, (("Won", 0.6), ("Lost", 0.25), ("Open", 0.15)))
		amount = round(lognormal(rng, 140, 0.6, 15, 2500), 2)
		# Consumers skip stages: often straight from the first contact to the offer or the close
		path = rng.choice(
			(
				B2C_STAGES,
				B2C_STAGES,
				("Prospecting", "Negotiation/Review"),
				("Prospecting", "Proposal/Price Quote"),
			)
		)
		if outcome == "Open":
			path = path[: rng.randint(1, len(path))]
		closes = created + cycle
		if closes > self.now and outcome != "Open":
			outcome = "Open"
		span_end = closes if outcome != "Open" else min(closes, self.now)
		steps = self.spread_steps(rng, path, created, span_end, False)
		opp = Opportunity(
			index,
			B2C,
			customer.index,
			created,
			amount,
			outcome,
			steps,
			closes if outcome != "Open" else None,
			purchase_driver=rng.choice(PURCHASE_DRIVERS),
			expected_closing=(created + cycle).date(),
		)
		if outcome == "Lost":
			opp.lost_reason = pick(rng, B2C_LOST_REASONS)
			if rng.random() < 0.3:
				opp.competitor = rng.choice(COMPETITORS)
		return opp

	def spread_steps(self, rng, stages, start: datetime, end: datetime, override: bool):
		"""Stage entry times between start and end; a few B2B moves forced through by a manager."""
		weights = [rng.uniform(0.5, 1.5) for _ in stages]
		total = sum(weights) or 1
		span = max((end - start).total_seconds(), 60)
		steps, elapsed = [], 0.0
		override_stage = rng.choice(OVERRIDABLE_STAGES) if override else None
		for stage, weight in zip(stages, weights, strict=True):
			steps.append(StageStep(stage, start + timedelta(seconds=elapsed), stage == override_stage))
			elapsed += span * 0.9 * weight / total
		return steps

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
			opp = self.opportunity(base + j)
			if opp.outcome == "Won":
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
