"""The scenario: the facts of a use of force, in the vocabulary v1 of DOCTRINES §2.

Every fact is optional; `None` (or absent) means *unknown*, never false. Enumerations are
strict, booleans are true/false only, numbers are range-checked. An unrecognised field is
an error that names it and suggests the nearest valid name, so that a typo never silently
becomes "unknown".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date as Date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator
from pydantic_core import PydanticCustomError

from engine.errors import SURROGATE, printable
from engine.law.conditions import holds
from engine.law.vocabulary import vocabulary

Harm = Literal["minor", "significant", "grave", "catastrophic"]
AttackStatus = Literal["none", "launched", "ongoing", "concluded"]
Capability = Literal["none", "acquiring", "possessed", "deployed"]
Intent = Literal["none", "hostile", "planning", "decided"]
Means = Literal[
    "conventional", "terrorist", "cyber", "nuclear", "chemical", "biological", "radiological"
]
Evidence = Literal["low", "moderate", "high"]
Alternatives = Literal["available", "exhausted", "none"]
Purpose = Literal["repel", "forestall", "disable_capability", "deter", "punish", "regime_change"]
ResponseScale = Literal["limited", "moderate", "extensive", "full_scale"]
TargetKind = Literal["state", "non_state"]
Profile = Literal["ordinary", "rogue_state", "terrorist"]

Hours = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)]
Bool = StrictBool

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _unicode_text(value: Any) -> Any:
    """Refuse a string holding a lone surrogate (`"\\ud800"` in JSON or YAML decodes to
    one): it is not Unicode text, cannot be encoded as UTF-8, and durable-rules fails on it
    (`pyAssertFacts Invalid argument`, then error 309) where the fast path would not.
    Refused here, both engines answer alike. NUL and other control characters pass."""
    if isinstance(value, str):
        found = SURROGATE.search(value)
        if found is not None:
            raise PydanticCustomError(
                "lone_surrogate",
                "contains a lone surrogate {char} at position {position} (not valid "
                "Unicode text)", {"char": printable(found.group()), "position": found.start()})
    return value


Text = Annotated[str, BeforeValidator(_unicode_text)]  # every free-text field


class _Facts(BaseModel):
    """Base of every fact group: unknown fields are errors (see `unknown_field_message`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def fields_at(loc: tuple[str | int, ...]) -> list[str] | None:
    """The allowed field names of the object at `loc` in a scenario document."""
    if len(loc) == 0:
        return list(Scenario.model_fields)
    if len(loc) == 1 and loc[0] in GROUPS:
        return list(GROUPS[str(loc[0])].model_fields)
    return None


def unknown_field_message(loc: tuple[str | int, ...]) -> tuple[str, list[str] | None]:
    """For pydantic's `extra_forbidden` at `loc`: a message naming the field, the nearest
    valid name and the allowed ones, so that a typo never silently becomes "unknown"."""
    key = printable(str(loc[-1]))
    allowed = fields_at(loc[:-1])
    if allowed is None:
        return f"unknown field '{key}'", None
    return f"unknown field '{key}'{did_you_mean(key, allowed)} (allowed: " \
           f"{', '.join(allowed)})", allowed


def did_you_mean(name: str, allowed: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the allowed name nearest `name`, or "" if none is near:
    the one suggestion used by every unknown-name message (fields, facts, what-if)."""
    close = difflib.get_close_matches(name, list(allowed), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class Target(_Facts):
    name: Text | None = None
    kind: TargetKind | None = None
    profile: Profile | None = None


class Territory(_Facts):
    state: Text | None = None
    is_target_state: Bool | None = None
    international: Bool | None = None
    consent: Bool | None = None
    unwilling_or_unable: Bool | None = None


class SecurityCouncil(_Facts):
    authorisation: Bool | None = None


class ArmedAttack(_Facts):
    status: AttackStatus | None = None
    gravity: Harm | None = None
    attributable: Bool | None = None
    accumulation: Bool | None = None
    hours_since_end: Hours | None = None


class Threat(_Facts):
    hours_until: Hours | None = None
    time_known: Bool | None = None
    place_known: Bool | None = None
    capability: Capability | None = None
    intent: Intent | None = None
    probability: Probability | None = None
    magnitude: Harm | None = None
    means: Means | None = None
    continuing_pattern: Bool | None = None
    last_window: Bool | None = None
    evidence: Evidence | None = None


class Necessity(_Facts):
    alternatives: Alternatives | None = None
    time_to_deliberate: Bool | None = None


class Response(_Facts):
    purpose: Purpose | None = None
    scale: ResponseScale | None = None
    reported_to_council: Bool | None = None
    reasons_public: Bool | None = None
    consequences_weighed: Bool | None = None
    pretext: Bool | None = None


GROUPS: dict[str, type[_Facts]] = {
    "target": Target,
    "territory": Territory,
    "security_council": SecurityCouncil,
    "armed_attack": ArmedAttack,
    "threat": Threat,
    "necessity": Necessity,
    "response": Response,
}


class Scenario(_Facts):
    """The facts of one use of force. Absent or null facts are unknown."""

    id: Annotated[Text, Field(pattern=SLUG.pattern, max_length=200)] | None = None
    title: Annotated[Text, Field(max_length=500)] | None = None
    summary: Annotated[Text, Field(max_length=20_000)] | None = None
    date: Date | None = None
    acting_state: Text | None = None
    sources: list[Text] | None = Field(
        default=None, description="Source keys (rules/sources.yaml) the scenario rests on."
    )
    target: Target = Field(default_factory=Target)
    territory: Territory = Field(default_factory=Territory)
    security_council: SecurityCouncil = Field(default_factory=SecurityCouncil)
    armed_attack: ArmedAttack = Field(default_factory=ArmedAttack)
    threat: Threat = Field(default_factory=Threat)
    necessity: Necessity = Field(default_factory=Necessity)
    response: Response = Field(default_factory=Response)

    @model_validator(mode="before")
    @classmethod
    def _null_groups_are_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {k: ({} if k in GROUPS and v is None else v) for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _apply_defaults(self) -> Scenario:
        # The default rules of rules/facts.yaml (e.g. `territory.international`: false when
        # the territorial state is named), applied to the model so every reader sees them.
        pending = [fd for fd in _DEFAULTED if _get(self, fd.name) is None]
        if pending:
            facts = self.facts()
            for fd in pending:
                assert fd.default is not None
                if holds(fd.default.when, facts):
                    group, name = fd.name.split(".", 1)
                    model = getattr(self, group)
                    object.__setattr__(self, group,
                                       model.model_copy(update={name: fd.default.value}))
        return self

    def facts(self) -> dict[str, Any]:
        """The legal facts as a flat dict of dotted names; unknown facts are None."""
        out: dict[str, Any] = {}
        for group, names in _FIELDS:  # field names read once: model_fields is slow to ask
            values = getattr(self, group).__dict__
            for name, dotted in names:
                out[dotted] = values[name]
        return out


_FIELDS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = tuple(
    (group, tuple((name, f"{group}.{name}") for name in model.model_fields))
    for group, model in GROUPS.items())


def _get(sc: Scenario, dotted: str) -> Any:
    group, name = dotted.split(".", 1)
    return getattr(getattr(sc, group), name)


_DEFAULTED = tuple(fd for fd in vocabulary().values() if fd.default is not None)


def fact_catalogue() -> dict[str, dict[str, Any]]:
    """Every legal fact: its kind (enum, bool, number, text) and values or bounds, as
    rules/facts.yaml defines them (a test checks that the models above agree with it)."""
    return {name: fd.catalogue() for name, fd in vocabulary().items()}


__all__ = [
    "GROUPS",
    "ArmedAttack",
    "Necessity",
    "Response",
    "Scenario",
    "SecurityCouncil",
    "Target",
    "Territory",
    "Threat",
    "did_you_mean",
    "fact_catalogue",
    "fields_at",
    "unknown_field_message",
]
