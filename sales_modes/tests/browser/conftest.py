"""Fixtures of the browser tests (plain pytest + Playwright, run by scripts/browser-tests).

The environment says where the site is and how to log in:
SALES_MODES_BROWSER_URL (http://127.0.0.1:port), SALES_MODES_BROWSER_SITE (sent as
X-Frappe-Site-Name), SALES_MODES_BROWSER_PASSWORD (the password
scripts/browser-tests gave the test users), SALES_MODES_SCREENSHOTS (folder for the PNGs) and
SALES_MODES_CHROMIUM (the browser binary, default /usr/bin/chromium).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
]
# Noise of a bare gunicorn without the socket.io server, not errors of the app
IGNORED_CONSOLE = re.compile(r"socket\.io|Failed to load resource|xhr poll error|websocket", re.I)
# Frappe logs the traceback of a refused save to the console: the gate refusing is expected
EXPECTED_SERVER_ERRORS = re.compile(r"sales_modes\.gate\.StageGateError")
# Warnings that come from the app's own records (a card or chart without a colour)
APP_WARNINGS = re.compile(r"is not a valid color")


@pytest.fixture(scope="session")
def base_url():
	return os.environ["SALES_MODES_BROWSER_URL"].rstrip("/")


@pytest.fixture(scope="session")
def password():
	return os.environ["SALES_MODES_BROWSER_PASSWORD"]


@pytest.fixture(scope="session")
def shots():
	folder = Path(os.environ.get("SALES_MODES_SCREENSHOTS") or "/tmp/sales-modes-screenshots")
	folder.mkdir(parents=True, exist_ok=True)
	return folder


@pytest.fixture(scope="session")
def browser():
	with sync_playwright() as p:
		chromium = p.chromium.launch(
			executable_path=os.environ.get("SALES_MODES_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
		)
		yield chromium
		chromium.close()


class Desk:
	"""A logged-in desk session of one user, with the page errors it saw."""

	def __init__(self, browser, base_url: str, shots: Path):
		# The site is named by header: no name resolution of *.localhost needed
		site = os.environ.get("SALES_MODES_BROWSER_SITE")
		self.context = browser.new_context(
			viewport={"width": 1366, "height": 900},
			locale="en-US",
			extra_http_headers={"X-Frappe-Site-Name": site} if site else None,
		)
		self.context.set_default_timeout(20000)
		self.page = self.context.new_page()
		self.base_url = base_url
		self.shots = shots
		self.errors: list[str] = []
		self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}\n{(e.stack or '')[:600]}"))
		self.page.on(
			"console",
			lambda m: (
				m.type == "error"
				and not IGNORED_CONSOLE.search(m.text)
				and not EXPECTED_SERVER_ERRORS.search(m.text)
				and self.errors.append(f"console error: {m.text}")
			),
		)

	def on_console(self, message) -> None:
		text = message.text
		if message.type == "error" and not (
			IGNORED_CONSOLE.search(text) or EXPECTED_SERVER_ERRORS.search(text)
		):
			self.errors.append(f"console error: {text}")
		elif message.type == "warning" and APP_WARNINGS.search(text):
			self.errors.append(f"console warning: {text}")

	def login(self, user: str, password: str) -> "Desk":
		response = self.context.request.post(
			f"{self.base_url}/api/method/login", form={"usr": user, "pwd": password}
		)
		assert response.ok, f"login of {user} failed: {response.status} {response.text()[:200]}"
		return self

	def goto(self, route: str) -> None:
		self.page.goto(f"{self.base_url}/app/{route}")
		self.page.wait_for_function("() => window.frappe && frappe.boot && !frappe.dom.freeze_count")

	def api(self, method: str, **data):
		"""A whitelisted method called as this user (REST, the session's cookie)."""
		response = self.context.request.post(
			f"{self.base_url}/api/method/{method}",
			data=data,
			headers={"X-Frappe-CSRF-Token": self.csrf_token(), "Accept": "application/json"},
		)
		assert response.ok, f"{method}: {response.status} {response.text()[:500]}"
		return response.json().get("message")

	def csrf_token(self) -> str:
		return (
			self.page.evaluate("() => (window.frappe && frappe.csrf_token) || ''")
			if self.page.url.startswith(self.base_url)
			else ""
		)

	def screenshot(self, name: str, full_page: bool = True) -> Path:
		path = self.shots / f"{name}.png"
		# "Saved" toasts of earlier saves would cover the form
		self.page.evaluate("() => document.querySelectorAll('.desk-alert').forEach((a) => a.remove())")
		self.page.screenshot(path=str(path), full_page=full_page)
		return path

	# The form
	def wait_form(self, doctype: str) -> None:
		self.page.wait_for_function(
			"(dt) => window.cur_frm && cur_frm.doctype === dt && cur_frm.layout && !frappe.dom.freeze_count",
			arg=doctype,
		)

	def set_value(self, fieldname: str, value) -> None:
		self.page.evaluate("([f, v]) => cur_frm.set_value(f, v)", [fieldname, value])
		self.page.wait_for_timeout(300)

	def save(self) -> None:
		self.page.keyboard.press("Control+s")
		self.page.wait_for_timeout(500)
		self.page.wait_for_function("() => !frappe.dom.freeze_count && !frappe.request.ajax_count")

	def doc(self, fieldname: str):
		return self.page.evaluate("(f) => cur_frm.doc[f]", fieldname)

	def assert_no_errors(self) -> None:
		assert not self.errors, "\n".join(self.errors)


@pytest.fixture(scope="session")
def users():
	return {
		"rep": os.environ.get("SALES_MODES_BROWSER_REP", "sales-modes-rep@example.com"),
		"manager": os.environ.get("SALES_MODES_BROWSER_MANAGER", "sales-modes-manager@example.com"),
	}


@pytest.fixture(scope="module")
def desk_as(browser, base_url, shots, password, users):
	"""desk_as("rep") / desk_as("manager"): one session per user and module; page errors fail it."""
	sessions: dict[str, Desk] = {}

	def open_as(who: str) -> Desk:
		if who not in sessions:
			sessions[who] = Desk(browser, base_url, shots).login(users[who], password)
		return sessions[who]

	yield open_as
	errors = [e for desk in sessions.values() for e in desk.errors]
	for desk in sessions.values():
		desk.context.close()
	assert not errors, "JS errors in the desk:\n" + "\n".join(errors)
