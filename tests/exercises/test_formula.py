"""The answer language of app/exercises/formula.py: what it reads, what it refuses (where and why, in both
languages), and that it never hands text to eval. 4-6's language is tested in test_ex4_6_formula.py."""

from __future__ import annotations

import builtins
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.exercises import formula as fm
from app.exercises.answers import to_latex, to_plain
from app.mathml import tex

FAST = settings(deadline=timedelta(milliseconds=500), max_examples=60)
SWISH = fm.answer_language(("x", "beta"))
BIAS = fm.answer_language(("ybar", "xbar", "w", "lam"))
PARAMS = fm.answer_language(("N", "M0", "L"))
X = np.linspace(-3, 3, 13)
B = np.linspace(0.1, 2, 13)


def value(source: str, lang: fm.Language = SWISH, **values) -> np.ndarray:
    return fm.evaluate(fm.parse(source, lang), values or {"x": X, "beta": B})


def refusal(source: str, lang: fm.Language = SWISH) -> fm.FormulaError:
    with pytest.raises(fm.FormulaError) as e:
        fm.parse(source, lang)
    return e.value


@pytest.mark.parametrize(("typed", "ascii_"), [
    ("σ(β*x)", "sigmoid(beta*x)"), ("x^2", "x**2"), ("x²", "x**2"), ("x³ − 2×x", "x**3 - 2*x"),
    ("（x＋1）／２", "(x+1)/2"), ("2·π·x", "2*pi*x"), ("ln(beta)", "log(beta)"), ("Φ(x)·φ(x)", "Phi(x)*phi(x)"),
    ("Swish′(x) = x*beta", "x*beta"), ("f(x)=x", "x"), ("max(x, beta, 1)", "max(max(x, beta), 1)"),
    ("relu(x) - min(x, 0)", "abs(x)"),
])
def test_keyboard_spellings_read_like_ascii(typed, ascii_):
    np.testing.assert_allclose(value(typed), value(ascii_), rtol=0, atol=1e-15)


def test_bars_subscripts_and_greek_are_variables():
    v = {"ybar": np.array([2.0]), "xbar": np.array([0.5]), "w": np.array([3.0]), "lam": np.array([0.25])}
    for typed in ("(ȳ − w·x̄)/(1 + λ)", "(y\u0304 - w*x\u0304)/(1+lambda)", "b = (y_bar - w*x_bar)/(1 + lam)",
                  "(ybar - w*xbar)/(1+lam)"):
        assert fm.evaluate(fm.parse(typed, BIAS), v)[0] == pytest.approx(0.4, abs=1e-15)
    n = {"N": np.array([120.0]), "M0": np.array([10.0]), "L": np.array([2.0])}
    assert fm.evaluate(fm.parse("M₀·N/L + (L−1)·(N/L)² + N/L + N + 1", PARAMS), n)[0] == 4381
    assert fm.evaluate(fm.parse("M_0*N", PARAMS), n)[0] == 1200


def test_functions_agree_with_numpy_and_the_core():
    from app.nn.activations import erf, normal_cdf, normal_pdf, sigmoid

    np.testing.assert_array_equal(value("sigmoid(x)"), sigmoid(X))
    np.testing.assert_array_equal(value("erf(x)"), erf(X))
    np.testing.assert_array_equal(value("Phi(x) + phi(x)"), normal_cdf(X) + normal_pdf(X))
    np.testing.assert_array_equal(value("relu(x)"), np.maximum(X, 0))
    np.testing.assert_array_equal(value("max(x, beta) - min(x, beta)"), np.abs(X - B))
    np.testing.assert_array_equal(value("1e-3*x + e - pi"), 1e-3 * X + np.e - np.pi)


