"""The ASGI app: routers, static files, middleware. Nothing else lives here."""

from __future__ import annotations

import gc
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders, QueryParams
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app import api, assets, compute, observability, pages, workers
from app.assets import IMMUTABLE, STATIC
from app.cache import Entry
from app.exercises.playground.experiment import PLAYGROUNDS
from app.exercises.registry import EXERCISES
from app.results import dumps
from app.settings import Settings

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def warm_up() -> None:
    """Compute every experiment's defaults, then render every page at them; then say so (/metrics).

    Last, everything alive (modules, routes, models, templates: ~70k objects) is moved out of the
    garbage collector's sight: a full collection then takes ~0 ms instead of 15–27 ms, a pause the
    event loop would otherwise take in the middle of some request.
    """
    background = compute.BACKGROUND.set(True)  # what the warm-up computes gives way to requests
    try:
        compute.warm_up({**EXERCISES, **PLAYGROUNDS})
        pages.warm_up()
    finally:
        compute.BACKGROUND.reset(background)
    gc.collect()
    gc.freeze()
    compute.WARM.set()


def cancel_after_grace(grace: float) -> None:
    """Chain a handler in front of uvicorn's SIGTERM/SIGINT handler: uvicorn stops accepting and
    waits for the requests in flight; `grace` seconds later (FFLAB_SHUTDOWN_GRACE, 20), this
    worker's running computations are cancelled and their requests answer 503, so that every request
    is answered within the 30 s a container or pod is given to stop. Runs stop by themselves at
    FFLAB_COMPUTE_DEADLINE (10 s): this is the backstop. Main thread only (signals), so a no-op
    under a test client."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)

        def handler(signum, frame, previous=previous) -> None:
            timer = threading.Timer(grace, workers.stop_all)
            timer.daemon = True
            timer.start()
            if callable(previous):
                previous(signum, frame)

        signal.signal(sig, handler)


def openapi_entry(app: FastAPI) -> Entry:
    """The OpenAPI document, built once per app and kept gzipped."""
    entry = getattr(app.state, "openapi_entry", None)
    if entry is None:
        entry = app.state.openapi_entry = Entry.of(dumps(app.openapi()))
    return entry


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app with `settings` (default: read from the environment, app.settings)."""
    settings = Settings.from_env() if settings is None else settings
    compute.configure(settings)
    pages.configure(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Start the warm-up in the background (the warmup setting, FFLAB_WARMUP=0, turns it off);
        on the way out (after SIGTERM: requests in flight answered), stop the compute children."""
        if settings.warmup:
            threading.Thread(target=warm_up, name="fflab-warmup", daemon=True).start()
        cancel_after_grace(settings.shutdown_grace)
        yield
        workers.close_all()

    app = FastAPI(
        lifespan=lifespan,
        title="Feedforward Lab",
        version="0.1.0",
        description="Experiments for the nine exercises of chapter 4 (feedforward networks) of "
                    "Neural Networks and Deep Learning (Qiu Xipeng). Every result is computed on request.",
        docs_url=None,
        openapi_url=None,  # served below, from memory and gzipped like every other answer
        redoc_url=None,
    )
    app.include_router(api.router)
    app.include_router(assets.router)
    app.include_router(pages.router)
    app.mount("/static", assets.MemoryStaticFiles(STATIC), name="static")
    app.mount("/vendor/swagger-ui", StaticFiles(directory=assets.SWAGGER_UI), name="swagger-ui")
    observability.install(app, settings.access_log)  # /metrics, and one access-log line per request

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> Response:
        return api.json_response(request, openapi_entry(app))

    @app.get("/healthz", tags=["ops"], summary="Liveness")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_exception_handler(RequestValidationError, api.validation_error)

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and not request.url.path.startswith("/api"):
            return pages.render(request, "404.html", {}, status=404)
        return await http_exception_handler(request, exc)

    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Pure ASGI middleware: the security headers on every response, and the immutable Cache-Control of a
    static file at a versioned URL (`?v=`). Written on the response's start message: Starlette's
    BaseHTTPMiddleware would add a task and a body stream to every request, a cached answer included."""

    HEADERS = (("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"),
               ("x-frame-options", "DENY"), ("content-security-policy", CSP))

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        versioned = (scope["path"].startswith(("/static/", "/vendor/"))
                     and "v" in QueryParams(scope.get("query_string", b"")))

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                for name, value in self.HEADERS:
                    h.setdefault(name, value)
                if versioned:
                    h["cache-control"] = IMMUTABLE
            await send(message)

        await self.app(scope, receive, send_with_headers)


app = create_app()
