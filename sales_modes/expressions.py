"""Expression rules: one admin-written Python expression over `doc`, the deal (a Lead for lead rules).

What an expression may use (the README and the Stage Requirement form say the same):
- `doc.fieldname`, and `row.fieldname` for the rows of a child table: a document's fields always
  win, so `doc.items` is the Items table (a list of rows), never a dict method. `doc.get("field")`
  reads a field by name. A name that is not a field of the document is an error.
- the helpers len, any, all, bool, min, max, abs and sum;
- literals, comparisons, and/or/not, + - * / // %, `x if c else y`, and comprehensions or generator
  expressions over tables, e.g. `any(m.decision_role == "Economic Buyer" for m in doc.buying_committee)`.
Nothing else: no other calls or methods, no imports, no names but `doc`, the helpers and loop
variables, no attribute starting with "_", no slices, f-strings, lambdas or `**`. Evaluation is
bounded (MAX_STEPS loop steps, values of MAX_SIZE items), then runs through frappe.safe_eval
(RestrictedPython) with no builtins.

Rules are checked twice: statically and against a blank deal of their mode when a Sales Mode is
saved (sales_mode.py), and at run time, where an error is logged and reported as "could not be
evaluated" (core.gates.Unevaluated, worded by `describe_unmet`), never as a silent "unmet".
"""

import ast
import operator
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

import frappe
from frappe import _

HELPERS = {"len": len, "any": any, "all": all, "bool": bool, "min": min, "max": max, "abs": abs, "sum": sum}
MAX_LENGTH = 1000  # characters of an expression
MAX_STEPS = 20_000  # loop steps plus items built, per evaluation
MAX_SIZE = 10_000  # items or characters of one value an operator builds
MAX_INT_BITS = 4096

# The guards the rewritten expression calls; names an expression itself may not use
BINOP_GUARD, ITER_GUARD = "sm_guard_binop", "sm_guard_iter"

OPERATORS = {
	ast.Add: ("+", operator.add),
	ast.Sub: ("-", operator.sub),
	ast.Mult: ("*", operator.mul),
	ast.Div: ("/", operator.truediv),
	ast.FloorDiv: ("//", operator.floordiv),
	ast.Mod: ("%", operator.mod),
}
BY_SYMBOL = {symbol: function for symbol, function in OPERATORS.values()}
# Operators refused, named as written (ast.unparse gives nothing for an operator node)
SYMBOLS = {
	ast.Pow: "**",
	ast.MatMult: "@",
	ast.BitAnd: "&",
	ast.BitOr: "|",
	ast.BitXor: "^",
	ast.LShift: "<<",
	ast.RShift: ">>",
	ast.Invert: "~",
}

ALLOWED_NODES = (
	ast.Expression,
	ast.BoolOp,
	ast.And,
	ast.Or,
	ast.UnaryOp,
	ast.Not,
	ast.USub,
	ast.UAdd,
	ast.BinOp,
	*OPERATORS,
	ast.Compare,
	ast.Eq,
	ast.NotEq,
	ast.Lt,
	ast.LtE,
	ast.Gt,
	ast.GtE,
	ast.In,
	ast.NotIn,
	ast.Is,
	ast.IsNot,
	ast.IfExp,
	ast.Call,
	ast.keyword,
	ast.Name,
	ast.Load,
	ast.Store,
	ast.Constant,
	ast.Attribute,
	ast.Subscript,
	ast.List,
	ast.Tuple,
	ast.Set,
	ast.Dict,
	ast.ListComp,
	ast.SetComp,
	ast.DictComp,
	ast.GeneratorExp,
	ast.comprehension,
)


class ExpressionError(Exception):
	"""An expression refused before it runs, or stopped while running."""


