"""The law model: rules/ read once into typed, frozen objects.

- `definitions.load()`: the one checked `Law` (sources, parameters, facts, tests, routes,
  doctrines, classes, verdicts);
- `conditions`: the condition language of rules/ as typed nodes (facts, parameters and
  settings read, bounds on a fact), parsed at load;
- `vocabulary`: the facts a scenario can state (rules/facts.yaml `facts:`), with their
  words, meaning, unit, source and default rules;
- `words`: every sentence the product says about the law (a condition in words, the state
  of a fact, what a failed part needs);
- `parameters`: the interpretive parameters and their overrides;
- `scenario.Scenario`: the fact vocabulary as a pydantic model, checked against facts.yaml.

A new fact goes in rules/facts.yaml (and the Scenario model); a new doctrine in
rules/doctrines/; nothing here holds law of its own.
"""
