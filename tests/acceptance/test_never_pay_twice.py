"""Never pay twice, the way it breaks in real life: a flaky API, a kill while waiting out a
rate limit, an approval given after another apply finished, a sandbox lockfile met by a
real apply. Each test counts the paid jobs the sandbox accepted."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from helpers import Project, make_project, paid_jobs

FAST_RETRIES = """
spec:
  providers:
    powerpost:
      retries: {attempts: 3, base_delay: 0.01, max_delay: 0.02, max_rate_limit_wait: 0.01}
    postnitro:
      retries: {attempts: 3, base_delay: 0.01, max_delay: 0.02, max_rate_limit_wait: 0.01}
"""


def _statuses(project: Project) -> Counter[str]:
    lock = json.loads(project.lockfile.read_text())
    return Counter(s["status"] for r in lock["resources"].values() for s in r["steps"].values())


def _project(root: Path, **sizes: int) -> Project:
    make_project(root, **sizes)
    config = root / "contentctl.yaml"
    config.write_text(config.read_text() + FAST_RETRIES)
    return Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"})


def test_a_flaky_api_never_makes_a_job_paid_twice(tmp_path: Path) -> None:
    """30% 429 and 30% 500 on every request, polls included: a poll that cannot get an
    answer says nothing about the job, so it stays pending and is collected later."""
    could_not_check = 0
    for seed in range(8):
        project = _project(tmp_path / f"p{seed}", media=2, posts=4, carousels=3)
        faults = {"CONTENTCTL_SANDBOX_FAULTS": f"rate_limit=0.3,server_error=0.3,seed={seed}"}
        first = project.run("apply", "--auto-approve", env=faults)
        could_not_check += first.output.count("still running, not lost: could not check")
        assert "Traceback" not in first.output
        assert _statuses(project)["submitting"] == 0  # every refusal was put back

        for _ in range(3):  # later applies, the API healthy again, collect and finish
            if project.run("apply", "--auto-approve").exit_code == 0:
                break
        assert project.run("plan", "--detailed-exitcode").exit_code == 0, seed
        twice = {k: n for k, n in paid_jobs(project.root).items() if n > 1}
        assert twice == {}, (seed, twice)
    # The faults did hit polls, or this test proves nothing.
    assert could_not_check > 0


def _apply_process(project: Project, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "contentctl", "-C", str(project.root), "--sandbox", "apply", *args],
        env={**os.environ, "NO_COLOR": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_kill_while_waiting_out_a_rate_limit_leaves_nothing_uncertain(tmp_path: Path) -> None:
    """Every request is answered 429 "retry after 60 s": the apply spends its time waiting,
    and a kill during the wait must not leave a step recorded as submitting."""
    project = _project(tmp_path / "p", media=1, posts=2, carousels=2)
    config = project.root / "contentctl.yaml"
    config.write_text(
        config.read_text().replace("max_rate_limit_wait: 0.01", "max_rate_limit_wait: 60")
    )
    env = {
        "CONTENTCTL_SANDBOX_LATENCY": "0",
        "CONTENTCTL_SANDBOX_FAULTS": "rate_limit=1,retry_after=60",
    }
    process = _apply_process(project, env, "--auto-approve")
    try:
        deadline = time.monotonic() + 60
        while not any(r["method"] == "POST" and r["status"] == 429 for r in project.requests()):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        # Every slot is now waiting out its 60 s: no request for a whole second.
        quiet_since, seen = time.monotonic(), len(project.requests())
        while time.monotonic() - quiet_since < 1:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
            if len(project.requests()) != seen:
                quiet_since, seen = time.monotonic(), len(project.requests())
    finally:
        process.kill()
        process.communicate()
    statuses = _statuses(project) if project.lockfile.exists() else Counter()
    assert statuses["submitting"] == 0, statuses

    healthy = project.run("apply", "--auto-approve")
    assert healthy.exit_code == 0, healthy.output
    assert "--resubmit-uncertain" not in healthy.output
    assert max(paid_jobs(project.root).values()) == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_sandbox_lockfile_is_never_trusted_by_a_real_apply(quickstart: Project) -> None:
    assert quickstart.run("apply", "--auto-approve").exit_code == 0
    assert json.loads(quickstart.lockfile.read_text())["target"] == {"sandbox": True}
    port = _free_port()  # nothing listens there: any request would fail to connect
    real = {
        "POWERPOST_API_KEY": "pp_live_sk_real",
        "POWERPOST_WORKSPACE_ID": "ws_real",
        "POSTNITRO_API_KEY": "pn_real",
        "POWERPOST_BASE_URL": f"http://127.0.0.1:{port}/api/v1",
        "POSTNITRO_BASE_URL": f"http://127.0.0.1:{port}",
    }
    quickstart.edit("content/launch.yaml", "portrait", "square")  # something to apply
    before = quickstart.lockfile.read_bytes()

    refused = quickstart.run("apply", "--auto-approve", sandbox=False, env=real)

    assert refused.exit_code == 1
    assert "contentctl.lock records sandbox resources" in refused.stderr
    assert "git rm contentctl.lock" in refused.stderr
    assert "cannot reach" not in refused.output  # refused before any request
    assert quickstart.lockfile.read_bytes() == before

    # And the other way round: real records are never overwritten by the sandbox.
    data = json.loads(before)
    data["target"] = {"powerpost": {"base_url": "https://powerpost.ai/api/v1"}}
    quickstart.lockfile.write_text(json.dumps(data))
    overwrite = quickstart.run("apply", "--auto-approve")
    assert overwrite.exit_code == 1
    assert "records real resources; a --sandbox apply would overwrite them" in overwrite.stderr


def test_another_workspace_is_refused_before_any_request(
    quickstart: Project, tmp_path: Path
) -> None:
    lock = {
        "format_version": "1.0",
        "lineage": "l",
        "serial": 1,
        "resources": {},
        "target": {
            "powerpost": {"base_url": "http://127.0.0.1:9/api/v1", "account": "fp:0123456789abcdef"}
        },
    }
    quickstart.lockfile.write_text(json.dumps(lock))
    env = {
        "POWERPOST_API_KEY": "k",
        "POWERPOST_WORKSPACE_ID": "ws_other",
        "POSTNITRO_API_KEY": "k",
        "POWERPOST_BASE_URL": "http://127.0.0.1:9/api/v1",
        "POSTNITRO_BASE_URL": "http://127.0.0.1:9",
    }
    refused = quickstart.run("apply", "--auto-approve", sandbox=False, env=env)
    assert refused.exit_code == 1
    assert "another powerpost workspace" in refused.stderr
    assert "ws_other" not in refused.output + json.dumps(lock)  # only a fingerprint, ever


class Terminal:
    """A process on a pseudo-terminal: apply asks for approval only on a terminal."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import pty

        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env={**os.environ, **env}
        )
        os.close(slave)
        self.output = ""

    def read_until(self, text: str, timeout: float = 60) -> str:
        import select

        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert time.monotonic() < deadline, self.output
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.master, 65536).decode(errors="replace")
                except OSError:  # the process closed the terminal
                    assert text in self.output, self.output
        return self.output

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def finish(self, timeout: float = 60) -> int:
        import select

        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            assert time.monotonic() < deadline, self.output
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.master, 65536).decode(errors="replace")
                except OSError:
                    break
        os.close(self.master)
        return self.process.wait()


