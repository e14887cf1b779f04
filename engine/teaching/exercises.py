"""Teaching exercises, in one import: the exercise file format, the four kinds of question
(one class each, `engine.teaching.questions`), answer keys computed by the engine, grading
and feedback in words. See `engine/teaching/__init__.py` for the modules by job."""

from __future__ import annotations

from engine.teaching import *  # noqa: F403
from engine.teaching import __all__ as __all__
