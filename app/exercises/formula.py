"""Formulas typed by the reader: one whitelist parser, a NumPy evaluator and two printers.

Two languages share the parser. FORMULA is 4-6's: a formula in x with sin cos tan exp log sqrt abs tanh.
ANSWER (see `answer_language`) is that of the answer checks of 4-4, 4-5 and 4-7: the variables of one
question, ^ as a power, sigmoid erf Phi phi relu max min besides, and what a Greek or Chinese keyboard
types (β λ μ σ φ Φ π x̄ ȳ M₀ − × · ², full-width brackets). The typed text is mapped to ASCII, remembering
where each character came from, parsed by Python's `ast`, and only the node types a formula needs are
turned into a small tree of tuples; nothing is ever passed to eval or exec. Every refusal is a
FormulaError (a ValueError) that says why in English and Chinese, and at which column of the typed text.
"""

from __future__ import annotations

import ast
import math
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import reduce

import numpy as np

from app.i18n import Refusal
from app.nn.activations import erf, normal_cdf, normal_pdf, sigmoid

FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "abs": np.abs, "tanh": np.tanh,
}
ANSWER_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "sigmoid": sigmoid, "tanh": np.tanh, "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs,
    "erf": erf, "Phi": normal_cdf, "phi": normal_pdf, "relu": lambda a: np.maximum(a, 0.0),
    "max": lambda *a: reduce(np.maximum, a), "min": lambda *a: reduce(np.minimum, a),
}
ARITY = {"max": (2, 4), "min": (2, 4)}  # (fewest, most) arguments; every other function takes one
_ALL_FUNCTIONS = {**ANSWER_FUNCTIONS, **FUNCTIONS}
CONSTANTS = {"pi": math.pi, "e": math.e}
BINARY: dict[type[ast.operator], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide, ast.Pow: np.power,
}
OPERATOR_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.Mod: "%",
                   ast.FloorDiv: "//", ast.MatMult: "@", ast.BitXor: "^", ast.BitAnd: "&", ast.BitOr: "|",
                   ast.LShift: "<<", ast.RShift: ">>"}
MAX_EXPRESSION_LENGTH = 200
# Characters a formula may contain once mapped to ASCII. No quotes or backslashes: no string literal (whose
# escapes make Python's parser warn) can ever reach ast.parse. Typographic − × · are read as - * *.
ALLOWED_CHARACTERS = frozenset(string.ascii_letters + string.digits + " +-*/().,_=%^[]{}:<>!&|~@")
TYPOGRAPHIC = str.maketrans({"−": "-", "×": "*", "·": "*"})
MAX_NODES = 100
MAX_DEPTH = 50
MAX_EXPONENT = 10.0  # largest |exponent| of ** when the exponent does not depend on a variable

# What a reader may have tried, named in words (anything else is named by its ast class).
_FORBIDDEN = {
    ast.Attribute: ("attribute access (a.b)", "属性访问（a.b）"), ast.Subscript: ("indexing (a[i])", "下标（a[i]）"),
    ast.Lambda: ("lambda", "lambda"), ast.ListComp: ("comprehensions", "推导式"),
    ast.SetComp: ("comprehensions", "推导式"), ast.DictComp: ("comprehensions", "推导式"),
    ast.GeneratorExp: ("comprehensions", "推导式"), ast.Compare: ("comparisons", "比较"),
    ast.BoolOp: ("and/or", "and/or"), ast.IfExp: ("if/else", "if/else"), ast.List: ("lists", "列表"),
    ast.Tuple: ("tuples", "元组"), ast.Dict: ("dicts", "字典"), ast.Set: ("sets", "集合"),
    ast.JoinedStr: ("strings", "字符串"), ast.NamedExpr: ("assignment (:=)", "赋值（:=）"),
    ast.Starred: ("*args", "*args"), ast.Await: ("await", "await"), ast.Yield: ("yield", "yield"),
    ast.YieldFrom: ("yield", "yield"), ast.Slice: ("slices", "切片"),
}
ALLOWED_TEXT = ("use numbers, x, pi, e, + - * / ** and the functions "
                + ", ".join(FUNCTIONS))

