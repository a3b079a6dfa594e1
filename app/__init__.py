"""Feedforward Lab: the web app and its NumPy core.

BLAS runs single-threaded. The server already computes one experiment per core (app/compute.py);
BLAS threads on top of that oversubscribe the cores, and OpenBLAS's spinning threads then make a
(100×128)·(128×128) product 10–40× slower (measured on the 2-core machine: 2–5 ms against 0.1 ms).
These defaults only take effect when set before NumPy is first imported; the Makefile and the
Dockerfile set them too.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
