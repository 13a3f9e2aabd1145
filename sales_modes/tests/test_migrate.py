"""Every migrate brings custom fields and indexes in line with their definitions: no patch line.

Index DDL commits in MariaDB, so each test puts the site back as it found it.
"""

from unittest.mock import patch

import frappe

from sales_modes import install
from sales_modes.setup import custom_fields, indexes
from sales_modes.tests import SalesModesTestCase

TEST_INDEX = "sales_modes_test_lead_territory"


def lead_mode_label() -> str:
	return frappe.db.get_value("Custom Field", {"dt": "Lead", "fieldname": "sales_mode"}, "label")


def our_custom_fields() -> list[dict]:
	return frappe.get_all(
		"Custom Field",
		filters={"dt": ("in", list(custom_fields.get_custom_fields()))},
		fields=["name", "modified", "label", "insert_after"],
		order_by="name",
	)


class TestMigrateSync(SalesModesTestCase):
	def tearDown(self):
		install.after_migrate()
		frappe.db.sql_ddl(f"ALTER TABLE `tabLead` DROP INDEX IF EXISTS `{TEST_INDEX}`")
		frappe.clear_cache(doctype="Lead")

	def test_a_changed_field_definition_reaches_the_site(self):
		defined = custom_fields.get_custom_fields

		def relabelled():
			fields = defined()
			for df in fields["Lead"]:
				if df["fieldname"] == "sales_mode":
					df["label"] = "Selling Mode"
			return fields

		self.assertEqual(lead_mode_label(), "Sales Mode")
		with patch.object(custom_fields, "get_custom_fields", relabelled):
			install.after_migrate()
		self.assertEqual(lead_mode_label(), "Selling Mode")
		frappe.clear_cache(doctype="Lead")
		self.assertEqual(frappe.get_meta("Lead").get_label("sales_mode"), "Selling Mode")
		install.after_migrate()
		self.assertEqual(lead_mode_label(), "Sales Mode")

	def test_a_new_or_changed_index_reaches_the_site(self):
		self.assertEqual(indexes.index_columns("Lead", TEST_INDEX), [])
		with patch.dict(indexes.INDEXES, {TEST_INDEX: ("Lead", ["territory", "creation"])}):
			install.after_migrate()
			self.assertEqual(indexes.index_columns("Lead", TEST_INDEX), ["territory", "creation"])
		with patch.dict(indexes.INDEXES, {TEST_INDEX: ("Lead", ["territory", "sales_mode"])}):
			install.after_migrate()
			self.assertEqual(indexes.index_columns("Lead", TEST_INDEX), ["territory", "sales_mode"])

	def test_a_sync_with_nothing_changed_changes_nothing(self):
		install.after_migrate()
		fields = our_custom_fields()
		shown = {
			name: indexes.index_columns(doctype, name) for name, (doctype, _c) in indexes.INDEXES.items()
		}
		install.after_migrate()
		self.assertEqual(our_custom_fields(), fields)
		self.assertEqual(
			{name: indexes.index_columns(doctype, name) for name, (doctype, _c) in indexes.INDEXES.items()},
			shown,
		)
		self.assertEqual(shown, {name: columns for name, (_doctype, columns) in indexes.INDEXES.items()})