# The parsed tree: ("num", v) | ("const", name) | ("var", name) | ("neg", a) | ("bin", op, a, b)
# | ("call", name, (a, …))
Node = tuple


class FormulaError(Refusal):
    """A refused formula: why, in English (str(e), e.en) and Chinese (e.zh), and where (1-based column or None)."""

    def __init__(self, en: str, zh: str, column: int | None = None) -> None:
        super().__init__(en, zh)
        self.column = column

    def message(self, lang: str) -> str:
        """Return the refusal in `lang`, opening with its column when known."""
        if self.column is None:
            return self.zh if lang == "zh" else self.en
        return f"第 {self.column} 列：{self.zh}" if lang == "zh" else f"at column {self.column}: {self.en}"


@dataclass(frozen=True)
class Language:
    """What a formula may contain: its variables, functions, spellings and size limits."""

    variables: tuple[str, ...]
    functions: Mapping[str, Callable[..., np.ndarray]]
    allowed: tuple[str, str]  # "use …" in English and Chinese, ending every refusal of a bad construct
    caret_is_power: bool = False
    symbols: Mapping[str, str] = field(default_factory=dict)  # typed character -> ASCII text
    aliases: Mapping[str, str] = field(default_factory=dict)  # typed name -> name of the language
    call_aliases: Mapping[str, str] = field(default_factory=dict)  # name when called -> function
    max_length: int = MAX_EXPRESSION_LENGTH
    max_nodes: int = MAX_NODES
    max_depth: int = MAX_DEPTH


FORMULA = Language(("x",), FUNCTIONS, (ALLOWED_TEXT, "可用数字、x、pi、e、+ - * / ** 以及函数 " + "、".join(FUNCTIONS)),
                   symbols={"−": "-", "×": "*", "·": "*"})

# What a Greek, Chinese or maths keyboard types, as the answer language reads it.
KEYBOARD = {
    "−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "∗": "*", "÷": "/", "β": "beta", "λ": "lam", "μ": "mu",
    "σ": "sigma", "φ": "phi", "ϕ": "phi", "Φ": "Phi", "π": "pi", "ȳ": "ybar", "²": "^2", "³": "^3",
    "\u3000": " ", **{chr(0xFF01 + i): chr(0x21 + i) for i in range(94)},  # full-width ASCII of a Chinese keyboard
    **{chr(0x2080 + d): str(d) for d in range(10)},  # subscript digits: M₀ -> M0
}
BAR = "\u0304\u0305"  # combining macron and overline: x̄
ANSWER_ALIASES = {"lambda": "lam", "x_bar": "xbar", "y_bar": "ybar", "M_0": "M0", "ln": "log"}
DISPLAY = {"beta": "β", "lam": "λ", "mu": "μ", "sigma": "σ", "xbar": "x̄", "ybar": "ȳ", "M0": "M₀", "pi": "π",
           "sigmoid": "σ", "Phi": "Φ", "phi": "φ"}
MAX_ANSWER_LENGTH = 300


def answer_language(variables: tuple[str, ...]) -> Language:
    """Return the answer language of a question whose answer is a formula in `variables` (ASCII names)."""
    shown = ", ".join(DISPLAY.get(v, v) + (f" ({v})" if v in DISPLAY else "") for v in variables)
    functions = " ".join(ANSWER_FUNCTIONS)
    return Language(
        variables, ANSWER_FUNCTIONS,
        (f"use numbers, the variables {shown}, pi, e, + - * / ^ and the functions {functions}",
         f"可用数字、变量 {shown}、pi、e、+ - * / ^ 以及函数 {functions}"),
        caret_is_power=True, symbols=KEYBOARD, aliases=ANSWER_ALIASES, call_aliases={"sigma": "sigmoid"},
        max_length=MAX_ANSWER_LENGTH, max_nodes=150, max_depth=40)


