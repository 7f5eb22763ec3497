"""Synthetic content repositories for benchmarks, with a lockfile as if already applied.

Most resources come from Campaign templates (as real repositories do); the lockfile is built
from the same step hashes the planner computes, so a plan of the repository is a no-op.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from contentctl.config import load_project
from contentctl.kinds import KINDS, steps_for
from contentctl.lockfile.read import read
from contentctl.lockfile.records import StepRecord
from contentctl.lockfile.writer import LockfileWriter
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


def realistic_outputs(step: str, address: str) -> dict[str, object]:
    """What the APIs return for a step, about as large as in a real lockfile (~4 KB per
    resource in all, inputs and times included)."""
    job = str(uuid.uuid4())
    name = address.split("/", 1)[1]
    if step == "captions":
        line = f"{name}: made for the way you actually use it. Tap the link in bio. "
        return {
            "instagram": f"\u2728 {line * 3}#launch #{name[:20]}",
            "linkedin": f"{line * 4}What would you build with it?",
            "x": f"{line[:200]} #launch",
        }
    if step == "images":
        media = f"{job[:23]}-img0"
        return {
            "images": [
                {
                    "height": 1820,
                    "media_id": media,
                    "url": f"https://api.powerpost.example/files/powerpost/{media}.png",
                    "width": 1024,
                }
            ],
            "media_ids": [media],
            "urls_expire": "preview URLs expire 7 days after generation",
        }
    if step == "post":
        types = ("instagram-feed", "linkedin-post", "x-post")
        return {
            "items": [
                {"item_id": f"item-{i:03}", "platform": t.split("-")[0], "post_type": t}
                | {"status": "draft"}
                for i, t in enumerate(types, 1)
            ],
            "post_id": f"post-{job}",
            "status": "draft",
        }
    if step == "render":
        design = f"design_{job.replace('-', '')[:20]}"
        return {
            "design_id": design,
            "editor_url": f"https://postnitro.ai/app/editor/{design}",
            "files": [
                f"https://api.postnitro.example/files/post_{job[:20]}/slide_{i}.png"
                for i in range(3)
            ],
            "name": f"{name} tips",
            "size": "4:5",
            "type": "png",
            "urls_expire": "unknown; download promptly",
        }
    if step == "download":
        return {"files": [f"out/{address}/slide_{i}.png" for i in range(3)]}
    if step == "upload":
        return {"media_id": job, "url": f"https://api.powerpost.example/files/{job}.png"}
    if step == "lookup":
        return {"template_id": 17, "brand_id": 4, "name": "Bold Headlines"}
    return {}


def write_applied_lockfile(root: Path) -> None:
    """Record every step as completed, with the hashes a plan would compute and outputs as
    large as the APIs' (see :func:`realistic_outputs`)."""
    project = load_project(root)
    graph = check_project(project).graph
    writer = LockfileWriter(project.lockfile_path, read(project.lockfile_path))
    resources = dict(writer.current.resources)
    records: dict[str, StepRecord] = {}
    from contentctl.lockfile.records import ResourceRecord

    at = "2026-01-05T09:30:00Z"
    for address in graph.order:
        resource = graph.resources[address]
        steps = {}
        for spec in steps_for(resource, root):
            upstream = {u.key: records[u.key] for u in spec.upstream}
            local = spec.name in ("lookup", "download")
            digest = input_hash(spec, upstream)
            record = StepRecord(
                input_hash=digest,
                status="completed",
                inputs=dict(spec.fields),
                outputs=realistic_outputs(spec.name, address),
                remote_id=None if local else str(uuid.uuid4()),
                credits_used=None if local else (7.0 if spec.paid else 0.0),
                submitted_at=None if local else at,
                completed_at=at,
                request_ref=None if local else f"contentctl:{address}:{digest[7:23]}",
            )
            records[f"{address}#{spec.name}"] = record
            steps[spec.name] = record
        resources[address] = ResourceRecord(
            resource.kind, KINDS[resource.kind].provider, {"file": resource.source_file}, steps
        )
    writer.replace_all(resources)  # one write for the whole synthetic history
