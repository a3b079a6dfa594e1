"""Static assets with versioned URLs, and plotly.js served from the installed plotly package.

A URL carries a hash of the file's content, so browsers may cache it for a year: a new release
gets a new URL. plotly.js (about 4.8 MB) is gzipped once, in memory, not on every request.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path

import fastapi_offline
import plotly
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
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


@functools.cache
def _plotly_bytes() -> tuple[bytes, bytes]:
    raw = PLOTLY_JS.read_bytes()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


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


@router.get("/vendor/plotly-{version}.min.js")
def plotly_js(version: str, request: Request) -> Response:
    raw, packed = _plotly_bytes()
    headers = {"Cache-Control": IMMUTABLE if version == _digest(PLOTLY_JS) else "no-cache",
               "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="text/javascript", headers=headers)
    return Response(raw, media_type="text/javascript", headers=headers)
