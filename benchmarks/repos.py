"""Synthetic content repositories for benchmarks: one manifest per file, every one distinct."""

from __future__ import annotations

from pathlib import Path

HERO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e5d4f3b50000000049454e44ae426082"
)


def make_repo(root: Path, resources: int) -> Path:
    """A project of ``resources`` manifests: posts, carousels and media in turn."""
    (root / "content").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: bench}\n"
    )
    for i in range(resources):
        kind = ("post", "carousel", "media")[i % 3]
        if kind == "media":
            (root / "assets" / f"m{i}.png").write_bytes(HERO)
            body = f"kind: Media\nmetadata: {{name: m{i}}}\nspec: {{file: ../assets/m{i}.png}}\n"
        elif kind == "post":
            body = (
                f"kind: Post\nmetadata: {{name: p{i}, labels: {{batch: b{i % 10}}}}}\n"
                "spec:\n  post_types: [instagram-feed, linkedin-post, x-post]\n"
                f"  captions: {{prompt: Announcement {i} for our customers, "
                "research_mode: regular}\n"
                f"  images: {{prompt: Illustration {i}, size: feed, quantity: 1}}\n"
            )
        else:
            body = (
                f"kind: Carousel\nmetadata: {{name: c{i}}}\nspec:\n"
                "  template: {name: Bold Headlines}\n  brand: {name: Acme}\n"
                "  response_type: PNG\n  slides:\n"
                f"    - {{type: starting_slide, heading: Deck {i}}}\n"
                f"    - {{type: body_slide, heading: Point {i}, description: Why it "
                "matters}\n"
                f"    - {{type: ending_slide, heading: End {i}, cta_button: Follow}}\n"
            )
        (root / "content" / f"{kind}{i}.yaml").write_text("apiVersion: contentctl/v1\n" + body)
    return root
