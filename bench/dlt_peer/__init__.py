"""dlt peer scripts and the shared harness of the sync benchmarks."""