# A left-hand side typed before the formula ("b =", "GELU'(x) ="), read past in the answer language.
_LEFT_SIDE = re.compile(r"\s*[^\W\d][\w′'\u0304\u0305]*\s*(\([^()=]*\))?\s*=(?!=)")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _to_ascii(source: str, lang: Language) -> tuple[str, list[int]]:
    """Map the typed text to ASCII; return it with, for each of its characters, the typed column (0-based)."""
    out: list[str] = []
    cols: list[int] = []
    start = 0
    if lang.caret_is_power and (m := _LEFT_SIDE.match(source)):
        start = m.end()
    i = start
    while i < len(source):
        at, ch = i, source[i]
        if m := _IDENT.match(source, i):
            piece, i = lang.aliases.get(m.group(), m.group()), m.end()
            if lang.caret_is_power and piece in ("x", "y") and i < len(source) and source[i] in BAR:
                piece, i = piece + "bar", i + 1
        else:
            piece, i = lang.symbols.get(ch, ch), i + 1
        if lang.caret_is_power:
            piece = piece.replace("^", "**")
        out.append(piece)
        cols.extend([at] * len(piece))
    return "".join(out), cols


def _split_names(name: str, known: list[str]) -> list[str] | None:
    """Split a run of letters into known names ("betax" -> ["beta", "x"]), or None."""
    if not name:
        return []
    for k in sorted(known, key=len, reverse=True):
        if name.startswith(k) and (rest := _split_names(name[len(k):], known)) is not None:
            return [k, *rest]
    return None


