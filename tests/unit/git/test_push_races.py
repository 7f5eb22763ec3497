"""Which refused pushes are races another push won (fetch, rebuild, push again) and which are
the server's veto (stop, keep the lockfile for recovery)."""

from __future__ import annotations

import git
import pytest

from contentctl.git.push import _lost_race


def _refused(stderr: str) -> git.GitCommandError:
    return git.GitCommandError(["git", "push"], 1, stderr=stderr)


@pytest.mark.parametrize(
    "stderr",
    [
        " ! [rejected]        HEAD -> main (fetch first)",
        " ! [rejected]        HEAD -> main (non-fast-forward)",
        # Two pushes updating main at the same moment (a local remote, or GitHub under load).
        " ! [remote rejected] HEAD -> main (failed to update ref)",
        " ! [remote rejected] HEAD -> main (cannot lock ref 'refs/heads/main': is at 1f2e "
        "but expected 9a8b)",
        " ! [remote rejected] main -> main (incorrect old value provided)",
    ],
)
def test_a_push_another_push_beat_is_a_lost_race(stderr: str) -> None:
    assert _lost_race(_refused(stderr))


@pytest.mark.parametrize(
    "stderr",
    [
        " ! [remote rejected] HEAD -> main (protected branch hook declined)",
        " ! [remote rejected] HEAD -> main (push declined due to repository rule violations)",
        "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
        "remote: Permission to acme/content.git denied to github-actions[bot].",
    ],
)
def test_a_server_veto_is_not_retried(stderr: str) -> None:
    assert not _lost_race(_refused(stderr))
