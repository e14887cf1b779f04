"""The law model: rules/ read once into typed definitions (`definitions.load()`), the
interpretive parameters and their overrides (`parameters`), and the fact vocabulary as a
pydantic model (`scenario.Scenario`). A new fact goes in rules/facts.yaml; a new doctrine in
rules/doctrines/; nothing here holds law of its own."""
