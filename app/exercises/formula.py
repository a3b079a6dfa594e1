"""Formulas typed by the reader: a whitelist parser and a NumPy evaluator (used by exercise 4-6).

The source is parsed by Python's `ast`, walking only the node types a formula in x needs, into a small
tree of tuples, and evaluated by a recursive NumPy evaluator; nothing is ever passed to eval or exec.
Every refusal is a ValueError whose message says what is wrong.
"""

from __future__ import annotations

import ast
import math
import string
from collections.abc import Callable

import numpy as np

FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "abs": np.abs, "tanh": np.tanh,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
BINARY: dict[type[ast.operator], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide, ast.Pow: np.power,
}
OPERATOR_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.Mod: "%",
                   ast.FloorDiv: "//", ast.MatMult: "@", ast.BitXor: "^", ast.BitAnd: "&", ast.BitOr: "|",
                   ast.LShift: "<<", ast.RShift: ">>"}
MAX_EXPRESSION_LENGTH = 200
# Characters a formula may contain. No quotes or backslashes: no string literal (whose escapes make
# Python's parser warn) can ever reach ast.parse. Typographic − × · are read as - * *.
ALLOWED_CHARACTERS = frozenset(string.ascii_letters + string.digits + " +-*/().,_=%^[]{}:<>!&|~@")
TYPOGRAPHIC = str.maketrans({"−": "-", "×": "*", "·": "*"})
MAX_NODES = 100
MAX_DEPTH = 50
MAX_EXPONENT = 10.0  # largest |exponent| of ** when the exponent does not depend on x

# What a reader may have tried, named in words (anything else is named by its ast class).
_FORBIDDEN = {
    ast.Attribute: "attribute access (a.b)", ast.Subscript: "indexing (a[i])", ast.Lambda: "lambda",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.Compare: "comparisons", ast.BoolOp: "and/or",
    ast.IfExp: "if/else", ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets",
    ast.JoinedStr: "strings", ast.NamedExpr: "assignment (:=)", ast.Starred: "*args", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slices",
}
ALLOWED_TEXT = ("use numbers, x, pi, e, + - * / ** and the functions "
                + ", ".join(FUNCTIONS))

# The parsed tree: ("num", v) | ("x",) | ("neg", a) | ("bin", op, a, b) | ("call", name, a)
Node = tuple


class _Walk:
    """Convert an ast expression to a Node, refusing everything outside the whitelist."""

    def __init__(self) -> None:
        self.nodes = 0

    def convert(self, node: ast.AST, depth: int) -> Node:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise ValueError(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)")
        if self.nodes > MAX_NODES:
            raise ValueError(f"the formula is too long (more than {MAX_NODES} parts)")
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ValueError(f"{v!r} is not a number; {ALLOWED_TEXT}")
            v = float(v)  # ints become floats: no Python big-integer arithmetic ever runs
            if not math.isfinite(v):
                raise ValueError("a number in the formula is too large")
            return ("num", v)
        if isinstance(node, ast.Name):
            if node.id == "x":
                return ("x",)
            if node.id in CONSTANTS:
                return ("num", CONSTANTS[node.id])
            if node.id in FUNCTIONS:
                raise ValueError(f"{node.id} is a function: write {node.id}(...)")
            raise ValueError(f"unknown name {node.id!r}: the only variable is x, the constants are pi and e")
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return ("neg", self.convert(node.operand, depth + 1))
            if isinstance(node.op, ast.UAdd):
                return self.convert(node.operand, depth + 1)
            raise ValueError(f"the operator {type(node.op).__name__} is not allowed; {ALLOWED_TEXT}")
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op not in BINARY:
                hint = "; write powers as ** (not ^)" if op is ast.BitXor else f"; {ALLOWED_TEXT}"
                raise ValueError(f"the operator {OPERATOR_SYMBOL.get(op, op.__name__)} is not allowed{hint}")
            left = self.convert(node.left, depth + 1)
            right = self.convert(node.right, depth + 1)
            if op is ast.Pow and not _uses_x(right):
                exponent = float(np.asarray(evaluate(right, np.zeros(1))).ravel()[0])
                if not abs(exponent) <= MAX_EXPONENT:  # also catches NaN
                    raise ValueError(f"the exponent {exponent:g} is too large: |exponent| ≤ {MAX_EXPONENT:g}")
            return ("bin", op, left, right)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ValueError(f"only the functions {', '.join(FUNCTIONS)} may be called, by name")
            name = node.func.id
            if name not in FUNCTIONS:
                raise ValueError(f"unknown function {name!r}: use one of {', '.join(FUNCTIONS)}")
            if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise ValueError(f"{name} takes exactly one argument, without keywords")
            return ("call", name, self.convert(node.args[0], depth + 1))
        what = _FORBIDDEN.get(type(node), type(node).__name__)
        raise ValueError(f"{what} not allowed in a formula; {ALLOWED_TEXT}")


def _uses_x(node: Node) -> bool:
    kind = node[0]
    if kind == "x":
        return True
    if kind == "num":
        return False
    return any(_uses_x(child) for child in node[1:] if isinstance(child, tuple))


def parse_formula(source: str) -> Node:
    """Parse a formula in x into a Node tree, or raise ValueError saying what is wrong."""
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ValueError(f"the formula is longer than {MAX_EXPRESSION_LENGTH} characters")
    source = source.translate(TYPOGRAPHIC).strip()
    if not source:
        raise ValueError("the formula is empty; write one in x, e.g. sin(2*x) + abs(x)/2")
    bad = next((ch for ch in source if ch not in ALLOWED_CHARACTERS), None)
    if bad is not None:
        raise ValueError(f"the character {bad!r} is not allowed; {ALLOWED_TEXT}")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        raise ValueError(f"not a formula: {e.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ValueError("not a formula: it is nested too deeply") from None
    return _Walk().convert(tree.body, 1)


def evaluate(node: Node, x: np.ndarray) -> np.ndarray:
    """Evaluate a Node tree at the points x (any shape) with float64 NumPy; never warns."""
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(_eval(node, x), dtype=float), np.shape(x))


def _eval(node: Node, x: np.ndarray) -> np.ndarray | float:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "x":
        return x
    if kind == "neg":
        return np.negative(_eval(node[1], x))
    if kind == "bin":
        return BINARY[node[1]](np.asarray(_eval(node[2], x), dtype=float), _eval(node[3], x))
    return FUNCTIONS[node[1]](np.asarray(_eval(node[2], x), dtype=float))


def check_finite(node: Node, x: np.ndarray) -> None:
    """Raise ValueError when the formula is not finite at one of the points x."""
    values = evaluate(node, x)
    bad = ~np.isfinite(values)
    if bad.any():
        at = float(x[np.flatnonzero(bad)[0]])
        raise ValueError(f"the formula is not finite at x = {at:.4g} (a log or sqrt of a negative number, "
                         "a division by zero or an overflow); change it or the interval")
