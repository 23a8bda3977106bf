"""`make bench`: run every benchmark module `bench/bench_*.py` and print its figures.

Each module has `main(argv) -> dict`; the figures are also saved as JSON under
`bench/results/`. `BENCH_ARGS="engine"` runs only the modules whose name
contains "engine".
"""

from __future__ import annotations

import importlib
import json
import pathlib
import sys
import time


def main() -> int:
    here = pathlib.Path(__file__).parent
    wanted = sys.argv[1:]
    results_dir = here / "results"
    results_dir.mkdir(exist_ok=True)
    failed = 0
    for path in sorted(here.glob("bench_*.py")):
        name = path.stem
        if wanted and not any(w in name for w in wanted):
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            figures = importlib.import_module(f"bench.{name}").main([])
        except Exception as exc:  # a broken benchmark must not hide the others
            failed += 1
            print(f"{name} FAILED: {type(exc).__name__}: {exc}", flush=True)
            continue
        (results_dir / f"{name}.json").write_text(json.dumps(figures, indent=2, default=str))
        print(f"--- {name}: {time.perf_counter() - started:.1f}s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
