"""Benchmarks of Feedforward Lab (`make bench`, `python -m bench.run`): never run by the tests."""
