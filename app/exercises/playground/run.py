"""The playground's computation: build the ensemble, train it with the core's one loop, measure it.

Numbers first: `train_playground` returns metrics (the first network's final losses and scores, its dead
units, the ensemble's success rate and outcomes), data (the series behind every figure, and the points)
and views (what only the figures need: the first network's output over the plane at the replay's
epochs, every unit's output on a coarse grid, its final weights). Nothing here draws.

Member i of the ensemble is the network of seed `seed + i`: its weights come from default_rng(seed + i)
(init_network), its small random biases, if any, from default_rng([seed + i, BIAS_STREAM]) and its
mini-batch order from default_rng(seed + i + SHUFFLE_OFFSET); so it trains as it would alone, to
rounding (app.nn.train), and `n_seeds=1, seed=s+i` reproduces it.
"""

from __future__ import annotations

import numpy as np

from app.exercises import work
from app.exercises.base import Result
from app.exercises.common import dead_in_layer, frame_indices, outcome
from app.exercises.playground.data import FEATURE_LABELS, Split, features, plane_extent, split, split_given
from app.exercises.playground.params import SMALL_BIAS_STD, PlaygroundParams
from app.nn.activations import get_activation, sigmoid
from app.nn.losses import get_loss
from app.nn.network import Network, forward, init_network, parameter_count
from app.nn.train import loss_outcome, train

BIAS_STREAM = 1  # second word of the biases' seed, so that they never share a stream with the weights
SHUFFLE_OFFSET = 2**32  # the mini-batch order's seed, beyond every weight seed
SNAPSHOTS = 61  # most recorded epochs (test loss, replay)
MAX_SNAPSHOT_FLOATS = 4_000_000  # snapshots × members × parameters kept at most (32 MB)
REPLAY_FRAMES = 25
GRID = 31  # the decision surface: GRID² points over the plane
CURVE_POINTS = 201  # a fitted curve: this many x
THUMB = 24  # a unit's thumbnail: THUMB² points (2-D) or THUMB x (1-D)
MAX_THUMB_BYTES = 50_000  # the neuron map's replay: 8-bit tiles of hidden and output units over its frames
MAX_CURVE_POINTS = 500  # loss and gradient curves sent at most at this many epochs
TRAJECTORY_FLOATS = 12_000  # the first network's weights over the epochs: parameters × epochs sent at most
TRAJECTORY_FRAMES = 31  # … at this many recorded epochs at most (denser early, where weights move fastest)
QUANTILES = (0.1, 0.5, 0.9)


