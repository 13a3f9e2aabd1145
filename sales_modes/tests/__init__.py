"""Shared helpers for the bench (integration) tests of sales_modes."""

try:  # Frappe v16
	from frappe.tests import IntegrationTestCase as SalesModesTestCase
except ImportError:  # Frappe v15
	from frappe.tests.utils import FrappeTestCase as SalesModesTestCase

__all__ = ["SalesModesTestCase"]
