"""Plans and validation of large repositories, each against what any tool must at least do
with the same files: parse them (PyYAML's C loader, json.load), and validate them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.measure import CONTENTCTL, Figure, paired, peak_mib, run
from benchmarks.repos import make_repo

PARSE_FLOOR = (
    "import json, sys, yaml; list(yaml.load_all(open(sys.argv[1]), Loader=yaml.CSafeLoader)); "
    "json.load(open(sys.argv[2]))"
)
VALIDATE_FLOOR = (
    "import json, sys, yaml, jsonschema\n"
    "schema = json.load(open(sys.argv[3]))\n"
    "check = jsonschema.validators.validator_for(schema)(schema)\n"
    "for doc in yaml.load_all(open(sys.argv[1]), Loader=yaml.CSafeLoader):\n"
    "    list(check.iter_errors(doc))\n"
    "json.load(open(sys.argv[2]))\n"
)


def plan_figures(work: Path, sizes: list[int], runs: int) -> list[Figure]:
    """No-op plans of repositories with a lockfile as a real apply leaves it (outputs
    included), each paired with what any tool must at least do with the same files."""
    schemas = work / "plan-schemas"
    subprocess.run([*CONTENTCTL, "schema", "export", str(schemas)], check=True, capture_output=True)
    figures: list[Figure] = []
    warm: dict[int, float] = {}
    for size in sizes:
        found = _one_size(work, size, runs, schemas)
        warm[size] = found[0].value
        figures += found
    if 1000 in warm and 10000 in warm:
        growth = warm[10000] / warm[1000]
        figures.append(
            Figure("plan growth, 10k / 1k", growth, "x", "<= 10.5x", growth <= 10.5, "pairs")
        )
    return figures


def _one_size(work: Path, size: int, runs: int, schemas: Path) -> list[Figure]:
    """The plan figures of one repository of ``size`` resources (targets at 10,000)."""
    big = size >= 10000
    repo = make_repo(work / f"repo{size}", size)
    plan = [*CONTENTCTL, "-C", str(repo), "plan", "--detailed-exitcode"]
    run(plan)  # the first plan of a checkout validates everything and fills the cache
    rendered = work / f"rendered{size}.yaml"
    with rendered.open("w") as out:
        subprocess.run([*CONTENTCTL, "-C", str(repo), "render"], stdout=out, check=True)
    lock = str(repo / "contentctl.lock")
    parse = [sys.executable, "-c", PARSE_FLOOR, str(rendered), lock]
    seconds, floor, ratio = paired(plan, parse, runs)
    memory = peak_mib(["-C", str(repo), "plan", "--detailed-exitcode"], work)
    cold_plan = ["sh", "-c", f'rm -rf "{repo}/.contentctl/cache" && exec "$@"', "cold", *plan]
    schema = str(schemas / "manifest.schema.json")
    validate = [sys.executable, "-c", VALIDATE_FLOOR, str(rendered), lock, schema]
    cold, cold_floor, cold_ratio = paired(cold_plan, validate, max(1, runs - 2))
    shutil.rmtree(repo, ignore_errors=True)

    def target(text: str, ok: bool) -> tuple[str, bool | None]:
        return (text, ok) if big else ("", None)

    return [
        Figure(f"no-op plan, {size} resources (warm)", seconds, "s",
               *target("<= 1.5 s", seconds <= 1.5), "pairs"),
        Figure(f"  floor: parse only (PyYAML C + lockfile), {size}", floor, "s", "", None,
               "pairs"),
        Figure(f"  warm plan / parse floor, {size}", ratio, "x",
               *target("<= 1.0x", ratio <= 1.0), "pairs"),
        Figure(f"  first plan of a checkout (cold), {size}", cold, "s", "", None, "pairs"),
        Figure(f"  floor: parse + validate (jsonschema), {size}", cold_floor, "s", "", None,
               "pairs"),
        Figure(f"  cold plan / parse+validate floor, {size}", cold_ratio, "x",
               *target("<= 1.3x", cold_ratio <= 1.3), "pairs"),
        Figure(f"  peak memory of the plan, {size}", memory, "MiB",
               *target("<= 200 MiB", memory <= 200), "peak"),
    ]  # fmt: skip


def validate_figures(work: Path, size: int, runs: int) -> list[Figure]:
    repo = make_repo(work / f"validate{size}", size, applied=False)
    schemas = work / "schemas"
    subprocess.run([*CONTENTCTL, "schema", "export", str(schemas)], check=True, capture_output=True)
    rendered = work / "validate-rendered"
    rendered.mkdir()
    text = subprocess.run(
        [*CONTENTCTL, "-C", str(repo), "render"], capture_output=True, text=True, check=True
    ).stdout
    documents = [d for d in text.split("---\n") if d.strip()]
    for i, document in enumerate(documents):  # one file per manifest, as a repository has
        (rendered / f"m{i}.yaml").write_text(document)
    ours = [  # the fair comparison: nothing cached
        "sh",
        "-c",
        f'rm -rf "{repo}/.contentctl" && exec "$@"',
        "validate",
        *CONTENTCTL,
        "-C",
        str(repo),
        "validate",
    ]
    theirs = [
        sys.executable,
        "-m",
        "check_jsonschema",
        "--schemafile",
        str(schemas / "manifest.schema.json"),
        *map(str, sorted(rendered.glob("*.yaml"))),
    ]
    them, us, ratio = paired(theirs, ours, runs)
    return [
        Figure(f"validate, {len(documents)} manifests (no cache)", us, "s", "", None, "pairs"),
        Figure("  check-jsonschema, same manifests", them, "s", "", None, "pairs"),
        Figure(
            "  check-jsonschema / validate",
            ratio,
            "x",
            ">= 2x" if size >= 1000 else "",
            ratio >= 2 if size >= 1000 else None,
            "pairs",
        ),
    ]
