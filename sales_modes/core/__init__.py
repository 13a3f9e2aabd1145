"""Frappe-free core of sales_modes: plain Python, stdlib only, testable with bare pytest."""
