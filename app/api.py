"""JSON routes: the exercise list, the activations, and one route per experiment."""


import functools
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, create_model

from app import progress
from app.cache import Entry, representation
from app.compute import Busy, is_cached, result_entry
from app.exercises.base import Exercise, Experiment, Params, TooCostly
from app.exercises.info import experiment_info
from app.exercises.playground.experiment import PLAYGROUNDS
from app.exercises.registry import EXERCISES
from app.i18n import LANGS
from app.messages import localize, too_costly_errors
from app.nn.activations import ACTIVATION_NAMES, get_activation
from app.results import dumps

router = APIRouter(prefix="/api", tags=["api"])
MAX_ECHO = 200  # characters of a refused value a 422 repeats


class ExperimentResult(BaseModel):
    """The result of any experiment (README, "The JSON API")."""

    exercise: str = Field(examples=["4-4"])
    experiment: str = Field(examples=["derivative"])
    params: dict[str, Any] = Field(description="Every parameter, defaults filled in.")
    metrics: dict[str, Any] = Field(description="Scalars and short lists a reader quotes.")
    data: dict[str, Any] = Field(description="The raw series behind the figures.")
    figures: dict[str, dict[str, Any]] = Field(description="Plotly figure JSON, one per chart.")


@functools.cache
def _listing() -> Entry:
    return Entry.of(dumps([
        {"id": ex.id, "title": dict(ex.title), "question": dict(ex.question),
         "experiments": [experiment_info(ex, e) for e in ex.experiments]}
        for ex in EXERCISES.values()
    ]))


@functools.cache
def _activations() -> Entry:
    return Entry.of(dumps([{"name": n, "latex": (a := get_activation(n)).latex, "derivative_latex": a.der_latex}
                           for n in ACTIVATION_NAMES]))


@router.get("/exercises", summary="The nine exercises with their experiments",
            response_model=list[dict[str, Any]])
def list_exercises(request: Request) -> Response:
    return json_response(request, _listing())


@router.get("/activations", summary="The activation functions of the core, with LaTeX of f and f′",
            response_model=list[dict[str, str]])
def list_activations(request: Request) -> Response:
    return json_response(request, _activations())


def reject_repeated(request: Request) -> None:
    """Refuse a query that names a parameter twice: which value was meant is unknowable."""
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key in seen:
            raise RequestValidationError([{"type": "repeated", "loc": ("query", key),
                                           "msg": f"parameter {key} is given more than once", "input": key}])
        seen.add(key)


def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Answer 422 in FastAPI's field-level shape, each error with a `message` for the reader in `?lang=`."""
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in LANGS else "en"
    schema: dict[str, Any] = {}
    parts = request.url.path.split("/")  # /api/exercises/{id}/{experiment}[/stream]
    if len(parts) >= 5 and parts[1:3] == ["api", "exercises"] and parts[3] in EXERCISES:
        experiment = EXERCISES[parts[3]].experiment(parts[4])
        schema = experiment.params.model_json_schema() if experiment else {}
    elif len(parts) >= 4 and parts[1] == "api" and parts[2] in PLAYGROUNDS:  # /api/playground/{experiment}
        experiment = PLAYGROUNDS[parts[2]].experiment(parts[3])
        schema = experiment.params.model_json_schema() if experiment else {}
    errors = [{**e, "input": e["input"][:MAX_ECHO] + "…"} if isinstance(e.get("input"), str)
              and len(e["input"]) > MAX_ECHO else e for e in exc.errors()]  # a pasted CSV is not sent back whole
    return JSONResponse({"detail": jsonable_encoder(localize(errors, schema, lang))}, status_code=422)


def run_or_raise(exercise: Exercise, experiment: Experiment, params: Any, lang: str) -> Entry:
    """Run an experiment, turning budget and load refusals into HTTP errors."""
    try:
        return result_entry(exercise, experiment, params, lang=lang)
    except TooCostly as e:
        raise RequestValidationError(too_costly_errors(e)) from None
    except Busy:
        raise HTTPException(503, "the server is busy; try again in a few seconds",
                            headers={"Retry-After": "5"}) from None


def json_response(request: Request, entry: Entry) -> Response:
    """Send a result with its ETag and Cache-Control (304 when the client holds it), gzipped if accepted."""
    status, body, headers = representation(entry, request.headers.get("accept-encoding", ""),
                                           request.headers.get("if-none-match", ""))
    return Response(body, status_code=status, media_type="application/json", headers=headers)


Lang = Literal["en", "zh"]


@functools.cache
def query_model(params: type[Params]) -> type[Params]:
    """The query an experiment's route takes: its params and `lang`, the language of the figure texts
    (not a parameter of the computation: the same numbers come back in either language)."""
    return create_model(f"{params.__name__}Query", __base__=params,
                        lang=(Lang, Field("en", description="Language of the figure texts.")))


def split_query(experiment: Experiment, query: Params) -> tuple[Params, str]:
    """Return the experiment's params and the language of a validated query."""
    values = query.model_dump()
    lang = values.pop("lang")
    return experiment.params.model_validate(values), lang


