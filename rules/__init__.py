"""The law, as data: sources, interpretive parameters, tests, routes, doctrines.

Nothing here runs. `engine.law.definitions` reads these files; every interface of the
product (rules engine, fast path, documentation, CLI, API, exercises) reads them from
there, so the law is written once.
"""

from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent

__all__ = ["RULES_DIR"]