def check_expression(expression: str | None) -> ast.Expression:
	"""Parse and vet an expression; raise ExpressionError saying what is wrong."""
	source = unicodedata.normalize("NFKC", (expression or "").strip())
	if not source:
		raise ExpressionError(_("The expression is empty."))
	if len(source) > MAX_LENGTH:
		raise ExpressionError(_("The expression is longer than {0} characters.").format(MAX_LENGTH))
	try:
		tree = ast.parse(source, mode="eval")
	except SyntaxError as e:
		raise ExpressionError(_("The expression does not compile: {0}").format(e.msg)) from e
	loop_names = {
		target.id
		for node in ast.walk(tree)
		if isinstance(node, ast.comprehension)
		for target in ast.walk(node.target)
		if isinstance(target, ast.Name)
	}
	known_names = {"doc", *HELPERS, *loop_names}
	for node in ast.walk(tree):
		check_node(node, known_names)
	return tree


def check_node(node: ast.AST, known_names: set[str]) -> None:
	def refuse():
		snippet = SYMBOLS.get(type(node)) or ast.unparse(node)[:80] or type(node).__name__
		raise ExpressionError(_("This is not allowed in an expression: {0}").format(snippet))

	if not isinstance(node, ALLOWED_NODES):
		refuse()
	if isinstance(node, ast.Name) and (
		node.id not in known_names or node.id.startswith("_") or node.id in (BINOP_GUARD, ITER_GUARD)
	):
		raise ExpressionError(
			_("Unknown name {0}: an expression reads doc, its loop variables and the helpers {1}.").format(
				node.id, ", ".join(HELPERS)
			)
		)
	if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
		refuse()
	if isinstance(node, ast.Subscript) and (
		isinstance(node.slice, ast.Slice)
		or (isinstance(node.slice, ast.Constant) and str(node.slice.value).startswith("_"))
	):
		refuse()
	if isinstance(node, ast.comprehension) and node.is_async:
		refuse()
	if isinstance(node, ast.keyword) and node.arg != "default":
		refuse()
	if isinstance(node, ast.Call):
		helper = isinstance(node.func, ast.Name) and node.func.id in HELPERS
		field_get = isinstance(node.func, ast.Attribute) and node.func.attr == "get"
		if not (helper or field_get) or any(isinstance(a, ast.Starred) for a in node.args):
			raise ExpressionError(
				_("Only the helpers {0} and doc.get() may be called in an expression.").format(
					", ".join(HELPERS)
				)
			)


class _Guard(ast.NodeTransformer):
	"""Route every operator and every loop through the budget of one evaluation."""

	def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
		self.generic_visit(node)
		symbol = OPERATORS[type(node.op)][0]
		call = ast.Call(ast.Name(BINOP_GUARD, ast.Load()), [ast.Constant(symbol), node.left, node.right], [])
		return ast.copy_location(call, node)

	def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
		self.generic_visit(node)
		node.iter = ast.Call(ast.Name(ITER_GUARD, ast.Load()), [node.iter], [])
		return node


@lru_cache(maxsize=256)
def guarded_source(expression: str) -> str:
	"""The vetted expression with its operators and loops guarded, as source for frappe.safe_eval."""
	return ast.unparse(ast.fix_missing_locations(_Guard().visit(check_expression(expression))))


class Budget:
	"""What one evaluation may spend: loop steps and the items of the values it builds."""

	def __init__(self):
		self.left = MAX_STEPS

	def spend(self, units: int) -> None:
		self.left -= units
		if self.left < 0:
			raise ExpressionError(_("The expression takes too many steps (more than {0}).").format(MAX_STEPS))

	def iterate(self, iterable: Iterable):
		for item in iterable:
			self.spend(1)
			yield item

	def binop(self, symbol: str, left, right):
		check_operands(symbol, left, right)
		result = BY_SYMBOL[symbol](left, right)
		if isinstance(result, str | bytes | list | tuple):
			self.spend(len(result))
		return result


