"""The preview, tested as a person would use it: opened in a real browser, looked at."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, Project
from PIL import Image

ARTIFACTS = ROOT / ".artifacts"  # CI keeps this folder as an artifact


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it when it can)")
    return found


def _browser(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_preview_is_self_contained_and_escapes_text(applied: Project) -> None:
    applied.write(
        "content/literal.yaml",
        "apiVersion: contentctl/v1\nkind: Post\n"
        "metadata: {name: literal}\nspec:\n  post_types: [x-post]\n"
        '  captions: {text: {x: "<script>alert(1)</script> & more"}}\n'
        "---\napiVersion: contentctl/v1\nkind: Post\nmetadata: {name: later}\nspec:\n"
        "  post_types: [linkedin-post]\n  captions: {prompt: Something we generate later}\n",
    )
    result = applied.run("preview")

    assert result.exit_code == 0, result.output
    page = (applied.root / "out" / "preview" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "<script>" not in page
    assert "src='http" not in page and 'src="http' not in page
    assert "default-src 'none'" in page  # the page may not fetch anything
    assert page.count("src='data:image/png;base64,") == 5 + 3  # 5 slides, 1 image x 3 cards
    assert page.count("generated on apply") == 1  # the new generated post, not yet applied


def test_the_quickstart_preview_shows_captions_and_images_in_a_browser(
    applied: Project, tmp_path: Path
) -> None:
    chromium = _chromium()
    assert applied.run("preview").exit_code == 0
    page = (applied.root / "out" / "preview" / "index.html").as_uri()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "preview.png"
    shot.unlink(missing_ok=True)

    dom = _browser(chromium, tmp_path / "dom", "--dump-dom", page)
    shooting = _browser(
        chromium, tmp_path / "shot", "--window-size=1280,1500", f"--screenshot={shot}", page
    )

    assert "We just launched dark mode for our app" in dom.stdout, dom.stderr[-500:]
    assert dom.stdout.count("<img") == 8
    assert shot.is_file(), shooting.stderr[-500:]
    with Image.open(shot) as image:
        pixels = image.convert("RGB")
        width, height = pixels.size
        colors = pixels.getcolors(maxcolors=width * height) or []
    assert (width, height) == (1280, 1500)
    # The slides' yellow accent bar and their dark background are on screen: images rendered.
    yellow = sum(n for n, (r, g, b) in colors if r > 230 and 160 < g < 200 and b < 40)
    dark = sum(n for n, (r, g, b) in colors if (r, g, b) == (16, 24, 40))
    assert yellow > 500 and dark > 50_000, (yellow, dark)
    # Text was drawn (many shades of anti-aliased glyphs), not an empty page.
    assert len(colors) > 200


def test_a_preview_without_the_sandbox_names_the_images_it_cannot_show(applied: Project) -> None:
    lock = json.loads(applied.lockfile.read_text())
    images = lock["resources"]["post/dark-mode-launch"]["steps"]["images"]["outputs"]
    media_id = images["media_ids"][0]

    result = applied.run("preview", sandbox=False)

    assert result.exit_code == 0, result.output
    page = (applied.root / "out" / "preview" / "index.html").read_text()
    assert page.count(f"image {media_id}: the lockfile records sandbox images") == 3  # per card
    assert "run `contentctl --sandbox preview`" in result.stderr
    assert result.stderr.startswith("warning: 1 generated image not in the page")
