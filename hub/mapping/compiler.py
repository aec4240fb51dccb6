"""Compile a mapping document into a function from payload to drafts, and apply it to one payload."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.mapping import spec as s
from hub.mapping.codegen import Emission, MappingFunction, compile_function
from hub.mapping.context import Context
from hub.mapping.errors import MappingError
from hub.mapping.inputs import InputCheck, compile_input
from hub.mapping.limits import check_depth
from hub.mapping.parts import Parts
from hub.mapping.result import Outcome, Quarantined, outcome_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompiledMapping:
    name: str
    source: Path
    input_check: InputCheck | None
    function: MappingFunction

    def apply(self, payload: Any, ctx: Context, *, depth_checked: bool = False) -> Outcome:
        """Map one payload. Never raises: whatever goes wrong is the payload's quarantine reason."""
        try:
            if not depth_checked:
                check_depth(payload)
            if self.input_check is not None:
                self.input_check(payload)
            out = Emission([], [])
            self.function(payload, ctx, out)
        except MappingError as exc:
            return Quarantined(self.name, exc.summary(), exc.detail())
        except Exception as exc:  # a gap in the bounds of limits.py: one payload must not fail the batch
            log.exception("mapping %s failed unexpectedly", self.name)
            return Quarantined(self.name, unexpected(exc))
        return outcome_of(self.name, out.drafts, out.ignored)


def unexpected(exc: Exception) -> str:
    """The quarantine reason for an exception the mapping language does not expect: a bug to report. The
    exception's text stays in the log: it may quote the payload at any length."""
    return f"the hub failed on this payload ({type(exc).__name__}); please report it"


def compile_mapping(
    name: str, source: Path, mapping: s.MappingSpec, connector_dir: Path, parts: Parts | None = None
) -> CompiledMapping:
    """`parts`: the connector's other mappings and lookup tables, which this one may name (checked by
    hub.mapping.parts.problems first)."""
    check = compile_input(mapping.input, connector_dir) if mapping.input and mapping.input.schema_ else None
    return CompiledMapping(
        name, source, check, compile_function(mapping, parts or Parts(folder=connector_dir))
    )
