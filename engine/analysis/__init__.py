"""Exact analysis of the law over every possible scenario, derived from the compiled rules.

- space.py: the space of scenarios (each fact unknown or one of its cells), the test tables
  composed from the compiled atoms, and the exact table of realizable route statuses;
- prove.py: the nestings of DOCTRINES §4 and refinement monotonicity, or a counterexample
  with the fewest stated facts (checked on durable-rules);
- compare.py: where two doctrines, or two readings of one, differ, as disjoint regions;
- minimal.py: the least set of fact changes that gives a verdict, and what to find out.

Shares count every combination of fact cells with equal weight, each fact independently,
unknown included.
"""

from .compare import Side, compare, exact_disagreement
from .minimal import minimal_changes, to_find_out
from .prove import prove

__all__ = ["Side", "compare", "exact_disagreement", "minimal_changes", "prove", "to_find_out"]
