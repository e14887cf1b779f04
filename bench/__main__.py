"""`make bench`: run every benchmark module (bench/bench_*.py) and print its figures.

Each module has `main() -> None`, prints its own figures (with ratios measured in the same
run, since this machine is noisy) and raises SystemExit(1) if a floor is missed.
`python -m bench NAME` runs only bench/bench_NAME.py.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main() -> None:
    here = Path(__file__).resolve().parent
    names = sorted(p.stem for p in here.glob("bench_*.py"))
    wanted = sys.argv[1:]
    if wanted:
        names = [n for n in names if n.removeprefix("bench_") in wanted or n in wanted]
    failed = []
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(f"bench.{name}")
        try:
            module.main()
        except SystemExit as exc:
            if exc.code:
                failed.append(name)
    if failed:
        print(f"\nfloors missed: {', '.join(failed)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