@pytest.mark.parametrize(("source", "column", "en", "zh"), [
    ("x +", 4, "ends too early", "提前结束"),
    ("(x+1", 1, "never closed", "没有闭合"),
    ("x+1)", 4, "no partner", "没有与之配对"),
    ("2x", 1, "write 2*x", "2*x"),
    ("σ(βx) + βx σ(βx)", 12, "side by side", "并排"),
    ("sigmoid(betax)", 9, "write beta*x", "beta*x"),
    ("x(1+x)", 1, "not a function", "不是函数"),
    ("(x+1)(x-1)", 1, "write * between", "之间写 *"),
    ("Beta*x", 1, "did you mean beta", "是不是 beta"),
    ("b*x", 1, "did you mean beta", "是不是 beta"),
    ("y + x", 1, "unknown name 'y'", "未知的名字"),
    ("x + sin(x)", 5, "unknown function 'sin'", "未知的函数"),
    ("max(x)", 1, "2 to 4 arguments", "2 到 4 个参数"),
    ("Phi(x, 1)", 1, "exactly one argument", "恰好一个参数"),
    ("x**11", 4, "exponent 11 is too large", "指数 11 太大"),
    ("x + √x", 5, "sqrt(...)", "sqrt(...)"),
    ("x + 'a'", 5, "character", "字符"),
    ("x.real", 1, "attribute", "属性"),
    ("x % 2", 1, "operator %", "运算符 %"),
    ("x < 1", 1, "comparisons", "比较"),
])
def test_refusals_say_where_and_why_in_both_languages(source, column, en, zh):
    e = refusal(source)
    assert e.column == column, (source, e.column, e.en)
    assert en in e.en and zh in e.zh
    assert e.message("en").startswith(f"at column {column}: ") and e.message("zh").startswith(f"第 {column} 列：")
    assert str(e) == e.en and isinstance(e, ValueError)


def test_columns_count_typed_characters_not_their_ascii():
    # β is one typed character but four ASCII ones: the column is that of the typed text.
    assert refusal("β*β*β*y").column == 7
    assert refusal("x̄ + y", BIAS).column == 6
    assert refusal("  x +  ").column == 6  # just after the +


def test_size_limits():
    assert "longer than 300" in refusal("x+" * 150 + "x").en
    assert "too long" in refusal("+".join(["x"] * 140)).en
    assert "nested too deeply" in refusal("-" * 45 + "x").en


