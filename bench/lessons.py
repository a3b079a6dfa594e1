"""What the speed work taught, written at the end of bench/RESULTS.md (issues 6 and 15)."""

LESSON = """\
## What the profile taught (the speed work of issue 6)

Before: `train` on 1000 XOR networks spent ~1.1 s of CPU for 5000 epochs, ~220 µs per step, of which the
forward/backward pass was ~170 µs, the gradient norms ~18 µs and the SGD step ~23 µs. cProfile put the time
in `_backward` and `_forward` themselves, not in any one NumPy function: every operation took 3–25 µs
although it moved only 4 000–8 000 numbers. The reason is the layout. Activations were (S, N, n) =
(1000, 4, 2): the innermost axis has 1 or 2 elements, so every ufunc runs 4 000 inner loops of length 1–2
and every batched matmul runs 1000 tiny products; broadcasting a (S, 4, 1) by a (S, 1, 2) cost more than
the matmul it replaces. The first layer's shared-input product also came back as a transposed view, which
made the next operations non-contiguous (an elementwise product 20 µs instead of 4 µs).

What paid: a member-minor fast path inside `train` (now `app.nn.minor.MemberMinor`): parameters transposed once to
(n_in, n_out, S) and biases to (n_out, S), activations (N, n, S), so every operation is one contiguous loop
over the 1000 members; the first layer and its weight gradient are single BLAS calls on X (N, d) against
W viewed as (d, n_out·S); hidden layers are unrolled broadcast products; all parameters and gradients are
views into one flat buffer, so the optimiser does one elementwise update for the whole ensemble (Adam and
momentum state elementwise as before). 1.1 s → ~0.4 s CPU on the 1000 × 5000 job, and faster for other
ensembles of small networks (100 nets 2-8-1 on 200 points: 1.4×). It is used only where it wins — at
least 8 members, no shuffling, a built-in loss, no PReLU, and hidden-to-hidden products of at most 65 536
elements (64 nets 2-8-8-1 on 50 points would be 1.8× slower: those keep BLAS batched matmuls). Same
mathematics, sums in another order: results agree with the (S, N, n) path to ~1e-16 (tests in
tests/nn/test_train_fast.py check every field of the record, snapshots and updates included).

What did not pay, or was not worth trying: unrolling the small matmuls in the (S, N, n) layout (measured:
A @ W 21 → 9 µs, but Aᵀ @ δ 20 → 28 µs and δ @ Wᵀ 13 → 26 µs, because the broadcasts still loop over
rows of length 1–2); recording losses epoch-major (a column write measured under 1 µs, so not done);
float32 (not tried: the job is bound by call overhead, not memory bandwidth, and the tests pin float64
results). What bounds it now: ~25 NumPy calls per step at ~2–4 µs each plus the Python of the epoch
loop (checkpoint, snapshot test, loss and gradient-norm records), ~90 µs per step; on a machine whose
other cores are busy the wall time stretches past the CPU time (see the load average above).

## What the pages and the small runs taught (issue 15)

- The pages' redraw was mostly layout, not Plotly's JavaScript: each figure Plotly redraws measures text
  (getBoundingClientRect), and every such measure laid out the whole page. With `contain: content` on each
  figure (it clips its overflow anyway) a measure lays out that figure only: 4-1's and 4-8's redraws took
  half the time. Changing values in a row also waited behind figures further down being redrawn; those now
  wait for a quiet moment once the reader is at work (or are drawn as they scroll into view).
- The pages asked the stream route for every run and got 480 KB of uncompressed events for 4-8's 110 KB of
  gzip; a page now gets the plain route's answer there (gzip, ETag) unless the run is long enough (≥ 0.5 s
  estimated) to show progress.
- Small ensembles (4-7's 30 fits, 4-8's five inits) were bound by Python and allocation per step, not by
  arithmetic: with every parameter in one flat buffer (app/nn/stacked.py) an optimiser step is one update
  and the L2 penalty two calls whatever the depth (4-7 seeds 510 → 385 ms). A layer's bias add and its
  outer products (k = 1) run along a short last axis; einsum's loop beats the broadcast there.
- Tried and dropped: computing a whole tiny network's step in list comprehensions instead of index loops (4-2
  train 66 → 110 ms: a new list per sample costs more than the loops); writing hidden layers into the
  member-middle layout with matmul's `out=` (strided BLAS output was slower than the bias add it saved);
  splitting a 100-member ensemble into chunks that fit the cache (~10 %, not worth a second loop).
"""
