"""The benchmark script and its helpers (run bench/bench.py)."""
