"""Check a student's own answer: a typed formula against the truth, numerically, and the known mistake it matches.

A `Question` is an answer of the book written as a formula in a few variables, with the natural domain of
each variable, the truth as NumPy, and a catalogue of the mistakes that circulate in answer sheets, each
written as one or more formulas in the answer language. `check` parses the typed answer (app.exercises.
formula, never eval), evaluates it and the truth on a grid and on random points of the domain (the same
points for every request: a fixed seed), and calls it correct when it agrees everywhere up to rounding:
    |answer − truth| ≤ RTOL · max(|truth|, 1)   at every point.
An answer that is not correct is compared with every catalogued mistake in the same way, with the looser
MISTAKE_RTOL (a mistake typed with 0.3989 for 1/√(2π) is still that mistake). Symbolic algebra is never
needed: two formulas that agree at a thousand or more points of the domain to 1e-9 are the same function
there, and any difference a derivation can make is far larger. Each exercise's check module (ex4_4_check,
ex4_5_check, ex4_7_check) writes its questions and their catalogues of mistakes with these pieces.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from app.exercises.base import Experiment, Metric, Params, Result, metric, param
from app.exercises.formula import (
    DISPLAY,
    MAX_ANSWER_LENGTH,
    FormulaError,
    Language,
    Node,
    answer_language,
    evaluate,
    parse,
    variables_of,
)
from app.figures.checks import answer_figures, verdict
from app.i18n import Text, text
from app.mathml import tex

RTOL = 1e-9  # rounding of double precision through a formula of some tens of operations: far below this
MISTAKE_RTOL = 1e-4  # a catalogued mistake, even with its constants typed to five digits
CLOSE_RTOL = 1e-3  # not exact but this close: a rounded constant or an approximation
RANDOM_POINTS = 512
SEED = 4_4_5_7  # the random points are the same for every request: a check is reproducible
SLICE_POINTS = 241


@dataclass(frozen=True)
class Variable:
    """A variable of an answer and its natural domain: the grid values and the range of the random points."""

    name: str  # as the answer language spells it (beta, lam, xbar, M0)
    lo: float
    hi: float
    grid: tuple[float, ...]
    integer: bool = False


@dataclass(frozen=True)
class Mistake:
    """A known mistake: the formulas it produces (or the stray names it brings in), and what is wrong."""

    id: str
    title: Text
    explanation: Text
    anchor: str  # the id of the paragraph of the page's answer that explains it
    formulas: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()  # matched when the answer uses one of these names, which the truth has not

    def trees(self, lang: Language) -> tuple[Node, ...]:
        return tuple(parse(f, lang) for f in self.formulas)


@dataclass(frozen=True, eq=False)
class Question:
    """One answer to check: its variables, its truth, its catalogue of mistakes, and how to show it."""

    name: str
    what: Text  # "Swish′(x; β)": what the answer is, for the verdict
    variables: tuple[Variable, ...]
    truth: Callable[[Mapping[str, np.ndarray]], np.ndarray]
    mistakes: tuple[Mistake, ...]
    anchor: str  # the page's explanation of the answer, for an answer close to it
    slice_var: str  # the variable along which the figures draw the answer and the truth
    slice_at: Mapping[str, float]  # the other variables on the slice when nothing is typed
    example: str  # a formula that parses, for the prompt (not the answer)
    stray: tuple[Variable, ...] = ()  # names the answer may use that the truth does not (μ, σ of 4-4)
    points: Callable[[np.random.Generator], dict[str, np.ndarray]] | None = None  # 4-5: L divides N
    slice_values: Callable[[Mapping[str, float]], np.ndarray] | None = None
    table: tuple[Mapping[str, float], ...] = ()  # rows the figures tabulate (4-5)
    slice_through_worst: bool = True  # else the figures' slice stays at slice_at (4-5: the book's N, M₀)
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def language(self) -> Language:
        if "lang" not in self._cache:
            self._cache["lang"] = answer_language(tuple(v.name for v in (*self.variables, *self.stray)))
        return self._cache["lang"]

    def sample(self) -> dict[str, np.ndarray]:
        """Return the points of the check, {name: (n,)}: the grid of every variable, then random points."""
        if "points" not in self._cache:
            rng = np.random.default_rng(SEED)
            every = (*self.variables, *self.stray)
            if self.points is not None:
                pts = self.points(rng)
            else:
                mesh = np.meshgrid(*[np.asarray(v.grid, float) for v in every], indexing="ij")
                pts = {v.name: m.ravel() for v, m in zip(every, mesh, strict=True)}
                for v in every:
                    r = rng.uniform(v.lo, v.hi, RANDOM_POINTS)
                    pts[v.name] = np.concatenate([pts[v.name], np.round(r) if v.integer else r])
            self._cache["points"] = pts
        return self._cache["points"]

    def mistake_trees(self) -> list[tuple[Mistake, tuple[Node, ...]]]:
        if "mistakes" not in self._cache:
            self._cache["mistakes"] = [(m, m.trees(self.language)) for m in self.mistakes]
        return self._cache["mistakes"]


def answer_help(question: Question) -> Text:
    """Return the help of an `answer` box: what to type, in both languages."""
    names = ", ".join(DISPLAY.get(v.name, v.name) + (f" ({v.name})" if v.name in DISPLAY else "")
                      for v in question.variables)
    return text(
        f"Your answer for {question.what['en']}, as a formula in {names}: numbers, + - * / ^, parentheses, pi, e and sigmoid "
        "tanh exp log sqrt abs erf Phi phi relu max min; write every product with *. It is checked numerically "
        "against the true formula; leave it empty to start.",
        f"你求得的 {question.what['zh']}，写成关于 {names} 的公式：可用数字、+ - * / ^、括号、pi、e 以及 sigmoid tanh exp "
        "log sqrt abs erf Phi phi relu max min；乘号 * 不能省略。服务器会用数值方法把它与正确公式对照；留空即可开始。")


def check_metrics(question: Question) -> dict[str, Metric]:
    """Return the labels and meanings of the metrics of `check`, in both languages."""
    en, zh = question.what["en"], question.what["zh"]
    return {
        "answered": metric("answered", "已作答", "Whether a formula was typed.", "是否输入了公式。"),
        "correct": metric("correct", "正确", f"Equal to {en} at every point checked, up to rounding.",
                          f"在每个检验点上都等于 {zh}（只差舍入误差）。"),
        "understood": metric("read as", "读作", "Your formula as the server read it, every grouping in parentheses: "
                             "check that it is what you meant.", "服务器读到的公式，每一处分组都加了括号：请核对是否符合你的本意。"),
        "understood_latex": metric("read as (LaTeX)", "读作（LaTeX）", "The same, as LaTeX.", "同上，LaTeX 形式。"),
        "understood_mathml": metric("read as (MathML)", "读作（MathML）", "The same, rendered as MathML.",
                                    "同上，MathML 形式。"),
        "points": metric("points checked", "检验点数", "A grid of the domain and random points of it.",
                         "定义域上的网格点加上随机点。"),
        "max_abs_error": metric("largest difference", "最大差", f"max |yours − {en}| over the points.",
                                f"各检验点上 |你的 − {zh}| 的最大值。"),
        "max_rel_error": metric("largest relative difference", "最大相对差",
                                "max |yours − truth| / max(|truth|, 1); correct means at most 1e-9.",
                                "|你的 − 正确值| / max(|正确值|, 1) 的最大值；不超过 1e-9 即为正确。"),
        "not_finite_points": metric("points where it is not finite", "非有限值的点数",
                                    "A division by zero, a log or sqrt of a negative number, an overflow.",
                                    "除以零、负数的对数或平方根、溢出。"),
        "worst_point": metric("worst point", "差距最大的点", "Where yours is furthest from the truth.",
                              "你的公式离正确值最远的点。"),
        "answer_at_worst": metric("yours there", "该点上你的值", "Your formula at the worst point.", "你的公式在该点的值。",
                                  full_precision=True),
        "truth_at_worst": metric("truth there", "该点上的正确值", f"{en} at the worst point.", f"{zh} 在该点的值。",
                                 full_precision=True),
        "mistake": metric("known mistake", "常见错误", "The catalogued mistake your formula equals, if any.",
                          "你的公式所等同的已知错误（如有）。"),
        "mistake_title": metric("mistake", "错误", "Its name.", "错误的名称。"),
        "mistake_explanation": metric("why", "原因", "What goes wrong.", "错在哪里。"),
        "mistake_latex": metric("the mistaken formula", "错误的公式", "The formula of that mistake, which yours equals.",
                                "与你的公式相等的那个错误公式。"),
        "mistake_anchor": metric("explained at", "讲解位置", "The paragraph of the answer that explains it.",
                                 "解答中讲解它的段落。"),
        "verdict": metric("verdict", "结论", "The check in one sentence.", "一句话的检验结论。"),
    }


def answer_field(question: Question) -> Any:
    """Declare a check's `answer` (empty to start, bounded); its model adds `_syntax = answer_validator(question)`."""
    return param("", text("Your answer", "你的答案"), answer_help(question), max_length=MAX_ANSWER_LENGTH)


