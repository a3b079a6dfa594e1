"""Static assets with versioned URLs, and plotly.js's cartesian bundle vendored in static/vendor/.

A URL carries a hash of the file's content, so browsers may cache it for a year: a new release
gets a new URL. Files are read and gzipped once, into memory, not on every request: plotly.js
(1.5 MB, 0.5 MB gzipped) and the site's own files alike, so serving one costs the event loop a dictionary
lookup even while experiments keep every core busy.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers

from app.cache import for_client, gzip_bytes

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
# The cartesian bundle of the plotly.js version inside the Python plotly package (scripts/vendor_plotly.py).
PLOTLY_JS = STATIC / "vendor" / "plotly-cartesian.min.js"
SWAGGER_UI = Path(fastapi_offline.__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"

router = APIRouter(include_in_schema=False)


@functools.cache
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """Return the versioned URL of a file under static/."""
    return f"/static/{name}?v={_digest(STATIC / name)}"


def plotly_url() -> str:
    """Return the versioned URL of plotly.js."""
    return f"/vendor/plotly-{_digest(PLOTLY_JS)}.min.js"


# Worth compressing: text. Images such as PNG are already compressed.
_TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass(frozen=True)
class _File:
    raw: bytes
    gz: bytes | None
    media_type: str
    etag: str


def _load(path: Path) -> _File:
    """Read a file once, gzip it once if it is text, and name its content (ETag)."""
    raw = path.read_bytes()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    gz = gzip_bytes(raw) if media_type.startswith(_TEXT_TYPES) else None
    return _File(raw, gz if gz is not None and len(gz) < len(raw) else None, media_type,
                 f'"{hashlib.sha256(raw).hexdigest()[:16]}"')


class MemoryStaticFiles(StaticFiles):
    """StaticFiles whose files are read and gzipped once, at startup, and served from memory.

    Path checks (no traversal, 404, 405) stay StaticFiles' own: only a path that names one of the
    loaded files is answered from memory. Supports ETag / If-None-Match and HEAD.
    """

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory)
        self.files = {p.relative_to(directory).as_posix(): _load(p)
                      for p in sorted(directory.rglob("*")) if p.is_file()}

    async def get_response(self, path: str, scope: Any) -> Response:
        f = self.files.get(Path(path).as_posix())
        if f is None or scope["method"] not in ("GET", "HEAD"):
            return await super().get_response(path, scope)
        request = Headers(scope=scope)
        headers = {"ETag": f.etag, "Vary": "Accept-Encoding"}
        if f.etag in request.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        body, encoding = for_client(request.get("accept-encoding", ""), f.gz, lambda: f.raw)
        headers.update(encoding)
        headers["Content-Length"] = str(len(body))
        return Response(body if scope["method"] == "GET" else b"", media_type=f.media_type, headers=headers)


def swagger_url(name: str) -> str:
    """Return the versioned URL of a Swagger UI file (the copy shipped by fastapi-offline)."""
    return f"/vendor/swagger-ui/{name}?v={_digest(SWAGGER_UI / name)}"


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    """Swagger UI from local files, started by a static script: no CDN, no inline script."""
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Feedforward Lab — API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{swagger_url('swagger-ui.css')}">
<link rel="icon" href="{static_url('favicon.svg')}" type="image/svg+xml"></head>
<body><div id="swagger-ui"></div>
<script src="{swagger_url('swagger-ui-bundle.js')}"></script>
<script src="{static_url('js/docs.js')}"></script></body></html>""")


@functools.cache
def plotly_file() -> _File:
    """plotly.js (the cartesian bundle) as served: read and gzipped once."""
    return _load(PLOTLY_JS)


@router.get("/vendor/plotly-{version}.min.js")
async def plotly_js(version: str, request: Request) -> Response:
    """plotly.js from memory, on the event loop itself: no thread to wait for."""
    f = plotly_file()
    body, headers = for_client(request.headers.get("accept-encoding", ""), f.gz, lambda: f.raw)
    headers["Cache-Control"] = IMMUTABLE if version == _digest(PLOTLY_JS) else "no-cache"
    return Response(body, media_type="text/javascript", headers=headers)
