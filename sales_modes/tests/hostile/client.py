"""Sends the hostile operations to a Frappe web server on 127.0.0.1 and records every answer.

    python -m sales_modes.tests.hostile.client SETUP.json RUN.json --port 8123 --seed 9 --ops 2000 --seconds 900

Frappe-free: stdlib HTTP only. SETUP.json comes from `site.setup` (users with API keys, parties,
each mode's stages). RUN.json receives, per operation, the HTTP status, the exception class and
the message, and every accepted change of a deal or lead as the server answered it (name,
`modified`, stage, status, mode), which the checker turns into the Stage Transition rows it
expects. Only ever talks to 127.0.0.1; stops after --ops operations or --seconds, whichever first.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse

from sales_modes.tests.hostile import ops as opgen

LOOPBACK = "127.0.0.1"
TIMEOUT = 60
MESSAGE_CHARS = 240


class Api:
	"""One user's REST client, with the site chosen by the Host header."""

	def __init__(self, port: int, site: str, api_key: str, api_secret: str):
		self.port, self.site = port, site
		self.auth = f"token {api_key}:{api_secret}"

	def call(self, method: str, path: str, body: dict | None = None) -> dict:
		conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=TIMEOUT)
		headers = {"Host": self.site, "Authorization": self.auth, "Accept": "application/json"}
		data = None
		if body is not None:
			data = json.dumps(body).encode()
			headers["Content-Type"] = "application/json"
		started = time.monotonic()
		try:
			conn.request(method, path, body=data, headers=headers)
			response = conn.getresponse()
			raw = response.read()
			status = response.status
		except (OSError, http.client.HTTPException) as e:
			return {
				"status": 0,
				"exc_type": type(e).__name__,
				"message": str(e),
				"readable": False,
				"data": None,
			}
		finally:
			conn.close()
		answer = parse_answer(status, raw)
		answer["seconds"] = round(time.monotonic() - started, 3)
		return answer


def strip_html(text: str) -> str:
	return html.unescape(re.sub(r"<[^>]+>", " ", text)).split("\n")[0].strip()


def server_message(payload: dict) -> str:
	"""The message a user would read: Frappe's _server_messages, else the exception line."""
	messages = []
	try:
		for item in json.loads(payload.get("_server_messages") or "[]"):
			try:
				item = json.loads(item)
			except (TypeError, ValueError):
				pass
			text = item.get("message") if isinstance(item, dict) else item
			if text:
				messages.append(" ".join(strip_html(str(text)).split()))
	except (TypeError, ValueError):
		pass
	if not messages and payload.get("exception"):
		messages.append(str(payload["exception"]).strip().splitlines()[-1])
	return " | ".join(m for m in messages if m)[:MESSAGE_CHARS]


def parse_answer(status: int, raw: bytes) -> dict:
	try:
		payload = json.loads(raw or b"{}")
	except ValueError:
		payload = {}
	if not isinstance(payload, dict):
		payload = {}
	message = server_message(payload) if status >= 400 else ""
	return {
		"status": status,
		"exc_type": payload.get("exc_type") or (None if status < 400 else f"HTTP {status}"),
		"message": message or (raw[:MESSAGE_CHARS].decode(errors="replace") if status >= 400 else ""),
		"readable": bool(message),
		"data": payload.get("data") if isinstance(payload.get("data"), dict) else None,
	}