# The hostile corpus of 4-6 (tests/exercises/test_ex4_6_formula.py, tests/hardening/test_hostile_input.py) and
# new cases for the answer language's functions and spellings. Each is refused, and nothing reaches eval or exec.
HOSTILE = [
    "__import__('os').system('true')", "__import__", "__import__(os)", "eval('1')", "eval(x)", "exec(x)",
    "open('/etc/passwd')", "open(x)", "compile('1', 'f', 'eval')", "globals()", "getattr(x, 'real')", "np.sin(x)",
    "math.pi", "x.real", "x.__class__.__mro__", "sin.__call__(x)", "(1).__class__", "x[0]", "[1, 2][0]",
    "[x for x in (1, 2)]", "{x: 1 for x in (1,)}", "(y for y in x)", "sum(t for t in x)", "lambda: 1",
    "(lambda y: y)(x)", "(lambda: 1)()", "lambda x: x", "sin(x=1)", "sin(*[x])", "sin(x, x)", "sin()", "sin",
    "x if x else 1", "x > 1", "x < 1", "x and 1", "not x", "~x", "x % 2", "x // 2", "x @ x", "x << 2", "(x := 1)",
    "(y := x)", "'x'", '"x"', "b'x'", "f'{x}'", "x\\n", "1j", "True", "None", "...", "9**9**9", "9**9**9**9",
    "2**2**2**2**2", "2**1000", "x**11", "x**-11", "x**400", "10**(3*5)", "(x*0+10)**1000", "1e999", "1e999*x",
    "-" * 60 + "x", "-" * 195 + "x", "-(" * 66 + "x" + ")" * 66, "sin(" * 51 + "x" + ")" * 51, "x" + "+x" * 120,
    "x" + "**x" * 60, "x+" * 150 + "x", "x;1", "x; 1", "x\n+1", "x\n1", "#x", "tan(x)**-2", "y + 1", "x, x",
    # the answer language's own functions and spellings, misused
    "Phi(x, 1)", "phi()", "max(x)", "max(x, x, x, x, x)", "min()", "erf(x=1)", "relu(*x)", "sigmoid.__call__(x)",
    "Phi.__globals__", "sigma.x", "exp(x)[0]", "beta(x)", "pi(x)", "e.real", "σ.__class__", "x̄.real",
    "sigmoid", "Phi", "sigmoid(x)(x)", "[sigmoid(x)]", "{beta}", "x == beta", "ｅｖａｌ(x)", "𝑥",
    "x\u200b", "x\t+\r1", "β\\x", "x $ 1", "x ? 1 : 2", "`x`", "λx: x", "lambda: beta", "__builtins__",
    "__import__('os').system('rm -rf /')", "getattr(beta, '__class__')", "sigmoid(beta*x) if 1 else 0",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_the_hostile_corpus_is_refused_without_eval(source, monkeypatch):
    def forbidden(*a, **k):
        raise AssertionError("eval or exec was called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    e = refusal(source)
    assert e.en and e.zh


# Entries of 4-6's hostile corpus that ARE formulas in the answer language (^ is a power there, σ is the
# sigmoid, a variable exponent is allowed): they parse, and the check reports them as not finite or wrong.
NOT_HOSTILE_HERE = ["x ^ 2", "x**x", "1/(x-x)", "log(-1-x*x)", "sqrt(-1-abs(x))", "exp(exp(exp(exp(x+10))))",
                    "9" * 190 + "**9", "σ(x)", "log(x)", "1/x", "sqrt(x)", "x**0.5", "exp(exp(exp(x)))"]


@pytest.mark.parametrize("source", NOT_HOSTILE_HERE)
def test_numerically_bad_formulas_parse_and_evaluate_without_warnings(source):
    with np.errstate(all="raise"):
        fm.evaluate(fm.parse(source, SWISH), {"x": X, "beta": B})


@FAST
@given(st.text(max_size=fm.MAX_ANSWER_LENGTH))
def test_any_text_is_parsed_or_refused_with_a_formula_error(source):
    try:
        tree = fm.parse(source, SWISH)
    except fm.FormulaError as e:
        assert e.column is None or 1 <= e.column <= len(source) + 1
        return
    fm.evaluate(tree, {"x": X, "beta": B})


@FAST
@given(st.text(alphabet="xbeta()+-*/^ .0123456789σβ²（）", max_size=60))
def test_near_misses_are_parsed_or_refused_with_a_column(source):
    try:
        fm.parse(source, SWISH)
    except fm.FormulaError as e:
        assert e.column is None or 1 <= e.column <= len(source) + 1


@pytest.mark.parametrize(("source", "plain"), [
    ("beta*x*sigmoid(beta*x)*1-sigmoid(beta*x)", "(β·x·σ(β·x)·1) − σ(β·x)"),
    ("beta*x*sigmoid(beta*x)*(1-sigmoid(beta*x))", "β·x·σ(β·x)·(1 − σ(β·x))"),
    ("-x^2", "−(x^2)"),
    ("x^-2", "x^(−2)"),
    ("2^x^2", "2^(x^2)"),
    ("1/2*x", "(1/2)·x"),
    ("1/(2*x)", "1/(2·x)"),
    ("x - (1 - x)", "x − (1 − x)"),
    ("1e-5*x + 0.25", "(1e-5·x) + 0.25"),
    ("Phi(x) + x*phi(x)", "Φ(x) + (x·φ(x))"),
])
def test_what_was_understood_shows_every_grouping(source, plain):
    assert to_plain(fm.parse(source, SWISH)) == plain


@pytest.mark.parametrize("source", ["beta*x*sigmoid(beta*x)*1-sigmoid(beta*x)",
                                    "(1+exp(-beta*x)*(1+beta*x))/(1+exp(-beta*x))^2",
                                    "sqrt(abs(x)) + erf(x) - relu(-x)^2 + max(x, beta) + 1e-12*log(beta)",
                                    "-(-x)", "Phi(x) + x*phi(x)"])
def test_what_was_understood_reads_back_as_the_same_formula(source):
    tree = fm.parse(source, SWISH)
    again = fm.parse(to_plain(tree), SWISH)
    np.testing.assert_allclose(fm.evaluate(again, {"x": X, "beta": B}), fm.evaluate(tree, {"x": X, "beta": B}),
                               rtol=1e-15, atol=0)
    mathml = str(tex(to_latex(tree), display=True))
    assert mathml.startswith("<math") and "\\" not in mathml.replace("\\\\", "")


def test_the_ascii_names_of_the_bias_and_parameter_questions_print_as_the_book_writes_them():
    assert to_plain(fm.parse("(ybar - w*xbar)/(1+lam)", BIAS)) == "(ȳ − (w·x̄))/(1 + λ)"
    assert to_latex(fm.parse("M0*N/L", PARAMS)) == r"\frac{M_{0} \cdot N}{L}"


@pytest.mark.parametrize(("source", "column", "en"), [("sin(x", 4, "never closed"), ("2x", 1, "write 2*x"),
                                                       ("x +", 4, "ends too early")])
def test_4_6s_formulas_say_where_a_syntax_error_is_too(source, column, en):
    # One wording for both languages of formulas: 4-6's (and the playground's curve) name the column and
    # say what is wrong in the reader's words, not Python's SyntaxError message.
    with pytest.raises(fm.FormulaError) as info:
        fm.parse_formula(source)
    assert info.value.column == column and en in info.value.en, info.value.en