class _Walk:
    """Convert an ast expression to a Node, refusing everything outside the language."""

    def __init__(self, lang: Language, cols: list[int]) -> None:
        self.lang, self.cols, self.nodes = lang, cols, 0

    def fail(self, node: ast.AST | None, en: str, zh: str) -> FormulaError:
        offset = getattr(node, "col_offset", None)
        column = None if offset is None or not self.cols else self.cols[min(offset, len(self.cols) - 1)] + 1
        return FormulaError(en, zh, column)

    def convert(self, node: ast.AST, depth: int) -> Node:
        lang = self.lang
        self.nodes += 1
        if depth > lang.max_depth:
            raise self.fail(node, f"the formula is nested too deeply (more than {lang.max_depth} levels)",
                            f"公式嵌套过深（超过 {lang.max_depth} 层）")
        if self.nodes > lang.max_nodes:
            raise self.fail(node, f"the formula is too long (more than {lang.max_nodes} parts)",
                            f"公式过长（超过 {lang.max_nodes} 个部分）")
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise self.fail(node, f"{v!r} is not a number; {lang.allowed[0]}", f"{v!r} 不是数字；{lang.allowed[1]}")
            v = float(v)  # ints become floats: no Python big-integer arithmetic ever runs
            if not math.isfinite(v):
                raise self.fail(node, "a number in the formula is too large", "公式中的某个数太大")
            return ("num", v)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return ("neg", self.convert(node.operand, depth + 1))
            if isinstance(node.op, ast.UAdd):
                return self.convert(node.operand, depth + 1)
            raise self.fail(node, f"the operator {type(node.op).__name__} is not allowed; {lang.allowed[0]}",
                            f"不允许使用运算符 {type(node.op).__name__}；{lang.allowed[1]}")
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        en, zh = _FORBIDDEN.get(type(node), (type(node).__name__, type(node).__name__))
        raise self.fail(node, f"{en} not allowed in a formula; {lang.allowed[0]}", f"公式中不允许{zh}；{lang.allowed[1]}")

    def name(self, node: ast.Name) -> Node:
        lang, name = self.lang, node.id
        if name in lang.variables:
            return ("var", name)
        if name in CONSTANTS:
            return ("const", name)
        if name in lang.functions or name in lang.call_aliases:
            raise self.fail(node, f"{name} is a function: write {name}(...)", f"{name} 是函数：请写成 {name}(...)")
        known = [*lang.variables, *CONSTANTS, *lang.functions]
        if lang.caret_is_power and (parts := _split_names(name, known)) and len(parts) > 1:
            raise self.fail(node, f"unknown name {name!r}: to multiply, write {'*'.join(parts)}",
                            f"未知的名字 {name!r}：相乘请写成 {'*'.join(parts)}")
        if len(lang.variables) == 1 and not lang.caret_is_power:
            raise self.fail(node, f"unknown name {name!r}: the only variable is x, the constants are pi and e",
                            f"未知的名字 {name!r}：唯一的变量是 x，常数是 pi 和 e")
        near = [v for v in lang.variables if v.lower() == name.lower() or v.startswith(name)]  # y -> ybar
        hint = (f"did you mean {near[0]}? " if near else "", f"是不是 {near[0]}？" if near else "")
        raise self.fail(node, f"unknown name {name!r}: {hint[0]}{lang.allowed[0]}",
                        f"未知的名字 {name!r}：{hint[1]}{lang.allowed[1]}")

    def binary(self, node: ast.BinOp, depth: int) -> Node:
        lang, op = self.lang, type(node.op)
        if op not in BINARY:
            symbol = OPERATOR_SYMBOL.get(op, op.__name__)
            hint = ("; write powers as ** (not ^)", "；乘方请写成 **（不是 ^）") if op is ast.BitXor and not \
                lang.caret_is_power else (f"; {lang.allowed[0]}", f"；{lang.allowed[1]}")
            raise self.fail(node, f"the operator {symbol} is not allowed{hint[0]}", f"不允许使用运算符 {symbol}{hint[1]}")
        # a + b + c … is a left spine of BinOps: long, not deep (the node count bounds it)
        left = self.convert(node.left, depth if isinstance(node.left, ast.BinOp) else depth + 1)
        right = self.convert(node.right, depth + 1)
        if op is ast.Pow and not variables_of(right):
            exponent = float(np.asarray(evaluate(right, {})).ravel()[0])
            if not abs(exponent) <= MAX_EXPONENT:  # also catches NaN
                raise self.fail(node.right, f"the exponent {exponent:g} is too large: |exponent| ≤ {MAX_EXPONENT:g}",
                                f"指数 {exponent:g} 太大：|指数| ≤ {MAX_EXPONENT:g}")
        return ("bin", op, left, right)

    def call(self, node: ast.Call, depth: int) -> Node:
        lang, names = self.lang, ", ".join(self.lang.functions)
        if not isinstance(node.func, ast.Name):
            if lang.caret_is_power:
                raise self.fail(node, "to multiply, write * between the factors, e.g. (x+1)*(x-1)",
                                "相乘请在因子之间写 *，例如 (x+1)*(x-1)")
            raise self.fail(node, f"only the functions {names} may be called, by name", f"只能按名字调用函数 {names}")
        name = lang.call_aliases.get(node.func.id, node.func.id)
        if name not in lang.functions:
            if name in lang.variables or name in CONSTANTS:
                raise self.fail(node, f"{name} is not a function: to multiply, write {name}*(...)",
                                f"{name} 不是函数：相乘请写成 {name}*(...)")
            raise self.fail(node, f"unknown function {name!r}: use one of {names}", f"未知的函数 {name!r}：可用 {names}")
        lo, hi = ARITY.get(name, (1, 1)) if lang.caret_is_power else (1, 1)
        if node.keywords or not lo <= len(node.args) <= hi or any(isinstance(a, ast.Starred) for a in node.args):
            count = ("exactly one argument", "恰好一个参数") if hi == 1 else (f"{lo} to {hi} arguments", f" {lo} 到 {hi} 个参数")
            raise self.fail(node, f"{name} takes {count[0]}, without keywords", f"{name} 接受{count[1]}，不能用关键字参数")
        return ("call", name, tuple(self.convert(a, depth + 1) for a in node.args))


def variables_of(node: Node) -> set[str]:
    """Return the names of the variables a Node uses."""
    kind = node[0]
    if kind == "var":
        return {node[1]}
    if kind == "neg":
        return variables_of(node[1])
    if kind == "bin":
        return variables_of(node[2]) | variables_of(node[3])
    if kind == "call":
        return set().union(*(variables_of(a) for a in node[2]))
    return set()


