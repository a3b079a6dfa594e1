"""Every "Try this" link on every page sets valid parameters within the work budget, and delivers the
numbers its sentence quotes: a quote computed at some overrides (`q("exp", "metric", units=64)`, a `qv`
behind a derived number or a condition, a macro that quotes) sits in an item of `<ol class="try">` that
links to exactly those settings. Read from the templates, without computing anything."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from app.exercises.registry import EXERCISES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "exercises"
LINKS = [
    (path.name, href)
    for path in sorted(TEMPLATES.glob("*.html"))
    for href in re.findall(r'href="(\?[^"#]*)(?:#[^"]*)?"', path.read_text(encoding="utf-8"))
]
PAGES = sorted({name.split(".")[0] for name, _ in LINKS})
JINJA_NAMES = {"true": True, "false": False, "none": None, "True": True, "False": False, "None": None}


def test_there_are_links_to_check():
    assert len(LINKS) >= 9 * 3


def parse_link(href: str) -> tuple[dict[str, dict[str, str]], str]:
    """`?exp.param=value&…#anchor` (as written in HTML) -> ({experiment: {param: value}}, anchor)."""
    query, _, anchor = html.unescape(href).partition("#")
    by_experiment: dict[str, dict[str, str]] = {}
    for key, value in parse_qsl(query.removeprefix("?"), keep_blank_values=True):
        name, _, param = key.partition(".")
        assert param, f"{key} is not experiment.param"
        assert param not in by_experiment.get(name, {}), f"{key} set twice"
        by_experiment.setdefault(name, {})[param] = value
    return by_experiment, anchor


@pytest.mark.parametrize(("page", "href"), LINKS)
def test_link_sets_valid_params_within_budget(page, href):
    exercise = EXERCISES[page.split(".")[0]]
    by_experiment, anchor = parse_link(href)
    for name, values in by_experiment.items():
        experiment = exercise.experiment(name)
        assert experiment is not None, f"{page}: no experiment {name}"
        params = experiment.params.model_validate(values)
        experiment.check_budget(params)
    if anchor:  # the link lands on a section it sets
        assert anchor.removeprefix("exp-") in by_experiment, (page, href)


# ---- the quotes of each item of the try list ----

def _literal(node: ast.expr):
    """A literal's value (Jinja's true/none too); None for an expression such as `"lrs." ~ i`."""
    if isinstance(node, ast.Name):
        return JINJA_NAMES.get(node.id)
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _calls(text: str, names: set[str]) -> list[tuple[str, list, dict]]:
    """Each call `name(…)` in the Jinja source `text`: (name, positional literals, keyword literals);
    `**kwargs` is kept as the key "**"."""
    found = []
    for m in re.finditer(rf"(?<![\w.])({'|'.join(sorted(names))})\(", text):
        depth, i = 0, m.end() - 1
        for i in range(m.end() - 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                break
        source = " ".join(text[m.start():i + 1].split()).replace(" ~ ", " + ")  # Jinja's ~ joins strings
        call = ast.parse(source, mode="eval").body
        assert isinstance(call, ast.Call)
        args = [_literal(a) for a in call.args if not isinstance(a, ast.Starred)]
        kwargs = {k.arg if k.arg else "**": (_literal(k.value) if k.arg else None) for k in call.keywords}
        found.append((m.group(1), args, kwargs))
    return found


def _macros(source: str) -> dict[str, set[str]]:
    """Macros of the template that quote (`{% macro name() %}` … q/qv(…, **kwargs)): name -> experiments."""
    macros = {}
    for name, body in re.findall(r"{%-?\s*macro\s+(\w+)\(.*?%}(.*?){%-?\s*endmacro", source, re.S):
        experiments = {args[0] for _, args, kwargs in _calls(body, {"q", "qv"}) if "**" in kwargs}
        if experiments:
            macros[name] = experiments
    return macros


def try_items(name: str) -> list[dict]:
    """Each <li> of the page's try list: its links and the quotes it makes at overrides."""
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    macros = _macros(source)
    lists = re.findall(r'<ol class="try">(.*?)</ol>', source, re.S)
    assert len(lists) == 1, f"{name}: {len(lists)} try lists"
    items = []
    for li in re.findall(r"<li>(.*?)</li>", lists[0], re.S):
        quotes = []
        for fn, args, kwargs in _calls(li, {"q", "qv", *macros}):
            overrides = {k: v for k, v in kwargs.items() if k not in ("pct", "digits", "sig", "times")}
            for experiment in macros.get(fn, args[:1]):
                if overrides:
                    quotes.append((f"{fn}({', '.join(map(repr, args))})", experiment, overrides))
        links = [parse_link(href) for href in re.findall(r'href="(\?[^"]*)"', li)]
        text = html.unescape(" ".join(re.sub(r"<[^>]+>|{{.*?}}|{%.*?%}", " ", li, flags=re.S).split()))
        items.append({"text": text[:60], "quotes": quotes, "links": links})
    return items


def _settings(exercise_id: str, experiment: str, values: dict) -> dict:
    """Parameters as the experiment reads them (so "0.010" in a link and 0.01 in a quote agree)."""
    return EXERCISES[exercise_id].experiment(experiment).params.model_validate(values).model_dump()


@pytest.mark.parametrize("exercise_id", PAGES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_quote_of_a_try_item_is_what_its_link_shows(exercise_id, lang):
    unbacked = []
    for item in try_items(f"{exercise_id}.{lang}.html"):
        for call, experiment, overrides in item["quotes"]:
            wanted = _settings(exercise_id, experiment, overrides)
            if not any(set(links.get(experiment, {})) == set(overrides)
                       and _settings(exercise_id, experiment, links[experiment]) == wanted
                       for links, _ in item["links"]):
                unbacked.append(f"“{item['text']}…”: {call} at {overrides}; the item links to "
                                f"{[links for links, _ in item['links']]}")
    assert not unbacked, "\n".join(unbacked)


@pytest.mark.parametrize("exercise_id", PAGES)
def test_english_and_chinese_pages_have_the_same_try_links(exercise_id):
    en, zh = (try_items(f"{exercise_id}.{lang}.html") for lang in ("en", "zh"))
    assert len(en) == len(zh), exercise_id

    def key(item):
        return sorted(repr(link) for link in item["links"])

    for i, (a, b) in enumerate(zip(en, zh, strict=True), 1):
        assert key(a) == key(b), f"{exercise_id}, item {i}: {a['links']} != {b['links']}"
