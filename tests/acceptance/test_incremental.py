"""Only the changed API calls: a change re-runs its step and what depends on it, nothing else."""

from __future__ import annotations

import json

from helpers import Project, planned_steps

POST = "content/launch.yaml"


def _step_lines(output: str, address: str) -> list[str]:
    """The step names the plan lists under ``address`` (from `plan --diff`)."""
    return planned_steps(output)[address]


def test_changing_image_size_regenerates_images_and_post_only(applied: Project) -> None:
    applied.edit(
        POST, "images: {size: portrait, quantity: 1}", "images: {size: square, quantity: 1}"
    )

    plan = applied.run("plan", "--detailed-exitcode", "--diff")

    assert plan.exit_code == 2, plan.output
    assert _step_lines(plan.stdout, "post/dark-mode-launch") == ["images", "post"]
    assert "changed: images.size" in plan.stdout
    assert "media/hero" not in plan.stdout and "carousel/" not in plan.stdout
    assert "Plan: 0 to create, 1 to update, 0 to forget. Estimated cost: 5 credits." in plan.stdout

    since = len(applied.requests())
    result = applied.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert len(applied.calls("POST", "/images/generate", since)) == 1
    assert len(applied.calls("POST", "/posts", since)) == 1
    assert applied.calls("POST", "/content/generate", since) == []
    assert applied.calls("POST", "/media/upload", since) == []
    assert applied.calls("POST", "/post/initiate/import", since) == []
    body = applied.calls("POST", "/images/generate", since)[0]["body"]
    assert body["size"] == "square"
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0


PUBLISHED_POST = """\
apiVersion: contentctl/v1
kind: Post
metadata: {name: announce}
spec:
  post_types: [instagram-feed, linkedin-post]
  captions: {prompt: Our spring collection is here}
  images: {size: portrait}
  publish: true
"""


def test_image_change_on_a_published_post_is_refused_unless_republishing(applied: Project) -> None:
    applied.write("content/announce.yaml", PUBLISHED_POST)
    gated = applied.run("apply", "--auto-approve")
    assert gated.exit_code == 1
    assert "the plan publishes post/announce, and publishing cannot be undone" in gated.stderr
    assert "Publishing (irreversible):\n  ! post/announce" in gated.stdout
    assert len(applied.calls("POST", "/content/generate")) == 1  # only the quickstart's
    first = applied.run("apply", "--auto-approve", "--allow-publish")
    assert first.exit_code == 0, first.output
    lock = json.loads(applied.lockfile.read_text())
    assert (
        lock["resources"]["post/announce"]["steps"]["publish"]["outputs"]["status"] == "published"
    )

    applied.edit("content/announce.yaml", "size: portrait", "size: landscape")
    refused = applied.run("apply", "--auto-approve")
    assert refused.exit_code == 1
    assert "published" in refused.stdout + refused.stderr

    since = len(applied.requests())
    plan = applied.run("plan", "--allow-republish", "--diff")
    assert _step_lines(plan.stdout, "post/announce") == ["images", "post", "publish"]
    result = applied.run("apply", "--auto-approve", "--allow-republish", "--allow-publish")

    assert result.exit_code == 0, result.output
    assert len(applied.calls("POST", "/images/generate", since)) == 1
    assert len(applied.calls("POST", "/posts", since)) == 1
    assert len(applied.calls("POST", "/posts/{post_id}/publish", since)) == 1
    assert applied.calls("POST", "/content/generate", since) == []


SECOND_CAROUSEL = """\
apiVersion: contentctl/v1
kind: Carousel
metadata: {name: night-shift}
spec:
  template: {name: Minimal Light}
  brand: {name: Acme}
  response_type: PDF
  slides:
    - {type: starting_slide, heading: Working the night shift?}
    - {type: body_slide, heading: Dim everything}
    - {type: ending_slide, heading: Sleep well}
"""


