"""A plan made with the caches of .contentctl/cache is the plan made without them: the same
text, diff, JSON, Markdown, warnings and exit code, on every example and after each of many
random edits (seeded) of manifests, variables, templates, assets and the lockfile, made one
after the other so that each plan finds the caches the plans before it left."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from helpers import EXAMPLES, Project, copy_example

SEED = 2026
EDITS = 40  # per example; each edit is planned four ways, twice with the caches


def no_cache(tmp: Path) -> dict[str, str]:
    """An environment where no key can be kept: nothing is cached, nothing read."""
    blocked = tmp / "not-a-folder"
    blocked.write_text("")
    return {"CONTENTCTL_CACHE_KEY": str(blocked / "cache.key")}


def outcomes(project: Project, env: dict[str, str] | None = None) -> list[tuple[object, ...]]:
    """What the plan says, every way it can be asked."""
    found: list[tuple[object, ...]] = []
    for args in (
        ("plan", "--diff", "--detailed-exitcode"),
        ("plan", "--json"),
        ("plan", "--format", "markdown"),
        ("plan", "--generate"),
    ):
        result = project.run(*args, env=env)
        out = result.stdout
        if "--json" in args and result.exit_code == 0:
            data = json.loads(out)
            data.pop("created_at")
            out = json.dumps(data, sort_keys=True)
        found.append((args, result.exit_code, out, result.stderr))
    return found


def assert_same_plans(project: Project, tmp: Path) -> None:
    filled = outcomes(project)  # makes (or finds) the caches
    cached = outcomes(project)  # finds them
    plain = outcomes(project, no_cache(tmp))
    assert filled == plain
    assert cached == plain


def _example(name: str, tmp: Path) -> tuple[Project, Path]:
    """A copy of an example, and the folder its edits are made in."""
    env = {"CONTENTCTL_SANDBOX_LATENCY": "0"}
    if name != "agency":
        root = copy_example(name, tmp)
        return Project(root, env), root
    shutil.copytree(EXAMPLES / "agency", tmp / "agency", ignore=shutil.ignore_patterns(".*"))
    return Project(tmp / "agency" / "brands" / "northwind", env), tmp / "agency"


@pytest.mark.parametrize("name", ["quickstart", "full-campaign", "campaign", "agency"])
def test_plans_with_and_without_the_caches_are_the_same(tmp_path: Path, name: str) -> None:
    project, scope = _example(name, tmp_path)
    rng = random.Random(f"{SEED}{name}")
    assert_same_plans(project, tmp_path)  # before any apply: everything is new
    applied = project.run("apply", "--auto-approve", "--allow-publish")
    assert applied.exit_code in (0, 1), applied.output  # a schedule in the past is refused
    assert_same_plans(project, tmp_path)
    originals = {p: p.read_bytes() for p in scope.rglob("*") if p.is_file()}
    for _ in range(EDITS):
        changed = [p for p, data in originals.items() if not p.exists() or p.read_bytes() != data]
        if changed and rng.random() < 0.35:  # put one back as it was: its caches again
            path = rng.choice(sorted(changed))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(originals[path])
        else:
            edit(scope, rng)
        assert_same_plans(project, tmp_path)


def edit(scope: Path, rng: random.Random) -> None:
    """One random change where plans look: a value in a manifest, a variable, a template or
    contentctl.yaml; a media file; a record of the lockfile; a downloaded file gone."""
    files = [p for p in sorted(scope.rglob("*")) if p.is_file() and ".contentctl" not in p.parts]
    kinds = {
        "text": [p for p in files if p.suffix in (".yaml", ".j2") and "out" not in p.parts],
        "media": [p for p in files if p.suffix == ".png" and "out" not in p.parts],
        "lockfile": [p for p in files if p.name == "contentctl.lock"],
        "download": [p for p in files if "out" in p.parts],
    }
    present = [k for k, found in kinds.items() if found]
    kind = rng.choice(present + [k for k in ("text", "lockfile") if k in present])
    path = rng.choice(kinds[kind])
    if kind == "media":
        data = bytearray(path.read_bytes())
        data[rng.randrange(len(data))] ^= 1 + rng.randrange(255)
        path.write_bytes(bytes(data))
    elif kind == "lockfile":
        _edit_lockfile(path, rng)
    elif kind == "download":
        path.unlink()
    else:
        _edit_text(path, rng)


VALUE = re.compile(r"^(?P<head>\s*(?:- )?[\w.-]+:\s+)(?P<value>\S.*)$")


def _edit_text(path: Path, rng: random.Random) -> None:
    """A value of a `key: value` line changed as YAML and Jinja still read it (a word more
    in a text, a number more), a line gone, or a comment (new bytes, the same meaning)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    values = [i for i, line in enumerate(lines) if VALUE.match(line.rstrip("\n"))]
    if not values:
        return
    i = rng.choice(values)
    found = VALUE.match(lines[i].rstrip("\n"))
    assert found is not None
    head, value = found["head"], found["value"]
    choice = rng.randrange(6)
    if choice < 3 and value[0] in "\"'":  # inside the quotes
        lines[i] = f"{head}{value[0]}new {value[1:]}\n"
    elif choice < 3 and re.fullmatch(r"-?\d+", value):
        lines[i] = f"{head}{int(value) + 1}\n"
    elif choice < 3 and value[0] not in "[{|>&*!%#" and " #" not in value:
        lines[i] = f"{head}{value} again\n"
    elif choice == 3:
        del lines[i]
    else:
        lines.insert(i, "# edited\n")
    path.write_text("".join(lines), encoding="utf-8")