def _syntax_error(e: SyntaxError, text: str, cols: list[int]) -> FormulaError:
    offset = (e.offset or 0) - 1  # Python reports 0 (or nothing) for "at the end"
    end = offset < 0 or offset >= len(cols)
    column = cols[-1] + 2 if end else cols[offset] + 1
    msg = e.msg or ""
    if "never closed" in msg:
        return FormulaError("this parenthesis is never closed", "这个括号没有闭合", column)
    if "unmatched" in msg or "does not match" in msg:
        return FormulaError("this parenthesis has no partner", "这个括号没有与之配对的括号", column)
    if "decimal literal" in msg:
        return FormulaError("to multiply a number, write 2*x, not 2x", "数与后面的量相乘请写成 2*x，而不是 2x", column)
    if end:
        return FormulaError("the formula ends too early: an operand is missing", "公式提前结束：缺少运算对象", column)
    before = text[:offset].rstrip()
    if before and (before[-1].isalnum() or before[-1] in "_)") and (text[offset].isalnum() or text[offset] in "_("):
        return FormulaError("two terms side by side: to multiply, write * between them",
                            "两个量并排写在一起：相乘请在中间写 *", column)
    return FormulaError("cannot read the formula here: check the operators and parentheses",
                        "无法解析此处：请检查运算符和括号", column)


def parse(source: str, lang: Language) -> Node:
    """Parse a formula of `lang` into a Node tree, or raise FormulaError saying why and where."""
    if len(source) > lang.max_length:
        raise FormulaError(f"the formula is longer than {lang.max_length} characters",
                           f"公式超过 {lang.max_length} 个字符")
    text, cols = _to_ascii(source, lang)
    lead = len(text) - len(text.lstrip())
    text, cols = text.strip(), cols[lead:lead + len(text.strip())]
    if not text:
        example = ("e.g. sin(2*x) + abs(x)/2", "例如 sin(2*x) + abs(x)/2") if lang is FORMULA else ("", "")
        raise FormulaError(f"the formula is empty; write one in {', '.join(lang.variables)}{', ' if example[0] else ''}"
                           f"{example[0]}", f"公式为空；请写一个关于 {'、'.join(lang.variables)} 的公式{example[1]}")
    bad = next((i for i, ch in enumerate(text) if ch not in ALLOWED_CHARACTERS), None)
    if bad is not None:
        ch, where = text[bad], cols[bad] + 1
        if ch == "√":
            raise FormulaError("write square roots as sqrt(...)", "平方根请写成 sqrt(...)", where)
        raise FormulaError(f"the character {ch!r} is not allowed; {lang.allowed[0]}",
                           f"不允许使用字符 {ch!r}；{lang.allowed[1]}", where)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        raise _syntax_error(e, text, cols) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("not a formula: it is nested too deeply", "无法解析：嵌套过深") from None
    return _Walk(lang, cols).convert(tree.body, 1)


def parse_formula(source: str) -> Node:
    """Parse a formula in x (4-6's language) into a Node tree, or raise FormulaError saying what is wrong."""
    return parse(source, FORMULA)


def evaluate(node: Node, x: np.ndarray | Mapping[str, np.ndarray]) -> np.ndarray:
    """Evaluate a Node tree at the points x (any shape; or {variable: values}) with float64 NumPy; never warns."""
    values = x if isinstance(x, Mapping) else {"x": x}
    shape = np.broadcast_shapes(*(np.shape(v) for v in values.values()))
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(_eval(node, values), dtype=float), shape)


def _eval(node: Node, values: Mapping[str, np.ndarray]) -> np.ndarray | float:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "const":
        return CONSTANTS[node[1]]
    if kind == "var":
        return values[node[1]]
    if kind == "neg":
        return np.negative(_eval(node[1], values))
    if kind == "bin":
        return BINARY[node[1]](np.asarray(_eval(node[2], values), dtype=float), _eval(node[3], values))
    return _ALL_FUNCTIONS[node[1]](*(np.asarray(_eval(a, values), dtype=float) for a in node[2]))


def check_finite(node: Node, x: np.ndarray) -> None:
    """Raise FormulaError when the formula is not finite at one of the points x."""
    values = evaluate(node, x)
    bad = ~np.isfinite(values)
    if bad.any():
        at = float(x[np.flatnonzero(bad)[0]])
        raise FormulaError(f"the formula is not finite at x = {at:.4g} (a log or sqrt of a negative number, "
                           "a division by zero or an overflow); change it or the interval",
                           f"公式在 x = {at:.4g} 处不是有限值（负数的对数或平方根、除以零或溢出）；请修改公式或区间")
