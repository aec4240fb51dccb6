"""`hub test --update` rewrites only the expectations that changed, and keeps the file's comments."""

from __future__ import annotations

import shutil
from pathlib import Path

from hub import golden
from hub.project import Project
from tests.support.paths import REPO


def test_update_keeps_comments_and_rewrites_only_what_changed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for folder in ("connectors", "mappings"):
        shutil.copytree(REPO / folder, project / folder)
    mapping = project / "mappings" / "tiktok" / "order_status_change.yaml"
    tests = project / "mappings" / "tiktok" / "tests" / "order_status_change.yaml"
    original = tests.read_text()
    tests.write_text(
        original.replace("cases:\n", "cases:  # why these cases\n# between the header and the cases\n", 1)
    )
    assert not golden.update(Project.load(project), tests)  # nothing changed: the file is left alone

    text = mapping.read_text()
    assert "channel_status: $.data.order_status" in text
    mapping.write_text(text.replace("channel_status: $.data.order_status", "channel_status: changed", 1))
    assert golden.update(Project.load(project), tests)
    updated = tests.read_text()
    assert "cases:  # why these cases\n# between the header and the cases\n" in updated
    assert updated.splitlines()[0] == original.splitlines()[0]  # the header comment
    assert "channel_status: changed" in updated
    cases = golden.load_cases(project)
    assert all(not golden.check(Project.load(project), c) for c in cases if c.file == tests)
