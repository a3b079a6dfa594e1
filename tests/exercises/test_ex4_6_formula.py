"""4-6: the typed formula (a whitelist parser, property-based) and bad input through the API, refused by name."""

from __future__ import annotations

import keyword
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.exercises import ex4_6_universal as ex

FAST = settings(deadline=timedelta(milliseconds=500), max_examples=60)
API = "/api/exercises/4-6/construct"


# --- the formula parser -----------------------------------------------------------------------

def bad(source: str) -> None:
    with pytest.raises(ValueError):
        ex.check_finite(ex.parse_formula(source), np.linspace(-3, 3, 101))


identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and s not in ("True", "False", "None"))


@FAST
@given(identifiers.filter(lambda s: s not in ("x", "pi", "e")))
def test_rejects_any_other_name(name):
    bad(f"sin(x) + {name}")
    bad(name)


@FAST
@given(identifiers.filter(lambda s: s not in ex.FUNCTIONS), st.sampled_from(["x", "1", "x, x", ""]))
def test_rejects_calls_outside_the_list(name, args):
    bad(f"{name}({args})")


@pytest.mark.parametrize("source", [
    "__import__('os').system('true')", "__import__", "eval('1')", "exec('1')", "open('/etc/passwd')",
    "compile('1', 'f', 'eval')", "globals()", "getattr(x, 'real')", "np.sin(x)", "math.pi", "x.real",
    "(1).__class__", "x[0]", "[1, 2][0]", "[x for x in (1, 2)]", "{x: 1 for x in (1,)}", "(y for y in x)",
    "lambda: 1", "(lambda y: y)(x)", "sin(x=1)", "sin(*[x])", "sin(x, x)", "sin()", "sin", "x if x else 1",
    "x > 1", "x and 1", "not x", "~x", "x % 2", "x // 2", "x ^ 2", "x @ x", "(x := 1)", "'x'", '"x"', "b'x'",
    "f'{x}'", "1j", "True", "None", "...", "9**9**9", "2**1000", "x**11", "x**-11", "10**(3*5)", "1e999",
    "-" * 60 + "x", "sin(" * 51 + "x" + ")" * 51, "x" + "+x" * 120, "x" + "+x" * 60, "", "   ", "x;1", "x\n+1", "#x",
    "log(x)", "1/x", "sqrt(x)", "x**0.5", "exp(exp(exp(x)))", "tan(x)**-2",
])
def test_rejects_the_forbidden(source):
    bad(source)


@FAST
@given(st.floats(min_value=10.0001, max_value=1e300), st.sampled_from(["x", "2", "(x+1)", "e"]),
       st.booleans())
def test_rejects_huge_constant_exponents(power, base, negative):
    bad(f"{base}**{'-' if negative else ''}{power!r}")


@FAST
@given(st.integers(min_value=ex.MAX_DEPTH + 1, max_value=190))
def test_rejects_deep_nesting(depth):
    bad("-" * depth + "x")


@FAST
@given(st.text(max_size=ex.MAX_EXPRESSION_LENGTH))
def test_any_text_is_parsed_or_refused_with_a_value_error(source):
    try:
        tree = ex.parse_formula(source)
    except ValueError:
        return
    ex.evaluate(tree, np.linspace(-1, 1, 11))


# A random formula as (source, NumPy reference function).
numbers = st.floats(min_value=0, max_value=50, allow_nan=False, allow_infinity=False)
leaves = st.one_of(
    st.just(("x", lambda x: x)),
    st.just(("pi", lambda x: np.pi)),
    st.just(("e", lambda x: np.e)),
    numbers.map(lambda v: (repr(v), lambda x, v=v: v)),
    st.integers(0, 99).map(lambda v: (str(v), lambda x, v=v: float(v))),
)
BIN = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(sorted(ex.FUNCTIONS)), children).map(
            lambda t: (f"{t[0]}({t[1][0]})", lambda x, f=ex.FUNCTIONS[t[0]], g=t[1][1]: f(np.asarray(g(x), float)))),
        st.tuples(st.sampled_from(sorted(BIN)), children, children).map(
            lambda t: (f"({t[1][0]}) {t[0]} ({t[2][0]})",
                       lambda x, op=BIN[t[0]], a=t[1][1], b=t[2][1]: op(np.asarray(a(x), float), b(x)))),
        st.tuples(children, st.integers(-4, 4)).map(
            lambda t: (f"({t[0][0]})**{t[1]}", lambda x, a=t[0][1], k=t[1]: np.power(np.asarray(a(x), float), k))),
        children.map(lambda c: (f"-({c[0]})", lambda x, g=c[1]: np.negative(g(x)))),
    )


formulas = st.recursive(leaves, _extend, max_leaves=8).filter(lambda f: len(f[0]) <= ex.MAX_EXPRESSION_LENGTH)


@FAST
@given(formulas)
def test_valid_formulas_evaluate_like_numpy(formula):
    source, reference = formula
    x = np.linspace(-3, 3, 61)
    with np.errstate(all="ignore"):
        expected = np.broadcast_to(np.asarray(reference(x), dtype=float), x.shape)
    np.testing.assert_array_equal(ex.evaluate(ex.parse_formula(source), x), expected)


def test_typographic_minus_and_times_are_read():
    x = np.linspace(-1, 1, 5)
    np.testing.assert_array_equal(ex.evaluate(ex.parse_formula("2×x − 1"), x), 2 * x - 1)


# --- through the API --------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "message"), [
    ("__import__('os')", "character"), ("open(x)", "unknown function"), ("y + 1", "unknown name"),
    ("x.real", "attribute"), ("9**9**9", "exponent"), ("log(x)", "not finite"),
    ("-" * 60 + "x", "nested too deeply"), ("x" * 201, "at most 200"),
])
def test_api_refuses_a_bad_formula_naming_expression(client, source, message):
    r = client.get(API, params={"target": "expression", "expression": source})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["query", "expression"] and message in detail["msg"]


def test_api_checks_finiteness_on_the_chosen_interval(client):
    assert client.get(API, params={"target": "expression", "expression": "log(x)"}).status_code == 422
    r = client.get(API, params={"target": "expression", "expression": "log(x)", "x_min": 0.5, "x_max": 3})
    assert r.status_code == 200 and r.json()["metrics"]["sup_error"] > 0
    r = client.get("/api/exercises/4-6/train", params={"target": "expression", "expression": "1/(x-1)",
                                                      "x_min": -3, "x_max": 3, "units": 6})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "expression"]


def test_a_formula_refused_again_is_refused_the_same_in_each_language(client):
    # The finiteness check is kept per query (ex._not_finite): asking again must not change the answer.
    query = {"target": "expression", "expression": "sqrt(x - 2)", "x_min": -1, "x_max": 3}
    answers = [client.get(API, params={**query, "lang": lang}) for lang in ("en", "zh", "en", "zh")]
    assert [r.status_code for r in answers] == [422] * 4
    msgs = [r.json()["detail"][0]["message"] for r in answers]  # in the reader's language
    assert msgs[0] == msgs[2] and msgs[1] == msgs[3] and "not finite" in msgs[0] and "不是有限值" in msgs[1]
    assert ex._not_finite.cache_info().hits >= 3


def test_api_x_max_must_exceed_x_min(client):
    for path in (API, "/api/exercises/4-6/train"):
        r = client.get(path, params={"x_min": 1, "x_max": 1})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "x_max"]


def test_api_valid_formula(client):
    r = client.get(API, params={"target": "expression", "expression": "exp(-x**2) * cos(3*x)", "units": 64})
    assert r.status_code == 200 and r.json()["metrics"]["sup_error"] < 0.02
