"""The hub as it was before its mapping runtime became one (commit BASELINE on main), loaded from git into
this process as the package `hub_before`, so bench/mapping.py can time it beside today's hub.

That hub shipped two runtimes of the mapping language: code generated from each mapping (what it ran),
which called back into a closure interpreter for rare nodes, and the closure interpreter itself (kept as
its reference semantics). Both are measured: `closures=True` runs every mapping on the closures.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

BASELINE = "3ffefe28647e7e3e940278f1ab2b13f5b3e39ed9"
NAME = "hub_before"
_IMPORT = re.compile(r"^(\s*)(from|import) hub(?=[.\s])", re.MULTILINE)


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def extract(repo: Path, commit: str = BASELINE) -> Path:
    """Write the commit's hub/ package as `hub_before/`, and its connectors/ and mappings/ (the project
    that hub reads: the format has grown since), under a fresh folder; returns the folder."""
    folder = Path(tempfile.mkdtemp(prefix="hub-before-"))
    listed = _git(repo, "ls-tree", "-r", "--name-only", commit, "hub", "connectors", "mappings")
    for name in listed.decode().splitlines():
        data = _git(repo, "show", f"{commit}:{name}")
        if name.startswith("hub/"):
            if name.endswith(".py"):
                data = _IMPORT.sub(rf"\1\2 {NAME}", data.decode()).encode()
            target = folder / NAME / Path(name).relative_to("hub")
        else:
            target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def load(repo: Path, commit: str = BASELINE) -> tuple[Path, dict[str, ModuleType]]:
    """The project folder and the modules bench/mapping.py needs, of the hub before the change."""
    folder = extract(repo, commit)
    sys.path.insert(0, str(folder))
    names = ["project", "jsonio", "ids", "intake.emit", "store.outbox", "domain.inventory"]
    return folder, {n: importlib.import_module(f"{NAME}.{n}") for n in names}


def closures_only(project: Any) -> Any:
    """The same project with every mapping run on the closure interpreter."""
    for connector in project.connectors.values():
        for name, mapping in list(connector.mappings.items()):
            connector.mappings[name] = dataclasses.replace(mapping, function=None)
    return project
