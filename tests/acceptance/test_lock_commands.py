"""What the lockfile keeps from merges, shown through the CLI."""

from __future__ import annotations

import json

from helpers import Project


def test_show_lists_the_orphans_a_merge_kept(applied: Project) -> None:
    data = json.loads(applied.lockfile.read_text())
    record = data["resources"]["post/dark-mode-launch"]
    lost = {**record["steps"]["captions"], "status": "pending", "remote_id": "job-from-other"}
    reason = "merge conflict: theirs had this pending record, ours a completed one (kept)"
    record["orphans"] = [{"step": "captions", "reason": reason, "record": lost}]
    applied.lockfile.write_text(json.dumps(data))

    result = applied.run("show", "post/dark-mode-launch")

    assert result.exit_code == 0, result.output
    assert "  orphans (remote objects no longer current, kept so no id is lost):" in result.stdout
    assert "    captions: pending, id job-from-other" in result.stdout
    assert f"      reason: {reason}" in result.stdout
    plain = applied.run("show", "media/hero")
    assert "orphans" not in plain.stdout
