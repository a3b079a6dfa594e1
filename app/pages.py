"""HTML routes: the index and one page per exercise. Same computation as the API.

An exercise page carries its controls' state in the URL query, one key per parameter written
`experiment.param` (e.g. `?derivative.beta=1.7`), and embeds the first results as JSON so
the figures are drawn without a second request.

A page is a pure function of its path, its query and its language once every result in it is
computed, so rendered pages are kept (gzipped, in a small LRU) and a repeated view costs no
template rendering and no compression. A page sent with a deferred result is not kept.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from app.assets import ROOT, plotly_url, static_url
from app.cache import LRU, Entry, representation
from app.compute import Busy, result_body
from app.exercises.base import Exercise, TooCostly
from app.exercises.info import experiment_info
from app.exercises.playground.experiment import PLAYGROUND
from app.exercises.playground.links import playground_link
from app.exercises.registry import EXERCISES
from app.i18n import COOKIE, DEFAULT_LANG, LANGS, pick, shell
from app.mathml import tex, texblock
from app.messages import localize, too_costly_errors
from app.nn.activations import ACTIVATION_NAMES, get_activation
from app.quotes import num, q, qv
from app.results import dumps
from app.settings import Settings

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=ROOT / "templates")
templates.env.filters.update(tex=tex, texblock=texblock, num=num)
templates.env.globals.update(tex=tex, q=q, qv=qv, pick=pick, static_url=static_url, plotly_url=plotly_url,
                             exercises=EXERCISES, playground=PLAYGROUND,
                             activations=lambda: [(n, get_activation(n)) for n in ACTIVATION_NAMES])


PAGES = LRU(64, 16 * 2**20)  # its size is the page_cache_size setting (configure)


def configure(settings: Settings) -> None:
    """Apply the operator's settings: how many rendered pages each worker keeps."""
    PAGES.size = settings.page_cache_size


def request_lang(request: Request) -> str:
    """Choose the language: `?lang=`, then the cookie, then Accept-Language, then English."""
    query = request.query_params.get("lang")
    if query in LANGS:
        return query
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGS:
        return cookie
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return DEFAULT_LANG



def html(request: Request, name: str, context: dict[str, Any]) -> bytes:
    """Render a template with the language and the shell strings."""
    lang = request_lang(request)
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    query["lang"] = "zh" if lang == "en" else "en"
    return templates.get_template(name).render(
        {"lang": lang, "s": shell(lang), "switch_query": query, **context}).encode()


def send(request: Request, entry: Entry, status: int = 200, cacheable: bool = True) -> Response:
    """Send a page, gzipped when the client accepts it; remember an explicit language in a cookie."""
    code, body, headers = representation(entry, request.headers.get("accept-encoding", ""),
                                         request.headers.get("if-none-match", "") if status == 200 else "")
    # the language of a page without ?lang= comes from the cookie or Accept-Language (request_lang)
    headers["Vary"] = "Accept-Encoding, Accept-Language, Cookie"
    if status != 200 or not cacheable:  # an error page, or a page whose results follow by script
        headers["Cache-Control"] = "no-cache"
    response = Response(body, code if status == 200 else status, headers=headers, media_type="text/html")
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(COOKIE, request.query_params["lang"], max_age=365 * 86400, samesite="lax")
    return response


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render and send a page that is not kept (the 404 page)."""
    return send(request, Entry.of(html(request, name, context)), status)


def page_key(request: Request) -> tuple[str, str, str]:
    """What a page depends on: its path, its query but `lang`, and the language it is shown in."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])
    return (request.url.path, query, request_lang(request))


def warm_up() -> int:
    """Render and keep the index and every exercise page at its defaults, in each language.

    Run after the results at the defaults are computed (app.compute.warm_up), so a first visitor
    of any page, in either language, gets kept bytes. Returns how many pages were kept.
    """
    for lang in LANGS:
        for path in ["/", *(f"/exercises/{i}" for i in EXERCISES)]:
            request = Request({"type": "http", "method": "GET", "path": path, "headers": [],
                               "query_string": f"lang={lang}".encode()})
            if path == "/":
                index(request)
            else:
                exercise_page(request, path.rsplit("/", 1)[1])
    return len(PAGES)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> Response:
    key = page_key(request)
    entry = PAGES.get(key)
    if entry is None:
        entry = Entry.of(html(request, "index.html", {}))
        PAGES.put(key, entry)
    return send(request, entry)


def _embed(body: bytes) -> str:
    # "</" inside a JSON string would close the <script> element; "\/" is the same JSON string.
    return body.decode().replace("</", "<\\/")


