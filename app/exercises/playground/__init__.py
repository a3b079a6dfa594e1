"""The playground: every knob of chapter 4 on one page (GET /playground, GET /api/playground/train).

Not one of the nine exercises: it has its own registry, PLAYGROUNDS, beside app.exercises.registry's
EXERCISES. data: the data sets and input features; custom: the reader's own points (the link's code,
pasted CSV); params: the one params model; run: the computation; experiment: the Exercise and its
metrics' labels; links: which exercise settings open in the playground.
"""
