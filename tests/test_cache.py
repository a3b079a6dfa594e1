"""The cache of results and pages: bounded by entries and bytes, pinned entries kept, gzipped once."""

from __future__ import annotations

import gzip
import threading

from app.cache import LRU, Entry


def test_cache_is_bounded_by_bytes_and_keeps_the_newest():
    cache = LRU(size=100, max_bytes=250)
    for i in range(5):
        cache.put(("k", i), Entry(b"x" * 100))
    assert cache.bytes() <= 250
    assert cache.get(("k", 4)) is not None and cache.get(("k", 0)) is None


def test_pinned_entries_survive_any_number_of_other_queries():
    cache = LRU(size=2, max_bytes=10**6)
    cache.put(("default",), Entry.of(b"d"), pin=True)
    for i in range(10):
        cache.put(("q", i), Entry(b"x"))
    assert cache.get(("default",)).body == b"d"


def test_results_are_kept_gzipped_deterministically():
    body = b'{"a": 1}' * 100
    entry = Entry.of(body)
    assert entry.size == len(entry.gzipped()) < len(body) / 5
    assert gzip.decompress(entry.gzipped()) == entry.body == body
    assert Entry.of(body).gzipped() == entry.gzipped()


def test_the_size_is_read_safely_while_other_threads_fill_the_cache():
    cache = LRU(size=50, max_bytes=10**6)
    errors: list[BaseException] = []

    def fill(k: int) -> None:
        try:
            for i in range(2000):
                cache.put((k, i), Entry(b"x" * (i % 7 + 1)))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=fill, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        assert 0 <= cache.bytes() <= 50 * 7 and len(cache) <= 50
    for t in threads:
        t.join()
    assert not errors
