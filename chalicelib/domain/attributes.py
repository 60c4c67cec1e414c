"""Answers to a label's extra questions (flood depth, number of dead lamps, …),
checked against the label's definition and normalised for storage. Pure.

The same rules serve the app's JSON (``"attributes": {...}``) and Open311's
form fields (``attribute[CODE]``, ``attribute[CODE][]``), so a report is judged
alike whichever door it came in by.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.sms_text import WIB
from chalicelib.routing import Attribute, Label

Answer = str | float | list[str]
MAX_STRING, MAX_TEXT = 200, 2000


def _bad(attribute: Attribute, issue: str) -> InvalidInput:
    return InvalidInput(
        f"attribute {attribute.code}: {issue}",
        [{"field": f"attributes.{attribute.code}", "issue": issue}],
        code="invalid_attribute",
    )


def _keys(attribute: Attribute) -> list[str]:
    return [v.key for v in attribute.values]


def _one(attribute: Attribute, value: Any) -> Answer:
    kind = attribute.datatype
    if kind == "multivaluelist":
        chosen = value if isinstance(value, list) else [value]
        if not chosen or not all(isinstance(v, str) for v in chosen):
            raise _bad(attribute, "choose one or more of " + ", ".join(_keys(attribute)))
        unknown = [v for v in chosen if v not in _keys(attribute)]
        if unknown:
            raise _bad(attribute, f"unknown choice {unknown[0]!r}; one of {_keys(attribute)}")
        return [k for k in _keys(attribute) if k in chosen]  # definition order, no repeats
    if isinstance(value, list):
        raise _bad(attribute, "takes a single value")
    if kind == "number":
        return _number(attribute, value)
    if not isinstance(value, str):
        raise _bad(attribute, "must be text")
    value = value.strip()
    if kind == "singlevaluelist":
        if value not in _keys(attribute):
            raise _bad(attribute, f"unknown choice {value!r}; one of {_keys(attribute)}")
        return value
    if kind == "datetime":
        try:
            at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _bad(attribute, "must be a time like 2026-11-23T08:00:00+07:00") from None
        return (at if at.tzinfo else at.replace(tzinfo=WIB)).isoformat()
    limit = MAX_STRING if kind == "string" else MAX_TEXT
    if len(value) > limit:
        raise _bad(attribute, f"at most {limit} characters")
    return value


def _number(attribute: Attribute, value: Any) -> float:
    if isinstance(value, bool):
        raise _bad(attribute, "must be a number")
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise _bad(attribute, "must be a number") from None
    if not math.isfinite(number):
        raise _bad(attribute, "must be a number")
    if attribute.minimum is not None and number < attribute.minimum:
        raise _bad(attribute, f"at least {attribute.minimum:g}")
    if attribute.maximum is not None and number > attribute.maximum:
        raise _bad(attribute, f"at most {attribute.maximum:g}")
    return number


def answers_for(label: Label, given: dict[str, Any] | None) -> dict[str, Answer] | None:
    """The label's answers, checked and normalised; None when there are none."""
    given = {k: v for k, v in (given or {}).items() if v not in ("", [], None)}
    known = {a.code: a for a in label.attributes}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InvalidInput(
            f"label {label.code} has no attribute {unknown[0]!r}",
            [{"field": f"attributes.{u}", "allowed": sorted(known)} for u in unknown],
            code="unknown_attribute",
        )
    out: dict[str, Answer] = {}
    for attribute in sorted(label.attributes, key=lambda a: a.order):
        if attribute.code not in given:
            if attribute.required:
                raise _bad(attribute, "is required for this label")
            continue
        if not attribute.variable:
            raise _bad(attribute, "is a notice, not a question: send no answer")
        out[attribute.code] = _one(attribute, given[attribute.code])
    return out or None
