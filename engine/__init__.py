"""imminence: self-defence in international law, doctrine by doctrine, on durable-rules.

    from engine import evaluate
    result = evaluate({"armed_attack": {"status": "ongoing", ...}},
                      parameters={"caroline_max_hours": 24})
    result.doctrines["caroline"].verdict

See DOCTRINES.md (the legal contract) and rules/ (the law as data).
"""

from .errors import (
    EngineError,
    ErrorItem,
    ImminenceError,
    InputFileError,
    InvalidInput,
    RulesError,
)
from .evaluate import evaluate
from .result import DoctrineResult, Evaluation, TestResult, TraceEntry
from .scenario import Scenario

__version__ = "0.1.0"

__all__ = [
    "DoctrineResult",
    "EngineError",
    "ErrorItem",
    "Evaluation",
    "ImminenceError",
    "InputFileError",
    "InvalidInput",
    "RulesError",
    "Scenario",
    "TestResult",
    "TraceEntry",
    "__version__",
    "evaluate",
]
