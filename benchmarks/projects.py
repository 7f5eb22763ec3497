"""Many projects in one repository: N brand projects of R resources each, sharing one template
library. Half the projects import one shared macro file, half another.

Measured, each a fresh process, side by side:
- `contentctl projects --changed-since HEAD` after touching one shared macro: it must name
  exactly the projects whose render loads it (checked, not timed), in under a second;
- planning every project in one process (`contentctl projects plan`) against a matrix of
  processes (`contentctl -C PROJECT plan` once per project, as the matrix's plan jobs run it).
Caches are cleared before every run: a CI checkout starts without them.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

CONTENTCTL = [sys.executable, "-m", "contentctl"]
LOCALES = ["en", "fr", "de", "es", "it"]

LIBRARY = {
    "launch.j2": (
        "{%- from 'tags.j2' import tags %}\n"
        "{% macro prompt(brand, product, locale) -%}\n"
        "Announce {{ brand }}'s {{ product }} in {{ locale }}: warm, concrete. "
        "{{ tags(brand, product) }}\n"
        "{%- endmacro %}\n"
    ),
    "digest.j2": (
        "{% macro prompt(brand, product, locale) -%}\n"
        "Weekly digest of {{ brand }} ({{ locale }}): this week, {{ product }}.\n"
        "{%- endmacro %}\n"
    ),
    "tags.j2": (
        "{% macro tags(brand, product) -%}\n"
        "#{{ brand | replace(' ', '') }} #{{ product }}\n"
        "{%- endmacro %}\n"
    ),
    "slides.j2": (
        "{% macro slides(title) -%}\n"
        '- {type: starting_slide, heading: "{{ title }}"}\n'
        '- {type: body_slide, heading: "Why {{ title }}"}\n'
        "- {type: ending_slide, heading: Follow us, cta_button: Follow}\n"
        "{%- endmacro %}\n"
    ),
}
POST = """\
{%- import "MACRO" as copy %}
apiVersion: contentctl/v1
kind: Post
metadata: {name: announce}
spec:
  post_types: [linkedin-post, x-post]
  captions:
    prompt: "{{ copy.prompt(brand, product, locale) }}"
    research_mode: regular
"""
CAROUSEL = """\
{%- import "slides.j2" as deck %}
apiVersion: contentctl/v1
kind: Carousel
metadata: {name: tips}
spec:
  template: {name: Bold Headlines}
  brand: {name: "{{ brand }}"}
  response_type: PNG
  slides:
    {{ deck.slides(product ~ ' tips') | indent(4) }}
"""


def make_repository(root: Path, projects: int, resources: int) -> tuple[Path, list[str]]:
    """The repository (a git checkout, committed) and the projects that import launch.j2."""
    library = root / "shared" / "templates"
    library.mkdir(parents=True)
    for name, text in LIBRARY.items():
        (library / name).write_text(text)
    launching: list[str] = []
    instances = max(1, resources // 2)
    products = max(1, -(-instances // len(LOCALES)))
    for index in range(projects):
        path = f"brands/b{index:02d}"
        folder = root / path
        macro = "launch.j2" if index % 2 == 0 else "digest.j2"
        if macro == "launch.j2":
            launching.append(path)
        (folder / "templates" / "launch").mkdir(parents=True)
        (folder / "content").mkdir()
        (folder / "contentctl.yaml").write_text(
            "apiVersion: contentctl/v1\nkind: Project\n"
            f"metadata: {{name: b{index:02d}}}\nspec:\n"
            f"  templates: [../../shared/templates]\n  vars: {{brand: Brand {index}}}\n"
        )
        (folder / "templates" / "launch" / "post.yaml.j2").write_text(POST.replace("MACRO", macro))
        (folder / "templates" / "launch" / "carousel.yaml.j2").write_text(CAROUSEL)
        (folder / "content" / "launch.yaml").write_text(
            "apiVersion: contentctl/v1\nkind: Campaign\nmetadata: {name: launch}\nspec:\n"
            "  template: launch\n  matrix:\n"
            f"    product: [{', '.join(f'p{i}' for i in range(products))}]\n"
            f"    locale: [{', '.join(LOCALES)}]\n"
        )
    (root / ".gitignore").write_text(".contentctl/\nout/\n")
    for command in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "Brands"],
    ):
        subprocess.run(["git", *command], cwd=root, check=True, capture_output=True)
    return root, launching


def _clear_caches(root: Path) -> None:
    for state in root.glob("brands/*/.contentctl"):
        shutil.rmtree(state)


def _timed(command: list[str], root: Path) -> tuple[float, str]:
    _clear_caches(root)
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=root, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(command[2:])} failed: {done.stderr[-400:]}")
    return elapsed, done.stdout


Row = tuple[str, float, str, str, "bool | None"]


def figures(work: Path, projects: int, resources: int, runs: int) -> list[Row]:
    """(name, value, unit, target, ok) rows for the benchmark table."""
    root, launching = make_repository(work / "many-projects", projects, resources)
    macro = root / "shared" / "templates" / "tags.j2"  # reached through launch.j2
    macro.write_text(macro.read_text().replace("#{{ product }}", "#{{ product | upper }}"))
    listed: list[float] = []
    named: list[str] = []
    for _ in range(runs):
        seconds, out = _timed([*CONTENTCTL, "projects", "--changed-since", "HEAD"], root)
        listed.append(seconds)
        named = [line.split()[0] for line in out.splitlines() if line.strip()]
    exact = named == launching
    one, _ = _timed([*CONTENTCTL, "projects", "plan"], root)
    per_project = [
        _timed([*CONTENTCTL, "-C", f"brands/b{i:02d}", "plan"], root)[0] for i in range(projects)
    ]
    matrix = sum(per_project)
    tag = f"{projects}×{resources}"
    return [
        (
            f"projects --changed-since, {tag}, 1 macro",
            statistics.median(listed),
            "s",
            "< 1 s",
            statistics.median(listed) < 1.0,
        ),
        (
            f"  named exactly the {len(launching)} projects it reaches",
            float(exact),
            "yes=1",
            "1",
            exact,
        ),
        (f"plan every project, one process, {tag}", one, "s", "", None),
        (f"plan every project, matrix of {projects} processes (sum)", matrix, "s", "", None),
        ("  longest plan job of the matrix", max(per_project), "s", "", None),
        ("  matrix (sum) / one process", matrix / one, "ratio", "", None),
    ]
