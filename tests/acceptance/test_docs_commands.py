"""Every command line the documentation shows is run, and does what the documentation says.

Each `contentctl` (or `.venv/bin/contentctl`) line of a code block in README.md and docs/*.md
runs on the sandbox in a copy of the repository's examples, in the order the file shows
them: its exit code must be 0 (or what a marker says), and the lines quoted after it as
`# ...` comments must be in its output, in order (`...` stands for anything). docs/cli.md is
the --help of every command (a test keeps it current), so this runs the help's examples too.

Hand-written Markdown carries its markers as HTML comments before a code block:

    <!-- docs-test: skip: REASON -->                   no line of the block runs
    <!-- docs-test: skip "PREFIX": REASON -->          lines starting with PREFIX do not run
    <!-- docs-test: exit N "PREFIX" -->                those lines exit N
    <!-- docs-test: edit FILE "OLD" "NEW" -->          the change the prose asks for, first
    <!-- docs-test: in DIR -->                         the block runs in DIR (a project)

The help cannot carry markers, so HELP below says the same of its examples.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES, ROOT, git_repo

from contentctl.cli import cli

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"<!-- docs-test: (?P<what>.*?) -->")
ENVIRONMENT = {"CONTENTCTL_SANDBOX": "1", "CONTENTCTL_SANDBOX_LATENCY": "0", "NO_COLOR": "1"}
PROGRAMS = ("contentctl", ".venv/bin/contentctl")

# The help's examples that need something else than the quickstart (run in examples/NAME),
# another exit code, or cannot run in a test (with why).
CAMPAIGN = "campaign"
HELP: dict[str, str] = {
    "contentctl apply                      # shows the plan, asks": "skip: it asks for a yes "
    "on a terminal, which a test has not (test_cli_ergonomics answers it through a pty)",
    "contentctl apply plan.json            # exactly a reviewed plan": "skip: applies the "
    "plan.json that plan's example `contentctl plan -o plan.json && contentctl apply "
    "plan.json` saves, and runs",
    "contentctl apply --auto-approve --select 'post/launch.*' --max-credits 100": CAMPAIGN,
    "contentctl apply --auto-approve --commit --push   # in CI, on merge": "skip: pushes to "
    "a git remote (test_lockfile_reaches_the_remote runs it against one)",
    "contentctl plan --select 'post/launch.*' --select locale=fr   # French posts": CAMPAIGN,
    "contentctl render post/launch.widgets-fr.announce --json": CAMPAIGN,
    "contentctl validate --env prod --var launch=2026-12-01": CAMPAIGN,
    'contentctl github comment contentctl-plan/comment.md --pr 7 --head-sha "$HEAD_SHA"': "skip:"
    " talks to GitHub's API (test_pull_request_comment runs it against a simulated GitHub)",
    'contentctl github comment "$RUNNER_TEMP/contentctl-plan/comment.md" --pr "$(cat '
    '"$RUNNER_TEMP/contentctl-plan/pull-request")" --head-sha "$HEAD_SHA" --run-url '
    '"$RUN_URL"': "skip: talks to GitHub's API, in a workflow's environment "
    "(test_pull_request_comment runs it against a simulated GitHub)",
    'contentctl github needs-review --commit "$GITHUB_SHA" post/launch': "skip: talks to "
    "GitHub's API after a merge (test_review_workflow runs it against a simulated GitHub)",
    "contentctl github unlabel contentctl:generate --pr 7": "skip: talks to GitHub's API "
    "(test_review_workflow runs it against a simulated GitHub)",
    "contentctl import post/spring-sale post-550e8400-e29b-41d4-a716-446655440000": "skip: "
    "adopts a post that exists in PowerPost, under a manifest the examples do not have "
    "(test_plan_semantics imports one)",
    "contentctl lock resolve          # during a merge that left it conflicted": "skip: needs a "
    "conflicted git merge (test_git_lockfile_merge makes one)",
    "git merge feature && contentctl lock resolve && git commit --no-edit": "skip: needs a "
    "conflicted git merge (test_git_lockfile_merge makes one)",
    "contentctl lock commit --push": "skip: pushes to a git remote "
    "(test_lockfile_reaches_the_remote runs it against one)",
    "contentctl lock merge base.lock contentctl.lock theirs.lock": "skip: git's three versions "
    "of a conflicted lockfile (test_lock_commands merges them)",
    "contentctl lock recover .contentctl/recovery": "skip: needs the folder of an apply that "
    "could not write or push its lockfile (test_local_io_failures makes one)",
    "contentctl lock recover ~/Downloads/contentctl-recovery --commit --push": "skip: needs a "
    "downloaded recovery artifact and a git remote (test_local_io_failures)",
    "contentctl -C examples/quickstart sandbox serve --port 8765": "skip: serves until "
    "stopped (test_contract runs the same app over HTTP)",
    "contentctl schema export /tmp/schemas": "skip: writes outside the test's folder",
    "contentctl state mv post/old-name post/new-name": "skip: renames a record the examples "
    "do not have (test_plan_semantics moves one)",
    "contentctl state rm carousel/retired-deck": "skip: forgets a record the examples do not "
    "have (test_lock_commands forgets one)",
    "contentctl projects --changed-since origin/main --format github-matrix": "skip: needs a "
    "pull request's base branch (test_projects changes a shared macro and runs it)",
    'contentctl projects plan --changed-since "$BEFORE" --max-credits 1000': "skip: compares "
    "with the commit before a push, in a workflow (test_many_projects_github runs it)",
    'contentctl projects comment "$RUNNER_TEMP/plans" --matrix "$MATRIX" --max-credits 1000 -o '
    '"$RUNNER_TEMP/contentctl-plan/plan.comment.md"': "skip: needs the folders the plan jobs "
    "of a matrix leave (test_projects and test_many_projects_github make them)",
}


@dataclass
class Command:
    """One command line of a code block, with what the documentation says of it."""

    where: str  # file:line
    text: str
    quoted: list[str] = field(default_factory=list)
    expected: int = 0
    skip: str | None = None
    project: str | None = None  # for the help's examples: the example project it runs in
    counted: bool = True  # False: a `cd` of the reader's shell, followed, not checked


@dataclass
class Block:
    commands: list[Command]
    edits: list[tuple[str, str, str]]
    folder: str = "."  # where the block starts, from the copy's top


def _blocks(path: Path) -> Iterator[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    markers: list[str] = []
    i = 0
    generated = path.name == "cli.md"
    while i < len(lines):
        line = lines[i]
        found = MARKER.search(line)
        if found:
            markers.append(found["what"])
        if not line.lstrip().startswith("```"):
            i += 1
            continue
        body: list[tuple[int, str]] = []
        i += 1
        while i < len(lines) and not lines[i].lstrip().startswith("```"):
            body.append((i + 1, lines[i]))
            i += 1
        i += 1
        commands = list(_commands(path, body, generated))
        folder = next((m[3:] for m in markers if m.startswith("in ")), ".")
        yield Block(_marked(commands, markers), _edits(markers), folder)
        markers = []


def _commands(path: Path, body: list[tuple[int, str]], generated: bool) -> Iterator[Command]:
    joined: list[tuple[int, str]] = []
    for number, text in body:
        if joined and joined[-1][1].endswith("\\"):
            joined[-1] = (joined[-1][0], joined[-1][1][:-1].rstrip() + " " + text.strip())
        else:
            joined.append((number, text.strip()))
    current: Command | None = None
    for number, text in joined:
        if current is not None and text.startswith("#"):
            current.quoted.append(text[1:].strip())
            continue
        current = None
        if text.startswith("cd "):
            yield Command(f"{path.name}:{number}", text, counted=False)
        elif _runs_contentctl(text):
            current = Command(f"{path.name}:{number}", text)
            if generated:
                _help_marker(current)
            yield current


def _runs_contentctl(text: str) -> bool:
    try:
        tokens = shlex.split(text, comments=True)
    except ValueError:
        return False
    return any(t in PROGRAMS for t in tokens) and not text.startswith(("Usage:", "#"))


def _help_marker(command: Command) -> None:
    said = HELP.get(command.text)
    if said is not None and said.startswith("skip: "):
        command.skip = said.removeprefix("skip: ")
    elif said is not None:
        command.project = said


def _marked(commands: list[Command], markers: list[str]) -> list[Command]:
    for marker in markers:
        skip = re.fullmatch(r'skip(?: "(?P<prefix>[^"]+)")?: (?P<why>.+)', marker)
        code = re.fullmatch(r'exit (?P<code>\d+) "(?P<prefix>[^"]+)"', marker)
        for command in commands:
            if skip and command.text.startswith(skip["prefix"] or ""):
                command.skip = skip["why"]
            if code and command.text.startswith(code["prefix"]):
                command.expected = int(code["code"])
    return commands


def _edits(markers: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for marker in markers:
        edit = re.fullmatch(r'edit (?P<file>\S+) "(?P<old>[^"]*)" "(?P<new>[^"]*)"', marker)
        if edit:
            found.append((edit["file"], edit["old"], edit["new"]))
    return found


def _copy_of_the_repository(tmp_path: Path) -> Path:
    """What a reader has: a checkout, with the examples never applied."""
    top = tmp_path / "contentctl"
    shutil.copytree(
        EXAMPLES,
        top / "examples",
        ignore=shutil.ignore_patterns(".contentctl", "out", "contentctl.lock", "preview"),
    )
    return git_repo(top)


def _matches(quoted: list[str], output: str) -> bool:
    """Every quoted line is an output line, in order (`...` matches anything)."""
    lines = [" ".join(line.split()) for line in output.splitlines()]
    at = 0
    for want in (" ".join(q.split()) for q in quoted if q.strip()):
        pattern = re.compile(".*".join(re.escape(p) for p in want.split("...")) + "$")
        while at < len(lines) and not pattern.match(lines[at]):
            at += 1
        if at == len(lines):
            return False
        at += 1
    return True


def _run(command: Command, top: Path, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runs the contentctl parts of a command line (`a && b`, `a | jq`); returns the
    folder the line leaves the shell in (`cd`)."""
    tokens = shlex.split(command.text, comments=True)
    segments: list[list[str]] = [[]]
    for token in tokens:
        if token == "&&":
            segments.append([])
        else:
            segments[-1].append(token)
    for segment in segments:
        if "|" in segment:  # what a pipe does with the output is not contentctl's
            segment = segment[: segment.index("|")]
        if segment[:1] == ["cd"]:
            cwd = (cwd / segment[1]).resolve()
            continue
        env = dict(ENVIRONMENT)
        while segment and re.fullmatch(r"[A-Z_]+=.*", segment[0]):
            name, _, value = segment.pop(0).partition("=")
            env[name] = value
        if not segment or segment[0] not in PROGRAMS:
            continue  # git, pip, open: not what this test checks
        monkeypatch.chdir(cwd)
        result = CliRunner().invoke(cli, segment[1:], env=env, catch_exceptions=False)
        output = result.stdout + result.stderr
        assert result.exit_code == command.expected, (command.where, command.text, output)
        assert _matches(command.quoted, output), (command.where, command.quoted, output)
    return cwd