class Traffic:
	"""Runs the operations and keeps the harness's view of every deal and lead."""

	def __init__(self, setup: dict, port: int):
		self.setup = setup
		self.apis = {
			actor: Api(port, setup["site"], user["api_key"], user["api_secret"])
			for actor, user in setup["users"].items()
		}
		self.deals: dict[str, dict] = {}  # alive deals: name -> last accepted state
		self.leads: dict[str, dict] = {}
		self.seen = {"Opportunity": set(), "Lead": set()}
		self.results: list[dict] = []
		self.accepted: list[dict] = []  # every accepted write, as the server answered it
		self.lock = threading.Lock()

	# --- bookkeeping -------------------------------------------------------------------
	def record(self, op: dict, doctype: str, name: str | None, method: str, answer: dict, part: int = 0):
		result = {
			"i": op["i"],
			"part": part,
			"kind": op["kind"],
			"actor": op["actor"],
			"doctype": doctype,
			"name": name,
			"method": method,
			**{k: answer.get(k) for k in ("status", "exc_type", "message", "readable", "seconds")},
		}
		data = answer.get("data")
		with self.lock:
			self.results.append(result)
			if 200 <= answer["status"] < 300:
				if method == "DELETE":
					self.accepted.append({"i": op["i"], "doctype": doctype, "name": name, "deleted": True})
					(self.deals if doctype == "Opportunity" else self.leads).pop(name, None)
				elif data:
					state = {
						"i": op["i"],
						"doctype": doctype,
						"name": data["name"],
						"modified": data.get("modified"),
						"sales_stage": data.get("sales_stage"),
						"status": data.get("status"),
						"sales_mode": data.get("sales_mode"),
						"qualification_status": data.get("qualification_status"),
					}
					self.accepted.append(state)
					self.seen[doctype].add(data["name"])
					(self.deals if doctype == "Opportunity" else self.leads)[data["name"]] = state
		return answer

	def send(self, op, doctype, method, name=None, body=None, actor=None, part=0):
		path = f"/api/resource/{urllib.parse.quote(doctype)}"
		if name:
			path += "/" + urllib.parse.quote(name, safe="")
		answer = self.apis[actor or op["actor"]].call(method, path, body)
		return self.record(op, doctype, name, method, answer, part)

	def resolve(self, payload: dict, deal: dict) -> dict:
		body = dict(payload)
		if "sales_stage" in body:
			stages = self.setup["stages"].get(deal.get("sales_mode") or "", [])
			body["sales_stage"] = opgen.resolve_stage(body["sales_stage"], stages, deal.get("sales_stage"))
		return body

	# --- operations --------------------------------------------------------------------
	def run_op(self, op: dict) -> None:
		kind = op["kind"]
		if kind in opgen.LEAD_KINDS:
			return self.run_lead_op(op)
		name = opgen.pick(op["target"], sorted(self.deals))
		if kind == "create_deal" or name is None:
			return self.create_deal(op)
		deal = self.deals[name]
		if kind == "delete_deal":
			return self.send(op, "Opportunity", "DELETE", name)
		if kind == "concurrent_pair":
			return self.concurrent_pair(op, name, deal)
		return self.send(op, "Opportunity", "PUT", name, self.resolve(op["payload"], deal))

	def create_deal(self, op: dict) -> None:
		mode = op.get("mode") or opgen.MODES[op["target"] % 2]
		customers = self.setup["customers"][mode]
		body = {
			"opportunity_from": "Customer",
			"party_name": customers[op["target"] % len(customers)],
			"company": self.setup["company"],
			**(op["payload"] if op["kind"] == "create_deal" else {}),
		}
		self.send(op, "Opportunity", "POST", None, body)

	def concurrent_pair(self, op: dict, name: str, deal: dict) -> None:
		"""Two saves of one deal from the same version: Frappe's `modified` check lets one through."""
		current = self.apis[op["actor"]].call("GET", f"/api/resource/Opportunity/{urllib.parse.quote(name)}")
		if not current.get("data"):
			self.record(op, "Opportunity", name, "GET", current)
			return
		version = current["data"]["modified"]
		bodies = [
			{**self.resolve(op["payload"], current["data"]), "modified": version},
			{**self.resolve(op["payload2"], current["data"]), "modified": version},
		]
		barrier = threading.Barrier(2)

		def save(part):
			barrier.wait()
			self.send(op, "Opportunity", "PUT", name, bodies[part], part=part + 1)

		threads = [threading.Thread(target=save, args=(p,)) for p in (0, 1)]
		for t in threads:
			t.start()
		for t in threads:
			t.join()

	def run_lead_op(self, op: dict) -> None:
		name = opgen.pick(op["target"], sorted(self.leads))
		if op["kind"] == "create_lead" or name is None:
			body = {
				"first_name": f"Hostile {op['i']}",
				**(op["payload"] if op["kind"] == "create_lead" else {}),
			}
			if op.get("organisation"):
				body["company_name"] = f"Hostile Org {op['i']}"
			return self.send(op, "Lead", "POST", None, body)
		if op["kind"] == "delete_lead":
			return self.send(op, "Lead", "DELETE", name)
		return self.send(op, "Lead", "PUT", name, op["payload"])


def run(setup: dict, port: int, seed: int, count: int, seconds: float) -> dict:
	traffic = Traffic(setup, port)
	planned = opgen.generate(seed, count)
	started = time.monotonic()
	ran, stopped_by = 0, "count"
	for op in planned:
		if time.monotonic() - started > seconds:
			stopped_by = "time"
			break
		traffic.run_op(op)
		ran += 1
	return {
		"seed": seed,
		"planned": count,
		"ran": ran,
		"stopped_by": stopped_by,
		"seconds": round(time.monotonic() - started, 1),
		"mix": dict(opgen.mix(planned[:ran])),
		"results": traffic.results,
		"accepted": traffic.accepted,
		"names": {doctype: sorted(names) for doctype, names in traffic.seen.items()},
	}


def main(argv: list[str]) -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("setup")
	parser.add_argument("out")
	parser.add_argument("--port", type=int, required=True)
	parser.add_argument("--seed", type=int, default=9)
	parser.add_argument("--ops", type=int, default=2000)
	parser.add_argument("--seconds", type=float, default=900)
	args = parser.parse_args(argv)
	with open(args.setup) as f:
		setup = json.load(f)
	log = run(setup, args.port, args.seed, args.ops, args.seconds)
	with open(args.out, "w") as f:
		json.dump(log, f, indent=0)
	print(
		f"Sent {log['ran']} of {log['planned']} operations in {log['seconds']} s (stopped by {log['stopped_by']})"
	)
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
