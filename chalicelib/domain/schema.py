"""The base of every pydantic model here: schemas are built on first use, not at
import, so a function pays only for the models its own path touches (cold start)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