@pytest.mark.parametrize("document", DOCS, ids=[d.name for d in DOCS])
def test_every_command_line_of_the_docs_runs_as_they_say(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = _copy_of_the_repository(tmp_path)
    ran = 0
    for block in _blocks(document):
        for file, old, new in block.edits:
            target = top / file
            text = target.read_text(encoding="utf-8")
            assert old in text, (document.name, file, old)
            target.write_text(text.replace(old, new, 1), encoding="utf-8")
        cwd = top / block.folder
        for command in block.commands:
            if command.skip:
                continue
            if document.name == "cli.md":  # help examples: -C from the top, else a project
                project = command.project or "quickstart"
                cwd = top if " -C " in command.text else top / "examples" / project
            cwd = _run(command, top, cwd, monkeypatch)
            ran += command.counted
    if any(c.counted for b in _blocks(document) for c in b.commands):
        assert ran > 0, document.name


def test_what_the_docs_test_runs_and_leaves_out_is_accounted_for() -> None:
    """The figures, and why each line is left out; a HELP entry no example matches is stale."""
    commands = [c for d in DOCS for b in _blocks(d) for c in b.commands if c.counted]
    skipped = [c for c in commands if c.skip]
    for command in skipped:
        assert len(command.skip or "") > 20, command  # a reason, not a shrug
    texts = {c.text for c in commands}
    assert sorted(set(HELP) - texts) == []
    print(f"\n{len(commands) - len(skipped)} command lines run, {len(skipped)} left out:")
    for command in skipped:
        print(f"  {command.where}: {command.text}\n    {command.skip}")
    assert len(commands) - len(skipped) >= 40


def test_a_bare_contentctl_comes_after_the_venv_that_has_it_is_activated() -> None:
    """A page that installs into .venv runs `.venv/bin/contentctl` until it activates it."""
    for document in DOCS:
        installed = activated = False
        in_code = False
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("```"):
                in_code = not in_code
                continue
            if not in_code:
                continue
            installed = installed or ".venv/bin/pip install" in line
            activated = activated or bool(re.search(r"(^|[;&]\s*)(\.|source) \.venv/", line))
            bare = line.strip().startswith("contentctl ")
            assert not (bare and installed and not activated), f"{document.name}:{number}"
