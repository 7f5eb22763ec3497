"""Synthetic content repositories for benchmarks, with a lockfile as if already applied.

Most resources come from Campaign templates (as real repositories do); the lockfile is built
from the same step hashes the planner computes, so a plan of the repository is a no-op.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from contentctl import lockfile
from contentctl.config import load_project
from contentctl.kinds import KINDS, steps_for
from contentctl.lockfile import LockfileWriter, StepRecord
from contentctl.plan.steps import input_hash
from contentctl.validate.manifests import check_project

HERO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e5d4f3b50000000049454e44ae426082"
)

POST_TEMPLATE = """\
apiVersion: contentctl/v1
kind: Post
metadata:
  name: announce
  labels: {product: "{{ product }}", locale: "{{ locale }}"}
spec:
  post_types: [instagram-feed, linkedin-post, x-post]
  captions:
    prompt: "{{ brand }} {{ product | title }} is here, in {{ locale }}: {{ pitch }}"
    research_mode: regular
  images: {prompt: "{{ product }} product photo", size: feed}
"""
CAROUSEL_TEMPLATE = """\
apiVersion: contentctl/v1
kind: Carousel
metadata: {name: tips}
spec:
  template: {name: Bold Headlines}
  brand: {name: Acme}
  response_type: PNG
  slides:
    - {type: starting_slide, heading: "{{ product | title }} tips ({{ locale }})"}
    - {type: body_slide, heading: "{{ pitch }}"}
    - {type: ending_slide, heading: Follow us, cta_button: Follow}
"""


def make_repo(root: Path, resources: int, *, applied: bool = True) -> Path:
    """About ``resources`` resources: 90% from one campaign (posts and carousels), the rest
    plain manifests (posts and media)."""
    (root / "content").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "templates" / "launch").mkdir(parents=True)
    (root / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: bench}\n"
        "spec:\n  vars: {brand: Acme, pitch: small parts and big results}\n"
    )
    (root / "templates" / "launch" / "post.yaml.j2").write_text(POST_TEMPLATE)
    (root / "templates" / "launch" / "carousel.yaml.j2").write_text(CAROUSEL_TEMPLATE)
    instances = max(1, (resources * 9 // 10) // 2)
    locales = ["en", "fr", "de", "es", "it"]
    products = max(1, -(-instances // len(locales)))
    (root / "content" / "launch.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Campaign\nmetadata: {name: launch}\nspec:\n"
        "  template: launch\n  matrix:\n"
        f"    product: [{', '.join(f'p{i}' for i in range(products))}]\n"
        f"    locale: [{', '.join(locales)}]\n"
    )
    made = products * len(locales) * 2
    plain = max(0, resources - made)
    for i in range(plain):
        if i % 2:
            (root / "assets" / f"m{i}.png").write_bytes(HERO)
            body = f"kind: Media\nmetadata: {{name: m{i}}}\nspec: {{file: ../assets/m{i}.png}}\n"
        else:
            body = (
                f"kind: Post\nmetadata: {{name: plain{i}}}\nspec:\n  post_types: [x-post]\n"
                f"  captions: {{text: {{x: Plain post number {i}}}}}\n"
            )
        (root / "content" / f"plain{i}.yaml").write_text("apiVersion: contentctl/v1\n" + body)
    if applied:
        write_applied_lockfile(root)
    return root


def write_applied_lockfile(root: Path) -> None:
    """Record every step as completed, with the hashes a plan would compute."""
    project = load_project(root)
    graph = check_project(project).graph
    writer = LockfileWriter(project.lockfile_path, lockfile.read(project.lockfile_path))
    resources = dict(writer.current.resources)
    records: dict[str, StepRecord] = {}
    from contentctl.lockfile import ResourceRecord

    for address in graph.order:
        resource = graph.resources[address]
        steps = {}
        for spec in steps_for(resource, root):
            upstream = {u.key: records[u.key] for u in spec.upstream}
            outputs: dict[str, object] = (
                {"files": []}
                if spec.name == "download"
                else {"media_ids": [str(uuid.uuid4())]}
                if spec.name == "images"
                else {}
            )
            record = StepRecord(
                input_hash=input_hash(spec, upstream),
                status="completed",
                inputs=dict(spec.fields),
                outputs=outputs,
                remote_id=None if spec.name in ("lookup", "download") else str(uuid.uuid4()),
            )
            records[f"{address}#{spec.name}"] = record
            steps[spec.name] = record
        resources[address] = ResourceRecord(
            resource.kind, KINDS[resource.kind].provider, {"file": resource.source_file}, steps
        )
    writer._save(resources)  # one write for the whole synthetic history