def test_changing_one_slide_re_renders_only_that_carousel(applied: Project) -> None:
    applied.write("content/night.yaml", SECOND_CAROUSEL)
    assert applied.run("apply", "--auto-approve").exit_code == 0
    assert (applied.root / "out" / "night-shift" / "night-shift.pdf").read_bytes()[:4] == b"%PDF"
    lock_before = json.loads(applied.lockfile.read_text())

    applied.edit("content/night.yaml", "Dim everything", "Dim every screen")
    plan = applied.run("plan", "--diff")
    assert _step_lines(plan.stdout, "carousel/night-shift") == ["render", "download"]
    assert "carousel/dark-mode-tips" not in plan.stdout
    assert "post/" not in plan.stdout

    since = len(applied.requests())
    result = applied.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    renders = applied.calls("POST", "/post/initiate/import", since)
    assert len(renders) == 1
    assert renders[0]["body"]["slides"][1]["heading"] == "Dim every screen"
    assert applied.calls("POST", "/content/generate", since) == []
    assert applied.calls("GET", "/template", since) == []  # the lookup did not change
    lock_after = json.loads(applied.lockfile.read_text())
    for untouched in ("carousel/dark-mode-tips", "post/dark-mode-launch", "media/hero"):
        assert lock_after["resources"][untouched] == lock_before["resources"][untouched]


def test_touching_a_media_file_reuploads_and_regenerates_what_looks_at_it(applied: Project) -> None:
    hero = applied.root / "assets" / "hero.png"
    hero.write_bytes(hero.read_bytes() + b"\0")  # same picture, different bytes

    plan = applied.run("plan", "--diff")
    assert _step_lines(plan.stdout, "media/hero") == ["upload"]
    assert _step_lines(plan.stdout, "post/dark-mode-launch") == ["captions", "images", "post"]
    assert "carousel/" not in plan.stdout


def test_missing_artifacts_are_no_change_and_pull_fetches_them_for_free(
    applied: Project,
) -> None:
    for slide in (applied.root / "out" / "dark-mode-tips").glob("*.png"):
        slide.unlink()
    lock = applied.lockfile.read_bytes()

    plan = applied.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output  # local copies, not remote state
    assert "No changes" in plan.stdout
    assert "`contentctl pull` fetches them" in plan.stdout

    since = len(applied.requests())
    pulled = applied.run("pull")
    assert pulled.exit_code == 0, pulled.output
    assert "Pulled 5 file(s)." in pulled.stdout
    assert [r for r in applied.requests()[since:] if r["method"] != "GET"] == []
    assert len(list((applied.root / "out" / "dark-mode-tips").glob("*.png"))) == 5
    assert applied.lockfile.read_bytes() == lock
    assert "Nothing to pull" in applied.run("pull").stdout


def test_pull_keeps_only_the_recorded_bytes_at_the_recorded_place(applied: Project) -> None:
    data = json.loads(applied.lockfile.read_text())
    files = data["resources"]["carousel/dark-mode-tips"]["steps"]["download"]["outputs"]["files"]
    files[0]["path"] = "../outside.png"  # a lockfile edited to write outside out/
    files[1]["sha256"] = "0" * 64  # and one whose recorded bytes are not the remote's
    applied.lockfile.write_text(json.dumps(data))
    for slide in (applied.root / "out" / "dark-mode-tips").glob("*.png"):
        slide.unlink()

    pulled = applied.run("pull", "carousel/dark-mode-tips")

    assert pulled.exit_code == 1
    assert "not a file in out/" in pulled.stdout
    assert "the remote file is not the one recorded" in pulled.stdout
    assert not (applied.root.parent / "outside.png").exists()
    assert len(list((applied.root / "out" / "dark-mode-tips").glob("*.png"))) == 3


def test_removed_manifest_is_forgotten_with_a_warning(applied: Project) -> None:
    (applied.root / "content" / "tips.yaml.j2").unlink()

    plan = applied.run("plan", "--diff")
    assert "- carousel/dark-mode-tips" in plan.stdout
    assert "the remote object stays" in plan.stdout

    result = applied.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "carousel/dark-mode-tips" not in json.loads(applied.lockfile.read_text())["resources"]


def test_a_lookup_that_finds_the_same_ids_renders_nothing_again(applied: Project) -> None:
    """The plan cannot know what a lookup will find; apply keeps what it finds unchanged."""
    applied.edit("content/tips.yaml.j2", "brand: {name: Acme}", "brand_id: brand_acme")

    plan = applied.run("plan", "--diff")
    assert "lookup" in plan.stdout and "render" in plan.stdout  # not knowable before apply

    since = len(applied.requests())
    result = applied.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "carousel/dark-mode-tips render: kept: inputs came back unchanged" in result.stdout
    assert applied.calls("POST", "/post/initiate/import", since) == []
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0