def _edit_lockfile(path: Path, rng: random.Random) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    resources = data.get("resources") or {}
    if not resources:
        return
    address = rng.choice(sorted(resources))
    steps = resources[address]["steps"]
    name = rng.choice(sorted(steps))
    choice = rng.randrange(4)
    if choice == 0:
        steps[name]["input_hash"] = "sha256:" + "1" * 64
    elif choice == 1:
        steps[name]["status"] = "failed"
        steps[name]["error"] = "made up by the test"
    elif choice == 2:
        steps[name].setdefault("inputs", {})["made_up"] = rng.randrange(100)
    else:
        del resources[address]
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


@pytest.mark.parametrize("damage", ["cut short", "a byte changed", "not a file", "empty"])
def test_a_damaged_cache_is_no_cache(tmp_path: Path, damage: str) -> None:
    project, _ = _example("full-campaign", tmp_path)
    assert project.run("apply", "--auto-approve", "--allow-publish").exit_code == 0
    expected = outcomes(project, no_cache(tmp_path))
    outcomes(project)  # every cache made
    caches = sorted((project.root / ".contentctl" / "cache").iterdir())
    assert len(caches) >= 6
    for path in caches:
        data = path.read_bytes()
        if damage == "cut short":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "a byte changed":
            path.write_bytes(data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])
        elif damage == "not a file":
            path.unlink()
            path.mkdir()
        else:
            path.write_bytes(b"")

    assert outcomes(project) == expected  # read as no cache, never an error
    assert outcomes(project) == expected


def test_without_a_key_nothing_is_cached_and_plans_are_the_same(tmp_path: Path) -> None:
    project, _ = _example("campaign", tmp_path)
    env = no_cache(tmp_path)
    assert project.run("apply", "--auto-approve", env=env).exit_code == 0

    assert outcomes(project, env) == outcomes(project, env)
    left = {p.name for p in (project.root / ".contentctl").rglob("*") if "cache" in p.parts}
    assert left <= {"cache", "media-hashes.json"}  # stat-keyed, see plan/media_hashes.py


def test_no_secret_is_written_to_a_cache(tmp_path: Path) -> None:
    project, _ = _example("quickstart", tmp_path)
    secrets = {
        "POWERPOST_API_KEY": "pp-secret-4b1d",
        "POWERPOST_WORKSPACE_ID": "ws-secret-77c2",
        "POSTNITRO_API_KEY": "pn-secret-9e0a",
    }
    assert project.run("apply", "--auto-approve", env=secrets).exit_code == 0
    for args in (("plan",), ("plan", "--json"), ("validate",)):
        assert project.run(*args, env=secrets).exit_code == 0

    written = b"".join(
        p.read_bytes() for p in (project.root / ".contentctl" / "cache").iterdir() if p.is_file()
    )
    assert written and not any(value.encode() in written for value in secrets.values())


def test_a_schedule_whose_time_has_passed_is_refused_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock is read by every plan: a verdict kept from before a schedule's time says
    nothing about whether sending it now would be too late."""
    from datetime import datetime, timezone

    from contentctl.plan import diff

    project, _ = _example("full-campaign", tmp_path)
    assert project.run("apply", "--auto-approve", "--allow-publish").exit_code == 0
    assert_same_plans(project, tmp_path)  # verdicts kept, before the launch day

    class AfterTheLaunch(datetime):
        @classmethod
        def now(cls, tz: object = None) -> AfterTheLaunch:
            return cls(2030, 6, 4, 12, tzinfo=timezone.utc)

    monkeypatch.setattr(diff, "datetime", AfterTheLaunch)
    assert_same_plans(project, tmp_path)  # unchanged: nothing is sent, nothing refused
    project.edit("content/schedule.yaml.j2", "Dark mode is here", "Dark mode is finally here")

    assert_same_plans(project, tmp_path)
    refused = project.run("plan", "--detailed-exitcode")
    assert "not at least 5 minutes ahead" in refused.output
