"""Which squad answers which label, which topic it hears on, what stays covert.

The catalogue is data (``data/catalogue.json`` or ``CATALOGUE_PATH``), validated
when loaded, so an operator can add or move labels without touching code.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from chalicelib import config
from chalicelib.domain import datafile
from chalicelib.domain.schema import Model

SQUAD_CODES = ("pink", "white", "orange", "yellow", "blue", "red", "shadow")
# What a citizen is told handles a covert label: true (the command centre sees
# every shadow report) and silent about the shadow squad itself.
COMMAND_CENTRE = {
    "code": "command",
    "colour": "#6c5ce7",
    "name_id": "Pusat Komando Bupati",
    "name_en": "Regent's Command Centre",
}

_CODE = r"^[a-z][a-z0-9_]{1,39}$"


class Squad(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=_CODE)
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    name_id: str
    name_en: str
    handles_id: str
    handles_en: str
    covert: bool = False


class AttributeValue(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=_CODE)
    name_id: str
    name_en: str


Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]


class Attribute(Model):
    """An extra question a label asks (Open311's service-definition attribute)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=_CODE)
    datatype: Datatype
    required: bool = False
    variable: bool = True  # False: a notice shown to the reporter, not a question
    order: int = Field(ge=1)
    description_id: str
    description_en: str
    values: tuple[AttributeValue, ...] = ()
    minimum: float | None = None  # numbers only
    maximum: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Attribute:
        is_list = self.datatype in ("singlevaluelist", "multivaluelist")
        if is_list != bool(self.values):
            raise ValueError(f"attribute {self.code}: values belong to list datatypes only")
        if not self.variable and self.required:
            raise ValueError(f"attribute {self.code}: a notice cannot be required")
        return self


class Label(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=_CODE)
    squad: str
    sla_hours: int = Field(gt=0, le=24 * 60)
    # how a new report of this label is queued and told: urgent ones go first and
    # always reach a phone
    priority: Literal["urgent", "normal", "low"] = "normal"
    # office matters count working days in WIB (no weekends, holidays, cuti bersama):
    # then the response is due by closing time of the Nth working day
    sla_working_days: int | None = Field(default=None, ge=1, le=60)
    # a staged target (LAPOR!'s habit): resolved within this, after the response
    resolve_hours: int | None = Field(default=None, gt=0, le=24 * 365)
    resolve_working_days: int | None = Field(default=None, ge=1, le=120)
    name_id: str = Field(min_length=1, max_length=80)
    name_en: str = Field(min_length=1, max_length=80)
    # what people call it in a text message ("LAPOR pungli …", "LAPOR pju …")
    synonyms: tuple[str, ...] = ()
    icon: str = Field(default="📍", min_length=1, max_length=8)  # one emoji: the app's label grid
    attributes: tuple[Attribute, ...] = ()

    @model_validator(mode="after")
    def _unique_attributes(self) -> Label:
        codes = [a.code for a in self.attributes]
        if len(codes) != len(set(codes)):
            raise ValueError(f"label {self.code}: duplicate attribute codes")
        return self


class Catalogue(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    updated_at: datetime  # when labels last changed: Open311's discovery "changeset"
    squads: tuple[Squad, ...]
    labels: tuple[Label, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        squad_codes = [s.code for s in self.squads]
        if sorted(squad_codes) != sorted(SQUAD_CODES):
            raise ValueError(f"squads must be exactly {', '.join(SQUAD_CODES)}")
        if [s.code for s in self.squads if s.covert] != ["shadow"]:
            raise ValueError("exactly the shadow squad must be covert")
        codes = [label.code for label in self.labels]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate label codes: {', '.join(dupes)}")
        for label in self.labels:
            if label.squad not in squad_codes:
                raise ValueError(f"label {label.code}: unknown squad {label.squad}")
        for squad in squad_codes:
            if not any(label.squad == squad for label in self.labels):
                raise ValueError(f"squad {squad} has no label")
        return self

    # lookups -----------------------------------------------------------------
    @functools.cached_property
    def _labels(self) -> dict[str, Label]:
        return {label.code: label for label in self.labels}

    @functools.cached_property
    def _squads(self) -> dict[str, Squad]:
        return {squad.code: squad for squad in self.squads}

    def label(self, code: str) -> Label | None:
        return self._labels.get(code)

    def squad(self, code: str) -> Squad:
        return self._squads[code]

    def squad_for(self, label_code: str) -> Squad:
        return self._squads[self._labels[label_code].squad]

    def is_covert(self, label_code: str) -> bool:
        return self.squad_for(label_code).covert

    def public_handler(self, label_code: str) -> dict[str, str]:
        """The squad a citizen is shown for a label; covert labels show the command centre."""
        return self._shown(self.squad_for(label_code))

    def report_handler(self, label_code: str, squad_code: str) -> dict[str, str]:
        """The squad a citizen is shown for a report: its label's, or, for a label since
        removed from the catalogue, its squad's; the covert one never by name."""
        if self.label(label_code):
            return self.public_handler(label_code)
        squad = self._squads.get(squad_code)
        return self._shown(squad) if squad else dict(COMMAND_CENTRE)

    @staticmethod
    def _shown(squad: Squad) -> dict[str, str]:
        if squad.covert:
            return dict(COMMAND_CENTRE)
        return {
            "code": squad.code,
            "colour": squad.colour,
            "name_id": squad.name_id,
            "name_en": squad.name_en,
        }

    def public_labels(self) -> list[dict]:
        return [
            {
                "code": label.code,
                "name_id": label.name_id,
                "name_en": label.name_en,
                "icon": label.icon,
                "sla_hours": label.sla_hours,
                "sla_working_days": label.sla_working_days,
                "handled_by": self.public_handler(label.code),
                "attributes": [a.model_dump() for a in label.attributes],
            }
            for label in self.labels
        ]


def topic_name(squad_code: str) -> str:
    return f"{config.topic_prefix()}{squad_code}"


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load and validate the catalogue; cached until the file changes."""
    return datafile.load(path or config.catalogue_path(), Catalogue.model_validate)
