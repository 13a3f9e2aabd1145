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
from sales_modes.core.mode_sql import customer_mode_sql, lead_mode_sql, prospect_mode_sql
from sales_modes.core.modes import ModeMap

MODE_VALUES = (None, "", "B2B", "B2C")
MODE_MAPS = [ModeMap(*values) for values in itertools.product(MODE_VALUES, repeat=4)]
CUSTOMER_TYPES = (*modes.CUSTOMER_TYPE_FIELDS, None, "", "Other")
COMPANY_NAMES = (None, "", " ", "  ", "\t", "\n", " \t\r\n ", "Acme", " Acme ", "\tA", "é", "\u00a0", "'")

parties = Table("party")


@pytest.fixture(scope="module")
def db():
	connection = sqlite3.connect(":memory:")
	# SQLite's `x REGEXP p` calls regexp(p, x); NULL stays NULL, as in MariaDB
	connection.create_function(
		"REGEXP", 2, lambda pattern, value: None if value is None else re.search(pattern, value) is not None
	)
	connection.execute("CREATE TABLE party (id INTEGER, customer_type TEXT, company_name TEXT)")
	rows = list(itertools.product(CUSTOMER_TYPES, COMPANY_NAMES))
	connection.executemany("INSERT INTO party VALUES (?, ?, ?)", [(i, *row) for i, row in enumerate(rows)])
	yield connection, rows
	connection.close()


def run(db, term) -> list:
	connection, _rows = db
	sql = Query.from_(parties).select(parties.id, term).orderby(parties.id).get_sql()
	return [value for _id, value in connection.execute(sql)]


def test_every_mode_map_is_covered():
	assert len(MODE_MAPS) == 4**4
	assert set(CUSTOMER_TYPES) >= {modes.COMPANY, modes.PARTNERSHIP, modes.INDIVIDUAL}


@pytest.mark.parametrize("mode_map", MODE_MAPS, ids=str)
def test_sql_and_python_agree(db, mode_map):
	_connection, rows = db
	assert run(db, customer_mode_sql(parties.customer_type, mode_map)) == [
		modes.customer_mode(customer_type, mode_map) for customer_type, _name in rows
	]
	assert run(db, lead_mode_sql(parties.company_name, mode_map)) == [
		modes.lead_mode(company_name, mode_map) for _type, company_name in rows
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
