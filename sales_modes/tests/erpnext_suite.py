"""ERPNext's own tests, with and without sales_modes: record every test's outcome, then compare.

    python -m sales_modes.tests.erpnext_suite run SITE DOCTYPE OUT.json    (from the bench's sites folder)
    python -m sales_modes.tests.erpnext_suite compare WITH_DIR WITHOUT_DIR

`run` runs one doctype's test module through Frappe's own runner (frappe.test_runner.main, as
`bench run-tests --doctype` does, making the doctype's test records first) and writes each test's outcome to OUT.json. `compare` reads the
files of both runs and prints them side by side. Tests that fail for want of the internet (the
bench may be offline) are left out of both runs and listed. Only `run` imports Frappe.
"""

import json
import re
import sys
import time
from pathlib import Path

# The doctypes whose ERPNext test modules are run (erpnext/<module>/doctype/<doctype>/test_<doctype>.py)
DOCTYPES = ("Lead", "Opportunity", "Customer", "Quotation", "Sales Order", "Sales Invoice")

# A failure whose traceback matches this came from a network call, not from the code under test.
# ERPNext fetches missing exchange rates from an online service and, offline, swallows the error:
# the test then fails on "Exchange Rate is mandatory. Maybe Currency Exchange record is not created".
NETWORK_ERROR = re.compile(
	r"ConnectionError|NewConnectionError|MaxRetryError|NameResolutionError|Failed to resolve|"
	r"Temporary failure in name resolution|Network is unreachable|gaierror|ConnectTimeout|"
	r"urlopen error|Connection refused|Currency Exchange record is not created|Unable to find exchange rate"
)

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
OUTCOMES = (PASSED, FAILED, ERROR, SKIPPED)


def run(site: str, doctype: str, out_path: str) -> int:
	import frappe
	import frappe.test_runner as runner

	outcomes: dict[str, dict] = {}

	class RecordingResult(runner.TimeLoggingTestResult):
		def _record(self, test, outcome, err=None):
			detail = self._exc_info_to_string(err, test)[-4000:] if err else ""
			outcomes[test.id()] = {"outcome": outcome, "detail": detail}

		def addSuccess(self, test):
			super().addSuccess(test)
			self._record(test, PASSED)

		def addFailure(self, test, err):
			super().addFailure(test, err)
			self._record(test, FAILED, err)

		def addError(self, test, err):
			super().addError(test, err)
			self._record(test, ERROR, err)

		def addSkip(self, test, reason):
			super().addSkip(test, reason)
			outcomes[test.id()] = {"outcome": SKIPPED, "detail": reason}

		def addExpectedFailure(self, test, err):
			super().addExpectedFailure(test, err)
			self._record(test, PASSED)

		def addUnexpectedSuccess(self, test):
			super().addUnexpectedSuccess(test)
			outcomes[test.id()] = {"outcome": FAILED, "detail": "unexpected success"}

	# _run_unittest looks the result class up by this name when it runs
	runner.TimeLoggingTestResult = RecordingResult
	# ERPNext's link graph reaches doctypes of apps this bench may not have (Payment Gateway, of
	# the payments app); test records are made only for doctypes the site has, on both sites alike
	all_dependencies = runner.get_dependencies
	missing_doctypes: set[str] = set()

	def get_dependencies(doctype):
		found = []
		for dependency in all_dependencies(doctype):
			if dependency == "[Select]" or frappe.db.exists("DocType", dependency):
				found.append(dependency)
			else:
				missing_doctypes.add(dependency)
		return found

	runner.get_dependencies = get_dependencies
	started = time.monotonic()
	crashed = ""
	try:
		runner.main(site, doctype=doctype)
	except Exception as e:  # a module that cannot even load is recorded, not fatal to the comparison
		crashed = f"{type(e).__name__}: {e}"
	with open(out_path, "w") as f:
		json.dump(
			{
				"doctype": doctype,
				"seconds": round(time.monotonic() - started),
				"crashed": crashed,
				"tests": outcomes,
				"doctypes_not_on_site": sorted(missing_doctypes),
			},
			f,
			indent=1,
			sort_keys=True,
		)
	return 0


def load_run(directory: str) -> dict[str, dict]:
	runs = {}
	for path in sorted(Path(directory).glob("*.json")):
		data = json.loads(path.read_text())
		runs[data["doctype"]] = data
	return runs


def needs_network(test: dict) -> bool:
	return test["outcome"] in (FAILED, ERROR) and bool(NETWORK_ERROR.search(test.get("detail") or ""))


def comparison(with_app: dict[str, dict], without_app: dict[str, dict]) -> dict:
	"""Per module: counts of each outcome in both runs, over the tests neither run needed the internet for."""
	rows, differing, offline = [], [], []
	for doctype in DOCTYPES:
		left = with_app.get(doctype, {"tests": {}, "seconds": None, "crashed": "not run"})
		right = without_app.get(doctype, {"tests": {}, "seconds": None, "crashed": "not run"})
		names = set(left["tests"]) | set(right["tests"])
		excluded = {
			n
			for n in names
			for side in (left, right)
			if n in side["tests"] and needs_network(side["tests"][n])
		}
		offline += sorted(excluded)
		kept = sorted(names - excluded)

		def counts(side, kept=kept):
			found = [side["tests"].get(n, {"outcome": "missing"})["outcome"] for n in kept]
			return {o: found.count(o) for o in (*OUTCOMES, "missing")}

		for name in kept:
			a = left["tests"].get(name, {}).get("outcome", "missing")
			b = right["tests"].get(name, {}).get("outcome", "missing")
			if a != b:
				differing.append({"test": name, "with_app": a, "without_app": b})
		rows.append(
			{
				"doctype": doctype,
				"tests": len(kept),
				"with_app": counts(left),
				"without_app": counts(right),
				"seconds": (left["seconds"], right["seconds"]),
				"crashed": (left["crashed"], right["crashed"]),
			}
		)
	return {"modules": rows, "differing": differing, "needs_network": offline}


def format_comparison(result: dict) -> str:
	def cell(c):
		return f"{c[PASSED]} ok / {c[FAILED]} fail / {c[ERROR]} err / {c[SKIPPED]} skip" + (
			f" / {c['missing']} missing" if c["missing"] else ""
		)

	lines = [
		"| doctype | tests | with sales_modes | without sales_modes | seconds (with, without) |",
		"|---|---|---|---|---|",
	]
	for row in result["modules"]:
		lines.append(
			f"| {row['doctype']} | {row['tests']} | {cell(row['with_app'])} | "
			f"{cell(row['without_app'])} | {row['seconds'][0]}, {row['seconds'][1]} |"
		)
		for side, crash in zip(("with", "without"), row["crashed"], strict=True):
			if crash:
				lines.append(f"|  | | {side}: {crash} | | |")
	lines.append("")
	lines.append(f"Tests with a different outcome: {len(result['differing'])}")
	lines += [f"  {d['test']}: with {d['with_app']}, without {d['without_app']}" for d in result["differing"]]
	lines.append(f"Left out of both runs (need the internet): {len(result['needs_network'])}")
	lines += [f"  {name}" for name in result["needs_network"]]
	return "\n".join(lines)


def main(argv: list[str]) -> int:
	if argv[0] == "run":
		return run(*argv[1:4])
	result = comparison(load_run(argv[1]), load_run(argv[2]))
	print(format_comparison(result))
	return 1 if result["differing"] else 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
