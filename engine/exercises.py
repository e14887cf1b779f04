"""Teaching exercises (kept importable): the code lives in `engine.teaching`, one class per
kind of question in `engine.teaching.questions`. See `engine/teaching/__init__.py`."""

from __future__ import annotations

from .teaching import *  # noqa: F403
from .teaching import __all__ as __all__
