"""The GitHub Actions simulation itself: signals arrive as the runner sends them, file commands
and expressions behave as on GitHub, artifacts leave hidden files out, the outage proxy really
cuts kept-alive connections, and a dead runner leaves nothing behind."""

from __future__ import annotations

import http.client
import http.server
import sys
import threading
from pathlib import Path

import httpx
import pytest
from github_sim import (
    BareRemote,
    Cancellation,
    ExpressionError,
    Moment,
    OutageProxy,
    ServedSandbox,
    Workflow,
    assess,
    run_job,
    workspace_for,
)

QUICK = Cancellation(sigint_grace=0.6, sigterm_grace=0.4, stream_grace=0.5)
VENV = Path(sys.executable).parent


def _remote(tmp_path: Path) -> BareRemote:
    project = tmp_path / "project"
    project.mkdir(parents=True)
    (project / "README.md").write_text("content\n")
    return BareRemote.seed(project, tmp_path / "origin.git")


def _workflow(steps: str) -> Workflow:
    return Workflow.parse(
        f"on: push\njobs:\n  apply:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"
    )


def _exists(path: Path) -> Moment:
    return Moment("0", when=path.exists)


TRAPS = """\
      - name: stubborn
        run: |
          trap 'echo "INT $SECONDS" >> "$RUNNER_TEMP/traps"' INT
          trap 'echo "TERM $SECONDS" >> "$RUNNER_TEMP/traps"' TERM
          touch ready
          # wait, not a foreground sleep: bash runs a trap at once only while in wait
          # (with a foreground child it ignores a SIGINT the child did not die of)
          while :; do sleep 0.05 & wait $! || true; done
      - name: after, on success
        run: echo never
      - name: after, always
        if: always()
        run: echo "status ran" > always.txt
      - name: after, when cancelled
        if: ${{ cancelled() }}
        run: echo cancelled > cancelled.txt
      - name: after, on failure
        if: failure()
        run: echo never
"""


def test_a_cancel_sends_sigint_then_sigterm_then_kills_and_only_always_steps_run(
    tmp_path: Path,
) -> None:
    root = tmp_path / "runner"
    result = run_job(
        _workflow(TRAPS),
        "apply",
        remote=_remote(tmp_path),
        runner_root=root,
        cancel_at=Moment("stubborn", when=(workspace_for(root) / "ready").exists),
        cancellation=QUICK,
    )

    stubborn = result.step("stubborn")
    sent = dict(stubborn.signals_sent)
    assert list(sent) == ["SIGINT", "SIGTERM", "SIGKILL"]
    assert 0.6 <= sent["SIGTERM"] - sent["SIGINT"] < 0.6 + 0.5
    assert 0.4 <= sent["SIGKILL"] - sent["SIGTERM"] < 0.4 + 0.5
    traps = (root / "temp" / "traps").read_text().split()
    assert traps[0::2] == ["INT", "TERM"]  # the shell saw both, in order, then was killed
    assert stubborn.conclusion == "cancelled" and stubborn.signal == "SIGKILL"
    assert [s.conclusion for s in result.steps[1:]] == ["skipped", "success", "success", "skipped"]
    assert (result.workspace / "always.txt").read_text() == "status ran\n"
    assert result.status == "cancelled" and result.fired == {"cancel": True}


def test_a_cancel_leaves_a_running_always_step_alone(tmp_path: Path) -> None:
    """The runner re-evaluates the running step's if: with the job cancelled."""
    root = tmp_path / "runner"
    steps = (
        "      - name: final\n        if: always()\n        run: |\n"
        "          touch started\n          sleep 1\n          echo done > done.txt\n"
        "      - run: echo never > never.txt\n"
    )
    result = run_job(
        _workflow(steps),
        "apply",
        remote=_remote(tmp_path),
        runner_root=root,
        cancel_at=Moment("final", when=(workspace_for(root) / "started").exists),
        cancellation=QUICK,
    )

    final = result.step("final")
    assert final.conclusion == "success" and final.signals_sent == []
    assert (result.workspace / "done.txt").exists()
    assert [s.conclusion for s in result.steps] == ["success", "skipped"]
    assert result.status == "cancelled" and result.fired == {"cancel": True}


CHILD = (
    "import pathlib, signal, sys, time\n"
    "log = pathlib.Path(sys.argv[1])\n"
    "for s in (signal.SIGINT, signal.SIGTERM):\n"
    "    signal.signal(s, lambda n, f: (log.write_text(signal.Signals(n).name), sys.exit(0)))\n"
    "pathlib.Path('ready').touch()\n"
    "time.sleep(60)\n"
)