def check_operands(symbol: str, left, right) -> None:
	"""Refuse, before computing it, a value too big to build."""
	sequences = (str, bytes, list, tuple)

	def too_big():
		raise ExpressionError(_("The expression builds a value larger than {0} items.").format(MAX_SIZE))

	if symbol == "%" and isinstance(left, str | bytes):
		raise ExpressionError(_("This is not allowed in an expression: {0}").format("%"))
	if symbol == "*":
		for seq, count in ((left, right), (right, left)):
			if isinstance(seq, sequences) and isinstance(count, int) and len(seq) * max(count, 0) > MAX_SIZE:
				too_big()
		if isinstance(left, int) and isinstance(right, int):
			if left.bit_length() + right.bit_length() > MAX_INT_BITS:
				too_big()
	if symbol == "+" and isinstance(left, sequences) and isinstance(right, sequences):
		if len(left) + len(right) > MAX_SIZE:
			too_big()


class Record:
	"""A document or child row as an expression sees it: its fields as attributes, first.

	Tables are lists of Records, so `doc.items` is the Items table and `row.qty` a row's field.
	"""

	__slots__ = ("_values", "_wrapped")

	def __init__(self, values: Mapping):
		object.__setattr__(self, "_values", values)
		object.__setattr__(self, "_wrapped", {})

	def __getattribute__(self, name: str):
		values = object.__getattribute__(self, "_values")
		if name in values:
			wrapped = object.__getattribute__(self, "_wrapped")
			if name not in wrapped:
				wrapped[name] = wrap(values[name])
			return wrapped[name]
		if name == "get":
			return object.__getattribute__(self, "get")
		doctype = values.get("doctype")
		raise AttributeError(
			_("{0} has no field {1}").format(_(doctype) if doctype else _("The document"), name)
		)

	def get(self, fieldname: str, default=None):
		values = object.__getattribute__(self, "_values")
		return getattr(self, fieldname) if fieldname in values else default

	def __getitem__(self, fieldname: str):
		return getattr(self, fieldname)

	def __setattr__(self, name, value):
		raise AttributeError(name)

	def __repr__(self) -> str:
		values = object.__getattribute__(self, "_values")
		return f"<{values.get('doctype') or 'Record'} {values.get('name') or ''}>"


def wrap(value):
	if isinstance(value, Mapping):
		return Record(value)
	if isinstance(value, list | tuple):
		return [wrap(v) for v in value]
	return value


def evaluate(expression: str, doc: Mapping) -> object:
	"""Evaluate a vetted, guarded expression on a document's values (a mapping, tables as lists)."""
	source = guarded_source(expression)
	budget = Budget()
	# doc sits in the globals: comprehensions have their own scope and do not see eval's locals
	eval_globals = {**HELPERS, BINOP_GUARD: budget.binop, ITER_GUARD: budget.iterate, "doc": wrap(doc)}
	return frappe.safe_eval(source, eval_globals)


def evaluate_expression(expression: str, doc: Mapping) -> object:
	"""The evaluator the gate engine runs: errors go to the Error Log, then back to the engine,
	which reports the rule as "could not be evaluated"."""
	try:
		return evaluate(expression, doc)
	except Exception:
		log_evaluation_error(expression, doc)
		raise


def log_evaluation_error(expression: str, doc: Mapping) -> None:
	doctype, name = doc.get("doctype"), doc.get("name")
	key = (expression, doctype, name)
	logged = frappe.flags.setdefault("sales_modes_logged_rules", set())
	if key in logged:  # once per rule and document in a request (a form refresh evaluates twice)
		return
	logged.add(key)
	# Deferred: a refused save rolls its transaction back, and the log must survive it
	frappe.log_error(
		title=_("Sales Modes: rule could not be evaluated"),
		message=_("Expression: {0}").format(expression) + "\n\n" + frappe.get_traceback(),
		reference_doctype=doctype,
		reference_name=name,
		defer_insert=True,
	)


def describe_unmet(requirement) -> str:
	"""The line a user reads for an unmet requirement; a rule that raised says so."""
	from sales_modes.core.gates import Unevaluated

	if isinstance(requirement, Unevaluated):
		return _("Rule {0} could not be evaluated: {1}").format(_(requirement.message), requirement.error)
	return _(requirement.message)
