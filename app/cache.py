"""Results and pages kept in memory, gzipped: an entry type and a bounded LRU of them.

Everything the server computes or renders is a pure function of its query, so a kept copy is
exact. Entries hold the gzipped bytes only: what every browser asks for, and a fifth of the
memory; the plain body is unpacked on the rare request that wants it.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

# Level 1: on the results' JSON (long runs of similar numbers) it is 2–3× faster than level 6 for bodies
# 2–10 % larger (a 490 KB result: 3 ms and 102 KB against 8 ms and 93 KB), and every result is
# compressed on the request that computes it.
GZIP_LEVEL = 1


def gzip_bytes(body: bytes) -> bytes:
    """Gzip at GZIP_LEVEL without a timestamp, so the same body always gives the same bytes."""
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def for_client(accept_encoding: str, gz: bytes | None, plain: Callable[[], bytes]) -> tuple[bytes, dict[str, str]]:
    """Choose what to send: the gzipped bytes when the client accepts gzip (and there are some), else
    the plain ones; with the headers that say which (every kept page, result and file goes through here)."""
    if gz is not None and "gzip" in accept_encoding:
        return gz, {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return plain(), {"Vary": "Accept-Encoding"}


# Results and pages are a pure function of the URL on one installation (a release that changes them
# changes their ETag), so any cache may keep them; an hour, then a cheap revalidation (304).
CACHE_CONTROL = "public, max-age=3600"


def representation(entry: Entry, accept_encoding: str, if_none_match: str) -> tuple[int, bytes, dict[str, str]]:
    """Choose what to send of a kept result or page: (status, body, headers).

    The ETag is strong and names the bytes sent: the hash of the gzipped body, with "-gz" for the
    gzipped representation. A client that already holds either representation gets 304, no body.
    """
    body, headers = for_client(accept_encoding, entry.gzipped(), lambda: entry.body)
    tag = entry.etag + ("-gz" if headers.get("Content-Encoding") == "gzip" else "")
    headers.update({"ETag": f'"{tag}"', "Cache-Control": CACHE_CONTROL})
    held = {t.strip().removeprefix("W/").strip('"').removesuffix("-gz") for t in if_none_match.split(",")}
    if entry.etag in held or "*" in held:
        headers.pop("Content-Encoding", None)
        return 304, b"", headers
    return 200, body, headers


@dataclass(frozen=True)
class Entry:
    """A result, kept gzipped; the plain body is unpacked when a client or a page needs it."""

    gz: bytes

    @classmethod
    def of(cls, body: bytes) -> Entry:
        return cls(gzip_bytes(body))

    @property
    def body(self) -> bytes:
        return gzip.decompress(self.gz)

    def gzipped(self) -> bytes:
        return self.gz

    @property
    def size(self) -> int:
        return len(self.gz)

    @functools.cached_property
    def etag(self) -> str:
        """A name for these bytes: the first 20 hex digits of the SHA-256 of the gzipped body."""
        return hashlib.sha256(self.gz).hexdigest()[:20]


class LRU:
    """A thread-safe LRU cache of entries, bounded by entries and by bytes.

    Pinned entries (results at an experiment's defaults: what every first page view shows) are
    never evicted, so random queries cannot push them out; they count toward the byte bound.
    """

    def __init__(self, size: int, max_bytes: int) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, Entry] = OrderedDict()
        self._pinned: dict[tuple, Entry] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._pinned.get(key) or self._items.get(key)
            if key in self._items:
                self._items.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry, *, pin: bool = False) -> None:
        if self.size <= 0:
            return
        with self._lock:
            if pin:
                self._pinned[key] = entry
                return
            self._items[key] = entry
            self._items.move_to_end(key)
            while self._items and (len(self._items) > self.size or self._bytes() > self.max_bytes):
                self._items.popitem(last=False)

    def _bytes(self) -> int:
        return sum(e.size for e in self._items.values()) + sum(e.size for e in self._pinned.values())

    def bytes(self) -> int:
        with self._lock:
            return self._bytes()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items) + len(self._pinned)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._pinned.clear()


@dataclass(frozen=True)
class Languages:
    """One computation's result, drawn in one or more languages: {lang: Entry}. The cache keeps one
    of these per query, so a reader switching 中文 ↔ English never recomputes."""

    entries: dict[str, Entry]

    @property
    def size(self) -> int:
        return sum(e.size for e in self.entries.values())

    def get(self, lang: str) -> Entry | None:
        return self.entries.get(lang)
