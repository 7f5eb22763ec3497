"""`init --multi`: a repository of many projects (one per brand, client or PowerPost workspace)
under projects/, sharing a template library in shared/templates."""

from __future__ import annotations

from pathlib import Path

from contentctl.scaffold.multi_workflow import workflow

LIBRARY = """\
{#- The repository's shared templates: every project that lists this folder in
    spec.templates may import them. A change here reaches only the projects whose
    manifests import the changed file. -#}
{% macro announce(brand, news) -%}
Tell {{ brand }}'s followers: {{ news }}. Warm, concrete, no superlatives.
{%- endmacro %}
"""

PROJECT = """\
# One project: one brand, client or PowerPost workspace. In GitHub Actions its apply job
# runs in the GitHub Environment "{id}": put this project's API keys there.
apiVersion: contentctl/v1
kind: Project
metadata:
  name: {name}
spec:
  content: [content]
  templates: [../../shared/templates]   # the repository's template library
  vars:
    brand: {title}
  budget:
    max_credits: 200   # this project's own budget
"""

MANIFEST = """\
{%- import "announce.j2" as say %}
apiVersion: contentctl/v1
kind: Post
metadata:
  name: hello
spec:
  post_types: [linkedin-post, x-post]
  captions:
    prompt: "{{ say.announce(brand, 'what we are working on') }}"
    research_mode: regular
  publish: false   # drafts by default; publishing needs --allow-publish in CI
"""


def files(directory: Path, name: str, distribution: str, version: str) -> dict[Path, str]:
    """What `init --multi` writes (beside the comment workflow and .gitignore): the
    workflow, the shared library, and a first project under projects/NAME."""
    project = directory / "projects" / name
    return {
        directory / ".github" / "workflows" / "contentctl.yml": workflow(distribution, version),
        directory / "shared" / "templates" / "announce.j2": LIBRARY,
        project / "contentctl.yaml": PROJECT.format(
            name=name, title=name.replace("-", " ").title(), id=f"projects-{name}"
        ),
        project / "content" / "hello.yaml.j2": MANIFEST,
    }


def editor_associations(schemas: str) -> dict[str, list[str]]:
    """yaml.schemas for a repository of projects under projects/."""
    return {
        f"./{schemas}/manifest.schema.json": [
            f"projects/*/content/**/*{suffix}" for suffix in (".yaml", ".yml")
        ],
        f"./{schemas}/project.schema.json": ["projects/*/contentctl.yaml"],
    }
