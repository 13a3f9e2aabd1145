"""What the desk needs of the app's defaults, sent once with the boot info (frappe.boot.sales_modes)."""

from sales_modes.core.defaults import RESTORE_DEFAULTS_ROLES
from sales_modes.setup.defaults import shipped_mode_names


def extend_bootinfo(bootinfo) -> None:
	bootinfo.sales_modes = {
		"shipped_modes": shipped_mode_names(),
		"restore_defaults_roles": list(RESTORE_DEFAULTS_ROLES),
	}
