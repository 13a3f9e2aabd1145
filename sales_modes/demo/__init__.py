"""Realistic B2B and B2C demo data at any scale: `bench --site S sales-modes demo`.

plan.py is frappe-free (what to generate for a seed); generator.py creates scale 1 through the
real document flow; bulk.py writes large scales set-based; clear.py removes exactly the demo.
"""
