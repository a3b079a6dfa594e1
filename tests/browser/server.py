"""One live server for every browser test of a run, started by pytest-xdist's controller.

Each page a test opens computes its results and quotes on the server (4-3's page alone trains some
thirty runs). With a server per xdist worker, every worker computed every page once more on the same
two cores; one server computes each page once, and its warm-up renders the pages while the workers
start. The controller starts it (tests/conftest.py's hooks call start/stop), hands its URL to the
workers through `workerinput`, and stops it when the run ends, after every worker. A run without
xdist (`pytest tests/browser/test_shell.py`) starts its own server in the live_server fixture.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bench.common import uvicorn_server

ROOT = Path(__file__).resolve().parents[2]
BROWSER_TESTS = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts"
KEY = "fflab_live_server"  # the workers' workerinput entry holding the shared server's URL

# The pages are under test, not the server's refusals under load: on a busy machine (test workers, the
# browsers and the server on two cores) a default may wait for a slot or run past the 10 s deadline,
# so both are generous.
ENV = {"FFLAB_COMPUTE": "process", "FFLAB_QUEUE_WAIT": "60", "FFLAB_COMPUTE_DEADLINE": "60"}


def serve(log: Path, warm: bool) -> contextlib.AbstractContextManager[str]:
    """uvicorn with the app's own protocol, computing in child processes; its output in `log`."""
    ARTIFACTS.mkdir(exist_ok=True)
    return uvicorn_server({**ENV, "FFLAB_WARMUP": "1" if warm else "0"}, log=log, new_session=False)


def _covers(arg: str, config: pytest.Config) -> bool:
    path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
    return path == BROWSER_TESTS or BROWSER_TESTS in path.parents or path in BROWSER_TESTS.parents


def wanted(config: pytest.Config) -> bool:
    """True in xdist's controller when the run may hold browser tests (its paths reach tests/browser and
    no -m expression leaves them out)."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return False
    if "not browser" in (config.option.markexpr or ""):
        return False
    return any(_covers(arg, config) for arg in (config.args or ["."]))


def start(config: pytest.Config) -> None:
    stack = contextlib.ExitStack()
    # warm: the server renders every page in both languages in the background, giving way to requests
    config.stash[_URL] = stack.enter_context(serve(ARTIFACTS / "server.log", warm=True))
    config.stash[_STACK] = stack


def stop(config: pytest.Config) -> None:
    stack = config.stash.get(_STACK, None)
    if stack is not None:
        stack.close()


def url_for_workers(config: pytest.Config) -> str | None:
    return config.stash.get(_URL, None)


_URL = pytest.StashKey[str]()
_STACK = pytest.StashKey[contextlib.ExitStack]()
