# Copyright (c) 2026, Sales Modes Developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class BuyingCommitteeMember(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		contact: DF.Link | None
		decision_role: DF.Literal[
			"Economic Buyer",
			"Decision Maker",
			"Technical Evaluator",
			"Influencer",
			"End User",
			"Champion",
			"Gatekeeper",
		]
		engaged: DF.Check
		full_name: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		stance: DF.Literal["Unknown", "Supporter", "Neutral", "Skeptic", "Blocker"]
	# end: auto-generated types
	pass
