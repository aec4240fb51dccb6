"""Every consumer group by name: declared in YAML (the hub's own in hub/consumers/groups/, a project's in
`consumers/<name>.yaml`), or registered in Python with @consumer_group by a module that the
`hub.consumers` entry point group or the HUB_CONSUMER_MODULES variable names."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path

from hub.consumers.declared import load_declared
from hub.consumers.registry import GroupSpec, registered
from hub.project import ProjectInvalid


def project_root() -> Path:
    return Path(os.environ.get("HUB_PROJECT") or ".").resolve()


def groups(project: Path | None = None, environ: Mapping[str, str] | None = None) -> dict[str, GroupSpec]:
    """Every group: the declared ones (ProjectInvalid if a declaration is wrong) and the registered ones.
    A declaration wins over a registration of the same name."""
    for ep in entry_points(group="hub.consumers"):
        ep.load()
    for module in filter(None, (m.strip() for m in os.environ.get("HUB_CONSUMER_MODULES", "").split(","))):
        importlib.import_module(module)
    declared, issues = load_declared(project or project_root(), os.environ if environ is None else environ)
    if issues:
        raise ProjectInvalid(issues)
    return dict(sorted({**registered(), **declared}.items()))


def group(name: str, project: Path | None = None) -> GroupSpec:
    known = groups(project)
    if name not in known:
        raise KeyError(f"unknown consumer group {name!r}; known: {', '.join(known)}")
    return known[name]