# A page computes its first results inline only if a compute slot frees up this quickly; otherwise
# it is sent at once and the page script asks for the result itself (with a progress bar).
PAGE_WAIT_SECONDS = 0.3


def _errors(errors: list[dict[str, Any]], info: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Field-level errors as the page shows them: where, and the reader's sentence (app.messages)."""
    keep = ("loc", "type", "msg", "message")
    out = []
    for e in localize(errors, info["params"], lang):
        item = {k: e[k] for k in keep if k in e}
        if "ctx" in e:  # the usable range of a too-costly refusal; anything else said as text
            item["ctx"] = {k: v if v is None or isinstance(v, (str, int, float, bool)) else str(v)
                           for k, v in e["ctx"].items()}
        out.append(item)
    return out


def experiment_state(request: Request, exercise: Exercise, lang: str) -> list[dict[str, Any]]:
    """Validate each experiment's slice of the URL query and compute its first result."""
    out = []
    for exp in exercise.experiments:
        prefix = exp.name + "."
        values = {k[len(prefix):]: v for k, v in request.query_params.items() if k.startswith(prefix)}
        info = experiment_info(exercise, exp)
        item: dict[str, Any] = {"info": info, "query": values, "result": None, "errors": []}
        try:
            params = exp.params.model_validate(values)
            item["playground"] = playground_link(exercise.id, exp.name, params)  # or None
            item["result"] = _embed(result_body(exercise, exp, params, wait=PAGE_WAIT_SECONDS, lang=lang))
        except ValidationError as e:
            item["errors"] = _errors([{**err, "loc": ("query", *err["loc"])} for err in e.errors()], info, lang)
        except TooCostly as e:
            item["errors"] = _errors(too_costly_errors(e), info, lang)
        except Busy:
            item["deferred"] = True
        out.append(item)
    return out


@functools.cache
def _formulas() -> dict[str, str]:
    """MathML of every activation formula, so the page can show LaTeX metrics as math."""
    latex = [t for n in ACTIVATION_NAMES for t in (get_activation(n).latex, get_activation(n).der_latex)]
    return {t: str(tex(t)) for t in latex}


@router.get("/exercises/{exercise_id}", response_class=HTMLResponse)
def exercise_page(request: Request, exercise_id: str) -> Response:
    exercise = EXERCISES.get(exercise_id)
    if exercise is None:
        raise HTTPException(404, f"unknown exercise {exercise_id!r}")
    key = page_key(request)
    entry = PAGES.get(key)
    if entry is not None:
        return send(request, entry)
    lang = key[2]
    experiments = experiment_state(request, exercise, lang)
    page = {"lang": lang, "exercise": exercise.id, "strings": shell(lang), "mathml": _formulas(),
            "experiments": [{"info": e["info"], "query": e["query"], "errors": e["errors"],
                             "deferred": e.get("deferred", False)} for e in experiments]}
    content = f"exercises/{exercise.id}.{lang}.html"
    has_content = (ROOT / "templates" / content).exists()
    entry = Entry.of(html(request, "exercise.html", {
        "exercise": exercise, "experiments": experiments, "page_json": _embed(dumps(page)),
        "content": content if has_content else None,
    }))
    complete = not any(e.get("deferred") for e in experiments)
    if complete:
        PAGES.put(key, entry)
    return send(request, entry, cacheable=complete)


@router.get("/playground", response_class=HTMLResponse)
def playground_page(request: Request) -> Response:
    """The playground: one experiment (train) with every knob, its state in the URL (`train.layers=8,8`)."""
    key = page_key(request)
    entry = PAGES.get(key)
    if entry is not None:
        return send(request, entry)
    lang = key[2]
    experiments = experiment_state(request, PLAYGROUND, lang)
    for e in experiments:  # its routes live under /api/playground/, not /api/exercises/
        name = e["info"]["name"]
        e["info"].update(path=f"/api/{PLAYGROUND.id}/{name}", stream_path=f"/api/{PLAYGROUND.id}/{name}/stream")
    page = {"lang": lang, "exercise": PLAYGROUND.id, "strings": shell(lang), "mathml": {},
            "experiments": [{"info": e["info"], "query": e["query"], "errors": e["errors"],
                             "deferred": e.get("deferred", False)} for e in experiments]}
    entry = Entry.of(html(request, "playground.html", {
        "playground": PLAYGROUND, "experiments": experiments, "page_json": _embed(dumps(page)),
    }))
    complete = not any(e.get("deferred") for e in experiments)
    if complete:
        PAGES.put(key, entry)
    return send(request, entry, cacheable=complete)