@pytest.mark.parametrize("launch", ["", "exec "])
def test_only_a_program_the_step_execs_gets_the_cancel_signals(tmp_path: Path, launch: str) -> None:
    """Without ``exec`` the shell takes SIGINT and SIGTERM, dies, and the program runs on,
    holding the step's output, until the runner cleans up orphan processes."""
    (tmp_path / "child.py").write_text(CHILD)
    root = tmp_path / "runner"
    got = tmp_path / "got"
    steps = f"      - name: program\n        run: {launch}python {tmp_path / 'child.py'} {got}\n"
    result = run_job(
        _workflow(steps),
        "apply",
        remote=_remote(tmp_path),
        runner_root=root,
        venv_bin=VENV,
        cancel_at=Moment("program", when=(workspace_for(root) / "ready").exists),
        cancellation=QUICK,
    )

    program = result.step("program")
    if launch:
        assert got.read_text() == "SIGINT"
        assert [name for name, _ in program.signals_sent] == ["SIGINT"]
        assert program.exit_code == 0 and result.orphans_killed == []
    else:
        assert not got.exists()
        assert [name for name, _ in program.signals_sent] == ["SIGINT", "SIGTERM"]
        assert program.signal == "SIGTERM"
        assert any("output stayed open" in note for note in program.notes)
        assert [o.split(" ", 1)[1] for o in result.orphans_killed] == ["(python)"]
    assert program.conclusion == "cancelled"


FILE_COMMANDS = """\
      - id: first
        env:
          KEY: ${{ secrets.POWERPOST_API_KEY }}
          VERSION: ${{ vars.CONTENTCTL_VERSION || '9.9' }}
        run: |
          echo "FROM_ENV=plain" >> "$GITHUB_ENV"
          { echo "NOTE<<EOF"; echo "two"; echo "lines"; echo "EOF"; } >> "$GITHUB_ENV"
          echo "answer=42" >> "$GITHUB_OUTPUT"
          tools="$RUNNER_TEMP/tools" && mkdir -p "$tools"
          printf '#!/bin/sh\\necho tool\\n' > "$tools/t" && chmod +x "$tools/t"
          echo "$tools" >> "$GITHUB_PATH"
          echo "$KEY $VERSION $CI $GITHUB_ACTIONS $GITHUB_REF $GITHUB_EVENT_NAME" > first.txt
      - env:
          ANSWER: ${{ steps.first.outputs.answer }}
          WHERE: ${{ github.repository }} ${{ runner.temp }}
        run: |
          echo "$FROM_ENV|$NOTE|$ANSWER|$WHERE|$(t)" > second.txt
          false
      - if: failure()
        run: echo "$FROM_ENV" > failure.txt
      - run: echo never > skipped.txt
"""


def test_file_commands_and_expressions_reach_later_steps(tmp_path: Path) -> None:
    root = tmp_path / "runner"
    result = run_job(
        _workflow(FILE_COMMANDS),
        "apply",
        remote=_remote(tmp_path),
        runner_root=root,
        secrets={"POWERPOST_API_KEY": "k3y"},
    )

    workspace = result.workspace
    assert (workspace / "first.txt").read_text() == "k3y 9.9 true true refs/heads/main push\n"
    assert (workspace / "second.txt").read_text() == (
        f"plain|two\nlines|42|acme/content {root / 'temp'}|tool\n"
    )
    assert (workspace / "failure.txt").read_text() == "plain\n"
    assert not (workspace / "skipped.txt").exists()
    assert [s.conclusion for s in result.steps] == ["success", "failure", "success", "skipped"]
    assert result.status == "failure"

    unknown = _workflow("      - run: echo ${{ matrix.os }}\n")
    with pytest.raises(ExpressionError, match="unknown context 'matrix'"):
        run_job(unknown, "apply", remote=_remote(tmp_path / "x"), runner_root=tmp_path / "r2")
    with pytest.raises(ExpressionError, match="not simulated"):
        run_job(
            _workflow("      - if: hashFiles('x')\n        run: echo\n"),
            "apply",
            remote=_remote(tmp_path / "y"),
            runner_root=tmp_path / "r3",
        )


UPLOADS = """\
      - run: |
          mkdir -p out .contentctl out/.cache
          echo a > out/a.txt && echo h > out/.hidden && echo c > out/.cache/c
          echo plan > .contentctl/plan-comment.md && echo lock > contentctl.lock
      - uses: actions/upload-artifact@v4
        with:
          name: default
          path: |
            out/
            .contentctl/
            contentctl.lock
      - uses: actions/upload-artifact@v4
        with:
          name: named-literally
          path: ${{ github.workspace }}/.contentctl/plan-comment.md
      - uses: actions/upload-artifact@v4
        with:
          name: hidden-included
          include-hidden-files: true
          path: out
      - uses: actions/upload-artifact@v4
        with:
          name: nothing
          path: .contentctl/*.md
          if-no-files-found: error
"""