def check_experiment(question: Question, params: type[Params], name: str, title: Text, summary: Text) -> Experiment:
    """Return the experiment `name` checking the `answer` of `params` against `question`, drawn by answer_figures."""

    def run(p: Any) -> Result:
        return check(question, p.answer)

    return Experiment(name=name, title=title, summary=summary, params=params, run=run, draw=answer_figures,
                      metrics=check_metrics(question))


def answer_validator(question: Question) -> Any:
    """Return the validator of a params model's `answer`: empty, or a formula of the question's language.

    A refusal is a 422 naming `answer`, of type answer_syntax, whose context carries the column and the
    reason in English and Chinese (app.messages words it).
    """

    def check(cls: type, value: str) -> str:
        if value.strip():
            try:
                parse(value, question.language)
            except FormulaError as e:
                ctx: dict[str, Any] = {"en": e.message("en"), "zh": e.message("zh")}
                if e.column is not None:
                    ctx["column"] = e.column
                raise PydanticCustomError("answer_syntax", "{en}", ctx) from None
        return value

    return field_validator("answer")(classmethod(check))


def _scaled_error(values: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """|values − truth| / max(|truth|, 1), +inf where values is not finite."""
    with np.errstate(all="ignore"):
        err = np.abs(values - truth) / np.maximum(np.abs(truth), 1.0)
    return np.where(np.isfinite(values), err, np.inf)


def match_mistake(question: Question, tree: Node, values: np.ndarray, pts: Mapping[str, np.ndarray],
                  truth: np.ndarray) -> tuple[Mistake | None, Node | None]:
    """Return the catalogued mistake the answer's values match (and the matching formula), or (None, None)."""
    if not np.isfinite(values).all():
        return None, None
    for mistake, trees in question.mistake_trees():
        for t in trees:
            if _scaled_error(values, evaluate(t, pts)).max() <= MISTAKE_RTOL:
                return mistake, t
    used = variables_of(tree)
    for mistake in question.mistakes:
        if mistake.uses and used & set(mistake.uses):
            return mistake, None
    if _scaled_error(values, truth).max() <= CLOSE_RTOL:
        return CLOSE, None
    return None, None


CLOSE = Mistake(
    "close", text("close, but not exact", "接近，但不精确"),
    text("Your formula agrees to within 0.1 % everywhere but not exactly: a rounded constant (3.14 for π, 0.399 "
         "for 1/√(2π)) or an approximation (the tanh form of GELU) in place of the exact expression.",
         "你的公式处处相差不到 0.1%，但并不精确：用了四舍五入的常数（用 3.14 代替 π，用 0.399 代替 1/√(2π)），"
         "或用近似式（GELU 的 tanh 形式）代替了精确表达式。"),
    anchor="")


def _shown(question: Question, tree: Node | None) -> tuple[Variable, ...]:
    """The question's variables, and the stray ones the answer uses (μ, σ): what a point is given by."""
    used = variables_of(tree) if tree is not None else set()
    return (*question.variables, *(v for v in question.stray if v.name in used))


def _fixed_point(question: Question, pts: Mapping[str, np.ndarray], i: int | None,
                 every: tuple[Variable, ...]) -> dict[str, float]:
    if i is None:
        return {v.name: float(question.slice_at.get(v.name, 0.0)) for v in every}
    return {v.name: float(pts[v.name][i]) for v in every}


def _along(question: Question, tree: Node | None, at: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Return the answer and the truth along the slice variable, the others fixed at `at` (the worst point)."""
    s = next(v for v in question.variables if v.name == question.slice_var)
    if question.slice_values is not None:
        grid = question.slice_values(at)
    else:
        grid = np.union1d(np.linspace(s.lo, s.hi, SLICE_POINTS), [at[s.name]])
    pts = {k: np.full(grid.shape, v) for k, v in at.items()} | {s.name: grid}
    truth = question.truth(pts)
    got = evaluate(tree, pts) if tree is not None else np.full(grid.shape, np.nan)
    return {s.name: grid, "truth": truth, "answer": np.array(got, dtype=float), "difference": got - truth}


def _tabulate(question: Question, tree: Node | None, worst: Mapping[str, float] | None) -> dict[str, np.ndarray]:
    """Return the answer and the truth at the question's table rows, and at the worst point (a last row)."""
    rows = [*question.table, *([] if worst is None or worst in question.table else [worst])]
    cols = {k: np.array([row[k] for row in rows], dtype=float) for k in question.table[0]}
    truth = question.truth(cols)
    got = evaluate(tree, cols) if tree is not None else np.full(truth.shape, np.nan)
    return {**cols, "truth": truth, "answer": np.array(got, dtype=float), "difference": got - truth}


def check(question: Question, answer: str) -> Result:
    """Check a typed answer (already validated) against the question's truth; see the module docstring.

    metrics: those of check_metrics, in its order (None where nothing is typed; text ones as {"en", "zh"}).
    data: the answer and the truth along the slice variable through the worst point (or the table's rows).
    views: slice (the slice variable), at (the variables' values on the slice), names (how each variable is
    written: beta -> β), along (the slice when data holds the table).
    """
    pts = question.sample()
    n = int(next(iter(pts.values())).size)
    tree = parse(answer, question.language) if answer.strip() else None
    m: dict[str, Any] = {**dict.fromkeys(check_metrics(question)), "answered": tree is not None, "points": n}
    worst, mistake = None, None
    if tree is not None:
        truth = question.truth(pts)
        values = np.array(evaluate(tree, pts), dtype=float)
        err = _scaled_error(values, truth)
        worst = int(np.argmax(err))
        finite = np.isfinite(values)
        latex = to_latex(tree)
        m.update(understood=to_plain(tree), understood_latex=latex, understood_mathml=str(tex(latex, display=True)),
                 not_finite_points=int((~finite).sum()), worst_point=_typed_point(_shown(question, tree), pts, worst),
                 answer_at_worst=float(values[worst]), truth_at_worst=float(truth[worst]))
        if finite.all():
            m.update(max_abs_error=float(np.abs(values - truth).max()), max_rel_error=float(err.max()))
        m["correct"] = bool(finite.all() and err.max() <= RTOL)
        if not m["correct"]:
            mistake, formula = match_mistake(question, tree, values, pts, truth)
            if mistake is not None:
                m.update(mistake=mistake.id, mistake_title=dict(mistake.title),
                         mistake_explanation=dict(mistake.explanation),
                         mistake_latex=to_latex(formula) if formula is not None else None,
                         mistake_anchor=mistake.anchor or question.anchor)
    names = {v.name: DISPLAY.get(v.name, v.name) for v in (*question.variables, *question.stray)}
    m["verdict"] = verdict(m, question.what, question.example, mistake.title if mistake else None, names)
    at = _fixed_point(question, pts, worst if question.slice_through_worst else None, _shown(question, tree))
    along = _along(question, tree, at)
    views = {"slice": question.slice_var, "at": at, "names": names}
    if question.table:
        extra = None if worst is None or m["correct"] else _fixed_point(question, pts, worst, question.variables)
        return Result(m, _tabulate(question, tree, extra), views={**views, "along": along})
    return Result(m, along, views=views)


def _typed_point(every: tuple[Variable, ...], pts: Mapping[str, np.ndarray], i: int) -> dict[str, float | int]:
    return {v.name: int(pts[v.name][i]) if v.integer else float(pts[v.name][i]) for v in every}


# ---------------------------------------------------------------- printing what was understood

_SYMBOL = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: "·", ast.Div: "/", ast.Pow: "^"}
_CHAIN = (ast.Add, ast.Mult)  # a + b + c and a·b·c need no inner parentheses
_LATEX_NAMES = {"beta": r"\beta", "lam": r"\lambda", "mu": r"\mu", "sigma": r"\sigma", "xbar": r"\bar{x}",
                "ybar": r"\bar{y}", "M0": "M_{0}", "pi": r"\pi"}
_LATEX_FUNCTIONS = {"sigmoid": r"\sigma", "Phi": r"\Phi", "phi": r"\phi", "exp": r"\exp", "log": r"\log",
                    "tanh": r"\tanh", "erf": r"\operatorname{erf}", "relu": r"\operatorname{ReLU}", "max": r"\max",
                    "min": r"\min"}


def _number_text(v: float, latex: bool) -> str:
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    t = repr(float(v))
    if "e" not in t:
        return t
    mantissa, exponent = t.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if latex else f"{mantissa}e{int(exponent)}"


def _grouped(child: Node, op: type | None, text_: str, latex: bool) -> str:
    """Parenthesise an operand unless it is an atom, a call or a link of the same chain (a + b + c)."""
    needs = child[0] == "neg" or (child[0] == "bin" and not (child[1] is op and op in _CHAIN)
                                  and not (child[1] is ast.Pow and op not in (None, ast.Pow))
                                  and not (latex and child[1] is ast.Div and op is not ast.Pow))
    needs |= op is ast.Pow and child[0] == "num" and ("e" in text_ or "times" in text_)
    if not needs:
        return text_
    return rf"\left({text_}\right)" if latex else f"({text_})"


def to_plain(node: Node) -> str:
    """Print a Node in plain maths with Greek letters, every grouping in explicit parentheses: (β·x·σ(β·x)·1) − σ(β·x)."""
    kind = node[0]
    if kind == "num":
        return _number_text(node[1], False)
    if kind in ("const", "var"):
        return DISPLAY.get(node[1], node[1])
    if kind == "neg":
        return "−" + _grouped(node[1], None, to_plain(node[1]), False)
    if kind == "bin":
        op = node[1]
        return (_grouped(node[2], op, to_plain(node[2]), False) + _SYMBOL[op]
                + _grouped(node[3], op, to_plain(node[3]), False))
    return f"{DISPLAY.get(node[1], node[1])}({', '.join(to_plain(a) for a in node[2])})"


def to_latex(node: Node) -> str:
    """Print a Node as LaTeX, with the same groupings as to_plain (a quotient as a fraction)."""
    kind = node[0]
    if kind == "num":
        return _number_text(node[1], True)
    if kind in ("const", "var"):
        return _LATEX_NAMES.get(node[1], node[1])
    if kind == "neg":
        return "-" + _grouped(node[1], None, to_latex(node[1]), True)
    if kind == "bin":
        op, a, b = node[1], node[2], node[3]
        if op is ast.Div:
            return rf"\frac{{{to_latex(a)}}}{{{to_latex(b)}}}"
        if op is ast.Pow:
            return f"{_grouped(a, op, to_latex(a), True)}^{{{to_latex(b)}}}"
        symbol = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: r" \cdot "}[op]
        return _grouped(a, op, to_latex(a), True) + symbol + _grouped(b, op, to_latex(b), True)
    args = ", ".join(to_latex(a) for a in node[2])
    if node[1] == "sqrt":
        return rf"\sqrt{{{args}}}"
    if node[1] == "abs":
        return rf"\left|{args}\right|"
    return rf"{_LATEX_FUNCTIONS[node[1]]}\left({args}\right)"
