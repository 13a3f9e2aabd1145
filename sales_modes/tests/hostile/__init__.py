"""Hostile traffic harness (issue 9, item 9): randomized REST traffic against a live bench, then a
check of the database.

- ops.py      the seeded operation generator (frappe-free, pure-tested)
- client.py   sends the operations to a web server on 127.0.0.1 and records every answer
              (frappe-free: stdlib HTTP)
- ledger.py   what the answers add up to and which Stage Transition rows they call for
              (frappe-free, pure-tested)
- site.py     runs inside the site: makes the harness users, API keys and parties; the checker
              that reads the database and asserts the invariant with the app's own engine

scripts/hostile-traffic wires them together around a gunicorn bound to 127.0.0.1.
"""