def test_upload_artifact_leaves_hidden_files_and_folders_out(tmp_path: Path) -> None:
    result = run_job(
        _workflow(UPLOADS), "apply", remote=_remote(tmp_path), runner_root=tmp_path / "runner"
    )

    def files(name: str) -> list[str]:
        folder = result.artifacts / name
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    assert files("default") == ["contentctl.lock", "out/a.txt"]
    # @actions/glob skips hidden items it visits; a file named literally is the search root.
    assert files("named-literally") == ["plan-comment.md"]
    assert files("hidden-included") == [".cache/c", ".hidden", "a.txt"]
    nothing = result.steps[-1]
    assert nothing.conclusion == "failure"
    assert "No files were found with the provided path: .contentctl/*.md" in nothing.notes[-1]
    assert not (result.artifacts / "nothing").exists()


def test_checkout_clones_main_with_everything_pushed_to_it(tmp_path: Path) -> None:
    remote = _remote(tmp_path)
    pushed = remote.push_change(tmp_path / "other", {"content/new.yaml": "x: 1\n"}, "Another PR")
    steps = "      - uses: actions/checkout@v4\n        with: {ref: main, fetch-depth: 0}\n"
    result = run_job(_workflow(steps), "apply", remote=remote, runner_root=tmp_path / "runner")

    assert (result.workspace / "content" / "new.yaml").read_text() == "x: 1\n"
    assert remote.head() == pushed and remote.show("content/new.yaml") == "x: 1\n"
    assert remote.subjects() == ["Another PR", "Content repository"]
    assert remote.show("missing.txt") is None


class _KeepAlive(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_args: object) -> None:
        pass


def test_an_outage_drops_kept_alive_connections_and_refuses_new_ones(tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _KeepAlive)
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    try:
        with OutageProxy(server.server_address[1]) as proxy:
            kept = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=5)
            kept.request("GET", "/")
            assert kept.getresponse().read() == b"ok"

            proxy.outage(30)
            with pytest.raises((ConnectionError, http.client.HTTPException)):
                kept.request("GET", "/")
                kept.getresponse().read()
            with pytest.raises(ConnectionRefusedError):
                http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=5).connect()
            assert not proxy.wait_up(0.2)

        # stop() ended the outage with everything closed; a new proxy on the same port works.
        assert not proxy.thread.is_alive() and not proxy.sides and proxy.listener is None
        with OutageProxy(server.server_address[1], port=proxy.port) as again:
            again.outage(0.3)
            assert again.wait_up(10)
            fresh = http.client.HTTPConnection("127.0.0.1", again.port, timeout=5)
            fresh.request("GET", "/")
            assert fresh.getresponse().read() == b"ok"
            fresh.close()
        assert (again.accepted, again.outages) == (1, 1)
        assert not [t for t in threading.enumerate() if t.name.startswith("outage-proxy")]
    finally:
        server.shutdown()
        server.server_close()
        serving.join()


def test_a_dead_runner_leaves_no_process_and_no_workspace(tmp_path: Path) -> None:
    root = tmp_path / "runner"
    steps = (
        "      - name: busy\n        run: |\n          sleep 60 &\n          touch started\n"
        "          wait\n      - if: always()\n        run: echo never > never.txt\n"
    )
    result = run_job(
        _workflow(steps),
        "apply",
        remote=_remote(tmp_path),
        runner_root=root,
        die_at=Moment("busy", when=(workspace_for(root) / "started").exists),
    )

    assert result.status == "runner-died" and [s.title for s in result.steps] == ["busy"]
    assert not result.workspace.exists() and result.orphans_killed == []
    assert result.fired == {"die": True}


def test_damage_counts_jobs_accepted_twice_and_ids_no_lockfile_mentions(tmp_path: Path) -> None:
    with ServedSandbox(tmp_path / "api", latency=0) as api:
        env = api.environ()
        headers = {"X-API-Key": env["POWERPOST_API_KEY"], "X-Workspace-Id": "ws_sandbox"}
        body = {"prompt": "Hello there", "post_types": ["x-post"], "research_mode": "regular"}
        ids = [
            httpx.post(
                f"{env['POWERPOST_BASE_URL']}/content/generate", json=body, headers=headers
            ).json()["generation_id"]
            for _ in range(2)
        ]
        damage = assess(api.state(), api.requests(), [("origin/main", f'{{"x": "{ids[1]}"}}')])
    assert damage.submitted_twice["captions"] == 1 and damage.paid_twice == 1
    assert damage.credits_wasted == 6
    assert damage.lost == [f"captions {ids[0]}"]
    assert damage.unreadable == ["origin/main"]
    assert api.process is None  # stopped
