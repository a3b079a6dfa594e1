"""HTML pages: the index, the exercise pages, languages, embedded results, no CDN."""

from __future__ import annotations

import gc
import json
import re

import pytest

from app.exercises.base import Exercise
from app.exercises.registry import EXERCISES
from app.i18n import text
from tests.conftest import strict_json


def test_index_shows_nine_cards(client):
    html = client.get("/").text
    assert html.count('class="card"') == 9
    for ex in EXERCISES.values():
        assert f'href="/exercises/{ex.id}"' in html


def test_no_script_or_style_from_another_host(client):
    for path in ["/", "/docs", *(f"/exercises/{i}" for i in EXERCISES)]:
        html = client.get(path).text
        assert not re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["'](?:https?:)?//""", html), path


def test_exercise_page_embeds_its_first_results_and_renders_math(client):
    html = client.get("/exercises/4-4").text
    blocks = re.findall(r'<script type="application/json" class="result-json">(.*?)</script>', html, re.S)
    assert len(blocks) == len(EXERCISES["4-4"].experiments)
    first = strict_json(blocks[0])
    assert first["experiment"] == "derivative" and first["figures"]
    assert "<math" in html  # server-side MathML
    assert re.search(r'<script src="/vendor/plotly-[0-9a-f]{12}\.min\.js" defer>', html)


def test_page_state_comes_from_the_url(client):
    html = client.get("/exercises/4-4?derivative.function=gelu&derivative.x_probe=-0.7").text
    first = strict_json(re.search(r'class="result-json">(.*?)</script>', html, re.S).group(1))
    assert first["params"]["function"] == "gelu"
    assert abs(first["metrics"]["df_at_probe"] - 0.023385898866340155) < 1e-15


def test_a_bad_value_in_the_url_is_shown_not_crashed(client):
    r = client.get("/exercises/4-4?derivative.beta=99")
    assert r.status_code == 200
    page = json.loads(re.search(r'id="page-data">(.*?)</script>', r.text, re.S).group(1))
    errors = page["experiments"][0]["errors"]
    assert errors and errors[0]["loc"][-1] == "beta"


def test_language_from_query_then_cookie_then_accept_language(client):
    zh = client.get("/exercises/4-4?lang=zh")
    assert 'lang="zh-CN"' in zh.text and "Swish 与 GELU 的导数" in zh.text
    assert zh.cookies.get("lang") == "zh" or "lang=zh" in zh.headers.get("set-cookie", "")
    client.cookies.clear()
    assert 'lang="zh-CN"' in client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "fr,en;q=0.5"}).text


def test_an_exercise_without_experiments_says_so(client, monkeypatch):
    """Every exercise has experiments; one registered without any (while it is written) still gets a page."""
    bare = Exercise("4-10", text("Not written yet", "尚未写好"), text("A question.", "一个问题。"))
    monkeypatch.setitem(EXERCISES, bare.id, bare)
    for lang, says in (("en", "not available yet"), ("zh", "尚未上线")):
        html = client.get(f"/exercises/{bare.id}?lang={lang}").text
        assert says in html and 'class="not-available"' in html
        assert "/vendor/plotly-" not in html and 'class="result-json"' not in html
    assert "/vendor/plotly-" in client.get("/exercises/4-4").text  # what a page with experiments loads


def test_friendly_404_in_both_languages(client):
    en = client.get("/exercises/4-0?lang=en")
    zh = client.get("/no/such/page?lang=zh")
    assert en.status_code == zh.status_code == 404
    assert "Page not found" in en.text and "页面不存在" in zh.text
    assert "Traceback" not in en.text


def test_plotly_js_is_served_locally_and_cached(client):
    html = client.get("/exercises/4-4").text
    url = re.search(r'src="(/vendor/plotly-[0-9a-f]+\.min\.js)"', html).group(1)
    r = client.get(url)
    assert r.status_code == 200 and "plotly" in r.text[:200].lower()
    assert "immutable" in r.headers["cache-control"]


def test_site_files_are_served_from_memory_gzipped_with_validators(client):
    from app.assets import STATIC

    url = re.search(r'src="(/static/js/exercise\.js\?v=[0-9a-f]+)"', client.get("/exercises/4-4").text).group(1)
    on_disk = (STATIC / "js" / "exercise.js").read_bytes()
    packed = client.get(url, headers={"accept-encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and packed.content == on_disk  # httpx unpacks it
    assert int(packed.headers["content-length"]) < len(on_disk) / 2
    assert "javascript" in packed.headers["content-type"] and "immutable" in packed.headers["cache-control"]
    plain = client.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == on_disk
    again = client.get(url, headers={"if-none-match": plain.headers["etag"]})
    assert again.status_code == 304 and not again.content
    head = client.head("/static/css/site.css")
    assert head.status_code == 200 and not head.content and int(head.headers["content-length"]) > 0
    assert client.get("/static/js/nothing.js").status_code == 404
    assert client.post("/static/css/site.css").status_code == 405


def test_a_page_seen_again_is_the_same_bytes_without_rendering(client, monkeypatch):
    from app import pages

    pages.PAGES.clear()
    first = client.get("/exercises/4-2?lang=en")
    monkeypatch.setattr(pages, "html", lambda *a, **k: pytest.fail("rendered again"))
    second = client.get("/exercises/4-2?lang=en")
    assert second.content == first.content and second.headers["content-type"].startswith("text/html")
    assert "lang=en" in second.headers.get("set-cookie", "")
    # Another language is another page.
    monkeypatch.undo()
    assert 'lang="zh-CN"' in client.get("/exercises/4-2?lang=zh").text


def test_warm_up_keeps_every_page_in_each_language_and_sets_warm(monkeypatch):
    from app import compute, main, pages
    from app.i18n import LANGS

    pages.PAGES.clear()
    compute.WARM.clear()
    monkeypatch.setattr(compute, "warm_up", lambda exercises: 0)  # the pages compute what they show
    main.warm_up()
    assert compute.WARM.is_set()
    assert len(pages.PAGES) == len(LANGS) * (1 + len(EXERCISES))
    assert gc.get_freeze_count() > 0  # what lives after the warm-up is out of the collector's sight
    gc.unfreeze()


def test_a_page_is_kept_once_whatever_says_its_language(client, monkeypatch):
    from app import pages

    pages.PAGES.clear()
    by_query = client.get("/exercises/4-1?lang=zh").text
    monkeypatch.setattr(pages, "html", lambda *a, **k: pytest.fail("rendered again"))
    client.cookies.clear()
    assert client.get("/exercises/4-1", headers={"Accept-Language": "zh-CN"}).text == by_query
    client.cookies.set("lang", "zh")
    assert client.get("/exercises/4-1").text == by_query
    client.cookies.clear()
