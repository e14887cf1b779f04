"""imminence: self-defence in international law, doctrine by doctrine, on durable-rules.

    from engine import evaluate
    result = evaluate({"armed_attack": {"status": "ongoing", ...}},
                      parameters={"caroline_max_hours": 24})
    result.doctrines["caroline"].verdict

See DOCTRINES.md (the legal contract) and rules/ (the law as data).

Layout, one job each:
    engine/law/        the law model: rules/ read once (definitions), parameters, Scenario
    engine/reasoning/  backends compiled from it: logic, network, runtime (durable-rules)
    engine/evaluate.py the one evaluation function; result.py the result model
    engine/whatif.py   what would change the answer; render.py the text of the doctrine pages
    engine/batch/      batch runs, generated variants, reports
    engine/teaching/   exercises and grading
    engine/loader.py   reading scenario files and the library; errors.py every exception
The faces (cli/ and api/) call this package; it imports neither.
"""

from engine.errors import (
    EngineError,
    ErrorItem,
    ImminenceError,
    InputFileError,
    InvalidInput,
    RulesError,
)
from engine.evaluate import evaluate
from engine.law.scenario import Scenario
from engine.result import DoctrineResult, Evaluation, TestResult, TraceEntry

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
