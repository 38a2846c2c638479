"""Performance benchmark: the janitor against hand-written baselines, over HTTP to the emulator.

Run it with `python -m benchmarks [--quick] [--latency-ms 50] [--sizes 1000 10000 50000]`
(PYTHONPATH must hold the repository root and lambda_src/). Each measured program runs in a
fresh child process; the Bedrock emulator and moto server run in the parent.
"""