def test_an_approval_given_after_another_apply_finished_runs_nothing_twice(
    quickstart: Project,
) -> None:
    env = {"CONTENTCTL_SANDBOX_LATENCY": "0", "NO_COLOR": "1"}
    argv = [sys.executable, "-m", "contentctl", "-C", str(quickstart.root), "--sandbox", "apply"]
    waiting = Terminal(argv, env)
    waiting.read_until("Only 'yes' will be accepted")

    other = quickstart.run("apply", "--auto-approve")  # finishes while the first one waits
    assert other.exit_code == 0, other.output
    serial = json.loads(quickstart.lockfile.read_text())["serial"]

    waiting.type("yes")
    assert waiting.finish() == 0, waiting.output
    assert "contentctl.lock changed while this apply waited" in waiting.output
    assert "No changes" in waiting.output.split("Planned again")[1]
    assert max(paid_jobs(quickstart.root).values()) == 1
    assert len(quickstart.calls("POST", "/posts")) == 1  # one draft, not two
    assert json.loads(quickstart.lockfile.read_text())["serial"] == serial  # nothing rewritten


def test_a_changed_plan_is_shown_and_asked_again(quickstart: Project) -> None:
    env = {"CONTENTCTL_SANDBOX_LATENCY": "0", "NO_COLOR": "1"}
    argv = [sys.executable, "-m", "contentctl", "-C", str(quickstart.root), "--sandbox", "apply"]
    waiting = Terminal(argv, env)
    waiting.read_until("Only 'yes' will be accepted")
    # Another apply creates only the media and the carousel meanwhile.
    partial = quickstart.run("apply", "--auto-approve", "--select", "carousel/*")
    assert partial.exit_code == 0, partial.output

    waiting.type("yes")
    waiting.read_until("Planned again")
    waiting.read_until("Only 'yes' will be accepted")  # asked again: the plan is not the same
    again = waiting.output.split("Planned again")[1]
    assert "carousel/dark-mode-tips" not in again.split("Only 'yes'")[0]
    waiting.type("yes")
    assert waiting.finish() == 0, waiting.output
    assert max(paid_jobs(quickstart.root).values()) == 1


def test_lock_retarget_records_an_api_that_moved(quickstart: Project) -> None:
    before = {"powerpost": {"base_url": "http://127.0.0.1:1111/api/v1"}}
    lock = {"format_version": "1.0", "lineage": "l", "serial": 1, "resources": {}}
    quickstart.lockfile.write_text(json.dumps({**lock, "target": before}))
    moved = {
        "POWERPOST_API_KEY": "k",
        "POWERPOST_WORKSPACE_ID": "ws",
        "POSTNITRO_API_KEY": "k",
        "POWERPOST_BASE_URL": "http://127.0.0.1:2222/api/v1",
        "POSTNITRO_BASE_URL": "http://127.0.0.1:2222",
    }
    done = quickstart.run("lock", "retarget", sandbox=False, env=moved)
    assert done.exit_code == 0, done.output
    target = json.loads(quickstart.lockfile.read_text())["target"]
    assert target["powerpost"]["base_url"] == "http://127.0.0.1:2222/api/v1"
    assert target["powerpost"]["account"].startswith("fp:")  # a fingerprint, never the id
    assert "ws" not in json.dumps(target).replace("fp:", "")


def test_sandbox_records_cannot_be_retargeted_to_a_real_api(quickstart: Project) -> None:
    assert quickstart.run("apply", "--auto-approve").exit_code == 0
    before = quickstart.lockfile.read_bytes()
    real = {
        "POWERPOST_API_KEY": "k",
        "POWERPOST_WORKSPACE_ID": "ws",
        "POSTNITRO_API_KEY": "k",
        "POWERPOST_BASE_URL": "http://127.0.0.1:9/api/v1",
        "POSTNITRO_BASE_URL": "http://127.0.0.1:9",
    }
    refused = quickstart.run("lock", "retarget", sandbox=False, env=real)
    assert refused.exit_code == 1
    assert "records sandbox resources" in refused.stderr
    assert quickstart.lockfile.read_bytes() == before
