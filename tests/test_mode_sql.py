"""The backfill's SQL gives what the Python inference gives, for every combination.

`core/mode_sql.py` builds the SQL from the definitions `core/modes.py` reads; here each
expression is rendered and run on SQLite (REGEXP bound to Python's re, as MariaDB's PCRE reads
the same character class) over every customer type and lead shape, under every mode mapping.
The bench test (sales_modes/tests/test_backfill.py) runs the same comparison on MariaDB.
"""

import itertools
import re
import sqlite3

import pytest
from pypika import Query, Table

from sales_modes.core import modes
from sales_modes.core.deal_states import CLOSED_STATUSES, OPEN_STATUSES
from sales_modes.core.mode_sql import (
	customer_mode_sql,
	deal_follows_sql,
	document_follows_sql,
	lead_mode_sql,
	mode_source_sql,
	prospect_mode_sql,
)
from sales_modes.core.modes import ModeMap

MODE_VALUES = (None, "", "B2B", "B2C")
# company, partnership, individual, fallback and walk-in modes
MODE_MAPS = [ModeMap(*values) for values in itertools.product(MODE_VALUES, repeat=5)]
CUSTOMER_TYPES = (*modes.CUSTOMER_TYPE_FIELDS, None, "", "Other")
COMPANY_NAMES = (None, "", " ", "  ", "\t", "\n", " \t\r\n ", "Acme", " Acme ", "\tA", "é", "\u00a0", "'")
WALK_IN = (0, 1)
# What a record holds beside its mode: its mode, its source, its docstatus and (deals) status
STORED_MODES = (None, "", "B2B", "B2C")
SOURCES = (None, "", *modes.SOURCES, "Forged")
DOCSTATUSES = (None, 0, 1, 2)
STATUSES = (None, *OPEN_STATUSES, *CLOSED_STATUSES)

parties = Table("party")


@pytest.fixture(scope="module")
def db():
	connection = sqlite3.connect(":memory:")
	# SQLite's `x REGEXP p` calls regexp(p, x); NULL stays NULL, as in MariaDB
	connection.create_function(
		"REGEXP", 2, lambda pattern, value: None if value is None else re.search(pattern, value) is not None
	)
	connection.execute(
		"CREATE TABLE party (id INTEGER, customer_type TEXT, company_name TEXT, walk_in INTEGER)"
	)
	rows = list(itertools.product(CUSTOMER_TYPES, COMPANY_NAMES, WALK_IN))
	connection.executemany("INSERT INTO party VALUES (?, ?, ?, ?)", [(i, *row) for i, row in enumerate(rows)])
	connection.execute(
		"CREATE TABLE record (id INTEGER, sales_mode TEXT, inferred TEXT, source TEXT, docstatus INTEGER, status TEXT)"
	)
	records = list(itertools.product(STORED_MODES, STORED_MODES, SOURCES, DOCSTATUSES, STATUSES))
	connection.executemany(
		"INSERT INTO record VALUES (?, ?, ?, ?, ?, ?)", [(i, *row) for i, row in enumerate(records)]
	)
	yield connection, rows, records
	connection.close()


records = Table("record")


def run(db, term, table=parties) -> list:
	connection = db[0]
	sql = Query.from_(table).select(table.id, term).orderby(table.id).get_sql()
	return [value for _id, value in connection.execute(sql)]


def test_every_mode_map_is_covered():
	assert len(MODE_MAPS) == 4**5
	assert set(CUSTOMER_TYPES) >= {modes.COMPANY, modes.PARTNERSHIP, modes.INDIVIDUAL}


@pytest.mark.parametrize("mode_map", MODE_MAPS, ids=str)
def test_sql_and_python_agree(db, mode_map):
	rows = db[1]
	assert run(db, customer_mode_sql(parties.customer_type, mode_map)) == [
		modes.customer_mode(customer_type, mode_map) for customer_type, _name, _walk_in in rows
	]
	assert run(db, customer_mode_sql(parties.customer_type, mode_map, parties.walk_in == 1)) == [
		modes.customer_mode(customer_type, mode_map, walk_in=bool(walk_in))
		for customer_type, _name, walk_in in rows
	]
	assert run(db, lead_mode_sql(parties.company_name, mode_map)) == [
		modes.lead_mode(company_name, mode_map) for _type, company_name, _walk_in in rows
	]
	assert run(db, prospect_mode_sql(mode_map)) == [modes.prospect_mode(mode_map)] * len(rows)


def test_the_sql_reads_the_shared_definitions():
	"""A new customer type in CUSTOMER_TYPE_FIELDS reaches the SQL without touching it."""
	sql = Query.from_(parties).select(customer_mode_sql(parties.customer_type, ModeMap())).get_sql()
	for customer_type in modes.CUSTOMER_TYPE_FIELDS:
		assert f"'{customer_type}'" in sql
	assert (
		modes.NAME_CHARACTER
		in Query.from_(parties).select(lead_mode_sql(parties.company_name, ModeMap())).get_sql()
	)


def test_source_sql_and_python_agree(db):
	"""How existing rows are marked at upgrade: Inferred when the mode is what inference gives."""
	assert run(db, mode_source_sql(records.sales_mode, records.inferred), records) == [
		modes.mode_source(mode, inferred) for mode, inferred, *_rest in db[2]
	]


def test_what_follows_agrees_in_sql_and_python(db):
	"""The cascade's WHERE clauses select exactly the rows the Python rule says follow the party."""
	assert [bool(v) for v in run(db, document_follows_sql(records.source, records.docstatus), records)] == [
		modes.document_follows(source, docstatus) for _m, _i, source, docstatus, _s in db[2]
	]
	assert [bool(v) for v in run(db, deal_follows_sql(records.source, records.status), records)] == [
		modes.deal_follows(source, status) for _m, _i, source, _d, status in db[2]
	]
	# The rule is not vacuous: some rows follow and some keep their mode, in both kinds
	followers = [modes.document_follows(source, d) for _m, _i, source, d, _s in db[2]]
	assert any(followers) and not all(followers)
