"""Mapping files read as the hub reads them."""

from __future__ import annotations

from pathlib import Path

from hub.mapping.spec import MappingSpec
from hub.yamlpos import load


def mapping_spec(path: Path) -> MappingSpec:
    return MappingSpec.model_validate(load(path.read_text()).data)