def _endpoint(exercise: Exercise, experiment: Experiment):
    Model = query_model(experiment.params)

    def endpoint(request: Request, query: Annotated[Model, Query()]) -> Response:  # type: ignore[valid-type]
        reject_repeated(request)
        params, lang = split_query(experiment, query)
        return json_response(request, run_or_raise(exercise, experiment, params, lang))

    endpoint.__name__ = f"run_{exercise.id.replace('-', '_')}_{experiment.name.replace('-', '_')}"
    endpoint.__doc__ = experiment.summary["en"]
    return endpoint


# A client of the stream route that accepts JSON (the pages' fetch does) gets the plain route's answer (gzipped,
# with its ETag and Cache-Control) for a run already computed or estimated under STREAM_MIN_SECONDS: a progress
# bar would only flash, and the stream's uncompressed copy (4-8's 480 KB) costs more than such a run. An
# EventSource (text/event-stream only) always gets the stream.
STREAM_MIN_SECONDS = 0.5


def stream_or_raise(request: Request, exercise: Exercise, experiment: Experiment, params: Any, lang: str) -> Response:
    """Stream an experiment's progress and result, or answer at once as the plain route (see above); a budget
    refusal is a 422."""
    if "application/json" in request.headers.get("accept", "") and (
            experiment.cost is None or experiment.cost(params) < STREAM_MIN_SECONDS
            or is_cached(exercise, experiment, params, lang)):
        response = json_response(request, run_or_raise(exercise, experiment, params, lang))
        response.headers["Vary"] = "Accept-Encoding, Accept"  # this URL streams to an EventSource
        return response
    try:
        return progress.stream(exercise, experiment, params, lang)
    except TooCostly as e:
        raise RequestValidationError(too_costly_errors(e)) from None


def _stream_endpoint(exercise: Exercise, experiment: Experiment):
    Model = query_model(experiment.params)

    def endpoint(request: Request, query: Annotated[Model, Query()]) -> Response:  # type: ignore[valid-type]
        reject_repeated(request)
        params, lang = split_query(experiment, query)
        return stream_or_raise(request, exercise, experiment, params, lang)

    endpoint.__name__ = f"stream_{exercise.id.replace('-', '_')}_{experiment.name.replace('-', '_')}"
    return endpoint


for _ex in EXERCISES.values():
    for _exp in _ex.experiments:
        router.add_api_route(
            f"/exercises/{_ex.id}/{_exp.name}", _endpoint(_ex, _exp), methods=["GET"],
            response_model=ExperimentResult, summary=f"{_ex.id} · {_exp.title['en']}",
            responses={422: {"description": "A parameter is out of bounds, unknown, or too costly"},
                       503: {"description": "All compute slots are busy; retry later"}},
        )
        router.add_api_route(f"/exercises/{_ex.id}/{_exp.name}/stream", _stream_endpoint(_ex, _exp), methods=["GET"],
                             include_in_schema=False)


def _body_endpoint(exercise: Exercise, experiment: Experiment, stream: bool):
    """The POST variant of a route: the same params (and `lang`) as a JSON object, for data too long for a
    link (the playground's pasted `csv`); the same answer, streamed or not."""
    Model = query_model(experiment.params)

    def endpoint(request: Request, body: Model) -> Response:  # type: ignore[valid-type]
        params, lang = split_query(experiment, body)
        if stream:
            return stream_or_raise(request, exercise, experiment, params, lang)
        return json_response(request, run_or_raise(exercise, experiment, params, lang))

    endpoint.__name__ = f"{'stream' if stream else 'run'}_{exercise.id}_{experiment.name}_posted"
    return endpoint


# The playground: the same routes under /api/{id}/{experiment} (not one of the nine exercises), and their
# POST variants (a pasted data set travels in the request body, not in the link).
for _ex in PLAYGROUNDS.values():
    for _exp in _ex.experiments:
        router.add_api_route(
            f"/{_ex.id}/{_exp.name}", _endpoint(_ex, _exp), methods=["GET"], response_model=ExperimentResult,
            summary=f"{_ex.title['en']} · {_exp.title['en']}",
            responses={422: {"description": "A parameter is out of bounds, unknown, or too costly"},
                       503: {"description": "All compute slots are busy; retry later"}},
        )
        router.add_api_route(f"/{_ex.id}/{_exp.name}/stream", _stream_endpoint(_ex, _exp), methods=["GET"],
                             include_in_schema=False)
        router.add_api_route(
            f"/{_ex.id}/{_exp.name}", _body_endpoint(_ex, _exp, stream=False), methods=["POST"],
            response_model=ExperimentResult, summary=f"{_ex.title['en']} · {_exp.title['en']} (settings as JSON)",
            responses={422: {"description": "A parameter is out of bounds, unknown, or too costly"},
                       503: {"description": "All compute slots are busy; retry later"}},
        )
        router.add_api_route(f"/{_ex.id}/{_exp.name}/stream", _body_endpoint(_ex, _exp, stream=True),
                             methods=["POST"], include_in_schema=False)


@router.get("/exercises/{exercise_id}/{experiment}", include_in_schema=False)
def unknown_experiment(exercise_id: str, experiment: str) -> None:
    if exercise_id not in EXERCISES:
        raise HTTPException(404, f"unknown exercise {exercise_id!r}")
    raise HTTPException(404, f"exercise {exercise_id} has no experiment {experiment!r}")
