"""Shared helpers for the bench (integration) tests of sales_modes.

SalesModesTestCase is resolved on first use, so that frappe-free helpers in this package (the
hostile traffic generator, the ERPNext comparison) import without Frappe in the pure suite.
"""

__all__ = ["SalesModesTestCase"]


def __getattr__(name: str):
	if name != "SalesModesTestCase":
		raise AttributeError(name)
	try:  # Frappe v16
		from frappe.tests import IntegrationTestCase as SalesModesTestCase
	except ImportError:  # Frappe v15
		from frappe.tests.utils import FrappeTestCase as SalesModesTestCase
	return SalesModesTestCase