def n_snapshots(p: PlaygroundParams) -> int:
    """Return how many epochs the run records: up to SNAPSHOTS, fewer for a large ensemble (memory)."""
    per = p.n_seeds * parameter_count(p.sizes())["total"]
    return int(np.clip(MAX_SNAPSHOT_FLOATS // per, 2, SNAPSHOTS))


def cost(p: PlaygroundParams) -> float:
    """Estimate the seconds of a run (app.exercises.work): training, test losses, grids."""
    sizes = p.sizes()
    w = work.training(p.n_seeds, p.n_train(), sizes, p.epochs, p.batch_size, p.activation, shuffled=True,
                      optimizer=p.optimizer, snapshots=n_snapshots(p), loss=p.loss_name())
    grid = CURVE_POINTS if p.regression else GRID**2
    w = w + work.evaluation(p.n_seeds, p.n_data(), sizes, times=n_snapshots(p) + 1, activation=p.activation)
    w = w + work.evaluation(1, grid, sizes, times=REPLAY_FRAMES, activation=p.activation)
    w = w + work.evaluation(1, THUMB**2, sizes, activation=p.activation)
    return work.seconds(w)


def data_split(p: PlaygroundParams) -> Split:
    """Return the run's data: the reader's points or a generated set, shuffled by data_seed and split."""
    if p.custom:
        return split_given(*p.custom_data(), p.data_seed, p.test_fraction)
    return split(p.dataset, p.n_points, p.noise, p.data_seed, p.test_fraction, p.target())


def build_network(p: PlaygroundParams, seeds: list[int]) -> Network:
    """Return the ensemble of the networks of `seeds`, as initialised."""
    act = get_activation(p.activation, **p.activation_kwargs())
    scale = {"std": p.init_scale, "limit": p.init_scale, "constant": p.init_scale}
    net = init_network(p.sizes(), act, p.output(), seeds, weight_init=p.init, bias_init=0.0,
                       init_kwargs=scale, prelu_alpha=p.prelu_alpha)
    if p.bias_init == "small":
        for i, s in enumerate(seeds):
            rng = np.random.default_rng([s, BIAS_STREAM])
            for b in net.b:
                b[i] = rng.normal(0.0, SMALL_BIAS_STD, size=b.shape[1:])
    return net


def quantiles(A: np.ndarray) -> np.ndarray:
    """Return the 10th, 50th and 90th percentiles over axis 0 of the finite values, (3, …); NaN where none."""
    A = np.asarray(A, dtype=float)
    A = np.sort(np.where(np.isfinite(A), A, np.nan), axis=0)  # NaN sorts last
    k = np.isfinite(A).sum(axis=0)
    out = np.full((len(QUANTILES), *A.shape[1:]), np.nan)
    with np.errstate(all="ignore"):  # columns with nothing finite compute NaN, then are set to NaN anyway
        for i, q in enumerate(QUANTILES):  # numpy's default (linear) interpolation between order statistics
            pos = q * np.maximum(k - 1, 0)
            lo = np.floor(pos).astype(int)
            hi = np.minimum(lo + 1, np.maximum(k - 1, 0))
            a = np.take_along_axis(A, lo[None], axis=0)[0]
            b = np.take_along_axis(A, hi[None], axis=0)[0]
            out[i] = np.where(k > 0, a + (pos - lo) * (b - a), np.nan)
    return out


def _thin(n: int) -> np.ndarray:
    """Return at most MAX_CURVE_POINTS + 1 increasing indices of range(n), the first and the last included."""
    return np.unique(np.round(np.linspace(0, n - 1, min(n, MAX_CURVE_POINTS + 1))).astype(int))


def _logits(net: Network, X: np.ndarray) -> np.ndarray:
    """Return the output unit's net input (the logit for classes), (S, N)."""
    return forward(net, X).Z[-1][..., 0]


def _scores(net: Network, X: np.ndarray, Y: np.ndarray, regression: bool) -> np.ndarray:
    """Return per member the accuracy (classes: logit > 0 is class 1) or R² on (X, Y); NaN if not finite."""
    if len(X) == 0:
        return np.full(net.n_members, np.nan)
    with np.errstate(all="ignore"):
        z = _logits(net, X)
        ok = np.isfinite(z).all(axis=1)
        if regression:
            y = Y[:, 0]
            sst = float(np.sum((y - y.mean()) ** 2))
            sse = np.sum((z - y) ** 2, axis=1)
            score = 1.0 - sse / sst if sst > 0 else np.where(sse == 0, 1.0, 0.0)
        else:
            score = ((z > 0) == (Y[:, 0] > 0.5)).mean(axis=1)
    return np.where(ok, score, np.nan)


def train_playground(p: PlaygroundParams) -> Result:
    """Train the ensemble of p.n_seeds networks on p's data and measure everything the page shows."""
    names = p.feature_names()
    d = data_split(p)
    X, Xt = features(d.X_train, names), features(d.X_test, names)
    Y, Yt = d.Y_train, d.Y_test
    seeds = p.seeds()
    S, loss = len(seeds), get_loss(p.loss_name())
    net = build_network(p, seeds)
    rec = train(net, X, Y, loss=loss, optimizer="adam" if p.optimizer == "adam" else "sgd", eta=p.lr,
                momentum=p.momentum if p.optimizer == "momentum" else 0.0, epochs=p.epochs,
                batch_size=p.batch_size, seeds=[s + SHUFFLE_OFFSET for s in seeds], l2_weights=p.l2,
                l2_biases=p.l2 if p.l2_biases else 0.0, n_snapshots=n_snapshots(p))
    final = rec.net
    T = len(rec.snapshots)
    snaps = Network.stack(rec.snapshots)  # T × S members: snapshot t, member s at t·S + s
    with np.errstate(all="ignore"):
        test_loss = loss.value(forward(snaps, Xt).A[-1], Yt).reshape(T, S) if len(Xt) else np.full((T, S), np.nan)
    train_score = _scores(final, X, Y, p.regression)
    test_score = _scores(final, Xt, Yt, p.regression)
    judged = test_score if len(Xt) else train_score
    success = np.isfinite(judged) & (judged >= p.success_at)

    hidden = forward(final, X).Z[:-1]
    dead = [dead_in_layer(final, layer, Z) for layer, Z in enumerate(hidden)]  # (S, n) per hidden layer
    dead_first = [int(d_[0].sum()) for d_ in dead]
    grads = rec.grad_norms  # (S, E, L)
    with np.errstate(all="ignore"):
        ratio = float(grads[0, 0, 0] / grads[0, 0, -1]) if grads.shape[1] and grads.shape[2] > 1 else None
    outcomes = loss_outcome(rec.losses)
    score_key = "r2" if p.regression else "accuracy"
    metrics = {
        "parameters": parameter_count(p.sizes())["total"],
        "train_loss": float(rec.losses[0, -1]),
        "test_loss": float(test_loss[-1, 0]),
        f"train_{score_key}": float(train_score[0]),
        f"test_{score_key}": float(test_score[0]),
        "dead_units_by_layer": dead_first,
        "grad_ratio_first_to_last": ratio,
        "networks": S,
        "success_rate": float(success.mean()),
        f"test_{score_key}_median": float(quantiles(judged[:, None])[1, 0]),
        "diverged_runs": int((outcomes == "diverged").sum()),
        "stalled_runs": int((outcomes == "stalled").sum()),
        **outcome(rec.losses),
    }

    E = p.epochs
    ep = _thin(E + 1)
    data = {"epoch": ep, "train_loss": rec.losses[0, ep], "snapshot_epoch": rec.snapshot_epochs,
            "test_loss": test_loss[:, 0]}
    if S > 1:
        for name, series in (("train_loss", rec.losses[:, ep]), ("test_loss", test_loss.T)):
            for q, row in zip(("p10", "median", "p90"), quantiles(series), strict=True):
                data[f"{name}_{q}"] = row
    gep = _thin(E)
    data.update({
        "grad_epoch": gep,
        "grad_norms": grads[0, gep].T,  # (L, E'): layer 1 … output
        "grad_norms_median": quantiles(grads[:, gep])[1].T if S > 1 else None,
        "dead_fraction_by_layer": [float(d_.mean()) for d_ in dead],
        "seed": np.array(seeds), "train_loss_by_seed": rec.losses[:, -1], "test_loss_by_seed": test_loss[-1],
        f"train_{score_key}_by_seed": train_score,
        f"test_{score_key}_by_seed": test_score, "outcome_by_seed": outcomes.tolist(),
        "dead_units_by_seed": sum((d_.sum(axis=1) for d_ in dead), np.zeros(S, dtype=int)),
        "x_train": d.X_train, "y_train": Y[:, 0], "x_test": d.X_test, "y_test": Yt[:, 0],
    })
    data.update(trajectories(rec.snapshots, rec.snapshot_epochs))
    frames = frame_indices(rec.snapshot_epochs, REPLAY_FRAMES)
    data["replay_epoch"] = rec.snapshot_epochs[frames]
    views = _views(p, names, d.X, Network.stack([rec.snapshots[i].member(0) for i in frames]), data["replay_epoch"])
    views.update(success=success, frame_loss=rec.losses[0, data["replay_epoch"]], dead_first=[d_[0] for d_ in dead])
    return Result(metrics, data, views=views)


def trajectories(snapshots: list[Network], epochs: np.ndarray) -> dict:
    """The first network's weights and biases at up to TRAJECTORY_FRAMES recorded epochs, as many as
    TRAJECTORY_FLOATS allows (the first and the last always): weight_epoch (F,), weights[l] (F, n_in, n_out),
    biases[l] (F, n_out). A click on a unit of the neuron map draws its incoming weights and bias from these."""
    per = sum(w[0].size + b[0].size for w, b in zip(snapshots[0].W, snapshots[0].b, strict=True))
    keep = frame_indices(epochs, int(np.clip(TRAJECTORY_FLOATS // per, 2, min(TRAJECTORY_FRAMES, len(epochs)))))
    return {"weight_epoch": epochs[keep],
            "weights": [np.stack([snapshots[t].W[layer][0] for t in keep]) for layer in range(len(snapshots[0].W))],
            "biases": [np.stack([snapshots[t].b[layer][0, 0] for t in keep]) for layer in range(len(snapshots[0].b))]}


def thumb_frames(p: PlaygroundParams, n_frames: int) -> np.ndarray:
    """Return which of the replay's n_frames frames the neuron map replays (the last always): as many as
    MAX_THUMB_BYTES of 8-bit tiles allow, evenly spread; a large network's map shows the end only."""
    tile = THUMB if p.regression else THUMB**2
    per_frame = (sum(p.widths()) + 1) * tile
    k = int(np.clip(MAX_THUMB_BYTES // per_frame, 1, n_frames))
    return np.unique(np.round(np.linspace(n_frames - 1, 0, k)).astype(int))


def _views(p: PlaygroundParams, names: tuple[str, ...], X_all: np.ndarray, frame_nets: Network,
           frame_epochs: np.ndarray) -> dict:
    """What only the figures need: the output over the plane (or the curve) at the replay's frames, every
    unit's output on a coarse grid (thumbnails) at some of those frames, the first network's weights and
    biases there (the last frame is the end of training)."""
    r = plane_extent(X_all)
    with np.errstate(all="ignore"):
        if p.regression:
            x = np.linspace(-r, r, CURVE_POINTS)[:, None]
            out = forward(frame_nets, features(x, names)).A[-1][..., 0]  # (F, CURVE_POINTS)
            target = p.target()
            views = {"x": x[:, 0], "curves": out, "target": None if target is None else target(x[:, 0])}
            tx = np.linspace(-r, r, THUMB)[:, None]
            thumb_in = tx
        else:
            g = np.linspace(-r, r, GRID)
            gx, gy = np.meshgrid(g, g)
            pts = np.column_stack([gx.ravel(), gy.ravel()])
            logits = _logits(frame_nets, features(pts, names))  # (F, GRID²)
            views = {"gx": g, "gy": g, "logits": logits.reshape(-1, GRID, GRID),
                     "probability": sigmoid(np.clip(logits, -500, 500)).reshape(-1, GRID, GRID)}
            t = np.linspace(-r, r, THUMB)
            tx, ty = np.meshgrid(t, t)
            thumb_in = np.column_stack([tx.ravel(), ty.ravel()])
        F_in = features(thumb_in, names)
        keep = thumb_frames(p, len(frame_epochs))
        thumb_nets = frame_nets.select(keep)
        cache = forward(thumb_nets, F_in)
    shape = (THUMB,) if p.regression else (THUMB, THUMB)
    # Per kept frame, one entry per column of the network: the input features, each hidden layer, the output.
    frames = [[F_in.T.reshape(-1, *shape)] + [A[k].T.reshape(-1, *shape) for A in cache.A[1:]]
              for k in range(len(keep))]
    labels = [FEATURE_LABELS[f].replace("₁", "") if p.regression else FEATURE_LABELS[f] for f in names]  # x, x², …
    views.update(extent=r, thumbs=frames[-1], features=names, feature_labels=labels,
                 W=[w[-1] for w in thumb_nets.W], b=[b[-1, 0] for b in thumb_nets.b],
                 thumb_epochs=frame_epochs[keep], thumb_frames=frames,
                 W_frames=[[w[k] for w in thumb_nets.W] for k in range(len(keep))],
                 b_frames=[[b[k, 0] for b in thumb_nets.b] for k in range(len(keep))])
    return views
