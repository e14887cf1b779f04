"""The law model: rules/ read once into typed, frozen objects.

- `conditions`: the condition language of rules/ as typed nodes (facts, parameters and
  settings read, bounds on a fact);
- `vocabulary`: the facts a scenario can state (rules/facts.yaml `facts:`), with their
  words, meaning, unit, source and default rules;
- `words`: every sentence the product says about the law (a condition in words, the state
  of a fact, why a test failed);
- `engine.definitions.load()` assembles them, with the sources, parameters, tests, routes,
  doctrines, classes and verdicts, into one checked `Law`.
"""

from .conditions import Node, parse
from .vocabulary import FactDef, apply_defaults, vocabulary

__all__ = ["FactDef", "Node", "apply_defaults", "parse", "vocabulary"]
