"""Hostile input: manifests and templates come from pull requests, maybe from forks. Each
attempt is refused with a clear message, and nothing escapes the project."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import FIXTURES, Project, copy_example

from contentctl.errors import ApiError
from contentctl.load import limits
from contentctl.providers.downloads import Downloads

POST_J2 = """\
apiVersion: contentctl/v1
kind: Post
metadata: {{name: p}}
spec:
  post_types: [x-post]
  captions: {{text: {{x: "{expression}"}}}}
"""


@pytest.fixture
def empty(tmp_path: Path) -> Project:
    (tmp_path / "content").mkdir()
    (tmp_path / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: hostile}\n"
    )
    return Project(tmp_path, {"CONTENTCTL_SANDBOX_LATENCY": "0"})


@pytest.mark.parametrize(
    ("expression", "refused"),
    [
        ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe"),
        ("{{ cycler.__init__.__globals__ }}", "access to attribute '__init__'"),
        ("{{ self._TemplateReference__context }}", "'_TemplateReference__context'"),
        ("{{ lipsum.__globals__ }}", "access to attribute '__globals__' of 'function'"),
        ("{{ namespace.__init__.__globals__.os }}", "access to attribute '__init__'"),
    ],
)
def test_sandbox_escapes_are_refused(empty: Project, expression: str, refused: str) -> None:
    empty.write("content/p.yaml.j2", POST_J2.format(expression=expression))

    result = empty.run("validate", sandbox=False)

    assert result.exit_code == 1
    assert (
        "content/p.yaml.j2:6:1: error: template tried something unsafe, which is "
        "refused" in result.stderr
    )
    assert refused in result.stderr
    assert "Traceback" not in result.output


def test_templates_see_no_environment(empty: Project) -> None:
    empty.write("content/p.yaml.j2", POST_J2.format(expression="{{ environ }}"))
    result = empty.run("validate", sandbox=False, env={"POWERPOST_API_KEY": "pp_live_sk_x"})
    assert result.exit_code == 1 and "'environ' is undefined" in result.stderr


def test_a_template_that_multiplies_output_is_stopped(empty: Project) -> None:
    bomb = (
        "{% for a in range(100000) %}{% for b in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}"
    )
    empty.write("content/p.yaml.j2", POST_J2.format(expression=bomb))
    started = time.monotonic()

    result = empty.run("validate", sandbox=False)

    assert result.exit_code == 1
    assert "template output is larger than 2,000,000 characters" in result.stderr
    assert time.monotonic() - started < 10


def test_a_template_that_loops_silently_is_stopped(
    empty: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_RENDER_SECONDS", 0.5)
    spin = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    empty.write("content/p.yaml.j2", POST_J2.format(expression=spin))

    result = empty.run("validate", sandbox=False)

    assert result.exit_code == 1
    assert "template took longer than 0.5 seconds to render" in result.stderr


def test_a_billion_laughs_fails_fast(empty: Project) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        previous, current = chr(96 + i), chr(97 + i)
        lines.append(f"{current}: &{current} [" + ",".join([f"*{previous}"] * 9) + "]")
    empty.write("content/laughs.yaml", "\n".join(lines) + "\n")
    started = time.monotonic()

    result = empty.run("validate", sandbox=False)

    assert result.exit_code == 1
    assert "document expands to more than 200000 values" in result.stderr
    assert "alias bomb" in result.stderr
    assert time.monotonic() - started < 5


def test_python_tags_are_refused(empty: Project) -> None:
    case = FIXTURES / "invalid" / "python-tag" / "content" / "post.yaml"
    empty.write("content/post.yaml", case.read_text())
    result = empty.run("validate", sandbox=False)
    assert result.exit_code == 1 and "unsupported YAML tag" in result.stderr


def test_media_that_leaves_the_project_is_refused(empty: Project, tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-secret.png"
    outside.write_bytes(
        (FIXTURES.parent.parent / "examples" / "quickstart" / "assets" / "hero.png").read_bytes()
    )
    os.symlink(outside, empty.root / "content" / "linked.png")
    empty.write(
        "content/media.yaml",
        "apiVersion: contentctl/v1\nkind: Media\nmetadata: {name: a}\n"
        "spec: {file: linked.png}\n---\n"
        "apiVersion: contentctl/v1\nkind: Media\nmetadata: {name: b}\n"
        f"spec: {{file: ../../{outside.name}}}\n",
    )

    result = empty.run("validate", sandbox=False)

    assert result.exit_code == 1
    assert result.stderr.count("is outside the project") == 2


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1/admin",
        "https://10.0.0.5/internal",
        "https://[::1]/",
        "https://localhost:8443/",
        "https://2130706433/",
        "https://intranet.corp/page",
        "http://example.com/article",
    ],
)
def test_urls_the_apis_would_fetch_must_be_public_https(empty: Project, url: str) -> None:
    empty.write(
        "content/post.yaml",
        f"""\
apiVersion: contentctl/v1
kind: Post
metadata: {{name: p}}
spec:
  post_types: [x-post]
  captions: {{prompt: Read our news}}
---
apiVersion: contentctl/v1
kind: Carousel
metadata: {{name: c}}
spec:
  template_id: t
  brand_id: b
  generate: {{type: article, context: "{url}", preset_id: p1}}
""",
    )
    result = empty.run("validate", sandbox=False)

    assert result.exit_code == 1
    assert f"content/post.yaml:14:38: error: '{url}' " in result.stderr
    assert "only public https URLs" in result.stderr


def _download(handler: httpx.MockTransport, **limits: Any) -> tuple[bytes, str]:
    async def run() -> tuple[bytes, str]:
        async with httpx.AsyncClient(transport=handler) as client:
            return await Downloads(client, **limits).fetch("https://storage.example/slide.png")

    return asyncio.run(run())


def test_a_one_gigabyte_download_claim_is_refused_before_reading() -> None:
    served: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        served.append(1)
        return httpx.Response(
            200,
            headers={"content-type": "image/png", "content-length": str(10**9)},
            content=b"\x89PNG",
        )

    with pytest.raises(ApiError, match="1000000000 bytes; the limit is"):
        _download(httpx.MockTransport(handler))


def test_a_download_that_grows_past_the_limit_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import contentctl.providers.downloads as downloads

    monkeypatch.setattr(downloads, "MAX_BYTES", 1000)

    def handler(request: httpx.Request) -> httpx.Response:
        stream = httpx.ByteStream(b"\x89PNG" + b"\0" * 5000)
        return httpx.Response(200, headers={"content-type": "image/png"}, stream=stream)

    with pytest.raises(ApiError, match="exceeds 1000 bytes"):
        _download(httpx.MockTransport(handler))


def test_a_download_of_the_wrong_type_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<html>")

    with pytest.raises(ApiError, match="is text/html, not an image or PDF"):
        _download(httpx.MockTransport(handler))


def test_outputs_say_their_urls_expire(applied: Project) -> None:
    import json

    steps = json.loads(applied.lockfile.read_text())["resources"]
    assert steps["carousel/dark-mode-tips"]["steps"]["render"]["outputs"]["urls_expire"]
    assert steps["post/dark-mode-launch"]["steps"]["images"]["outputs"]["urls_expire"]


def test_a_dripping_storage_host_fails_its_download_and_the_rest_finishes(
    quickstart: Project, tmp_path: Path
) -> None:
    """A byte every 3 s (the sandbox served over HTTP streams its files): the download
    stops at the minimum rate (10 KB/s over 10 s), one line says so, and the post, which
    does not depend on the carousel, is created."""
    from ghsim.served import ServedSandbox

    with ServedSandbox(tmp_path / "api", latency=0, faults="slow_files=3") as api:
        started = time.monotonic()
        result = quickstart.run("apply", "--auto-approve", sandbox=False, env=api.environ())
        assert time.monotonic() - started < 60
    assert result.exit_code == 1
    assert "failed: carousel/dark-mode-tips download: postnitro: download of" in result.stdout
    assert "came slower than 10 KB/s" in result.stdout
    assert "Traceback" not in result.output
    lock = json.loads(quickstart.lockfile.read_text())["resources"]
    assert lock["post/dark-mode-launch"]["steps"]["post"]["status"] == "completed"
    assert lock["carousel/dark-mode-tips"]["steps"]["render"]["status"] == "completed"
    assert lock["carousel/dark-mode-tips"]["steps"]["download"]["status"] == "failed"

    port = api.port
    with ServedSandbox(tmp_path / "api", latency=0, port=port) as api:  # the host recovered
        again = quickstart.run("apply", "--auto-approve", sandbox=False, env=api.environ())
        renders = [r for r in api.requests() if r.get("route") == "/post/initiate/import"]
    assert again.exit_code == 0, again.output
    assert len(renders) == 1  # only the download ran again


def test_a_cache_file_committed_by_a_pull_request_declares_nothing_valid(
    tmp_path: Path,
) -> None:
    """.contentctl/ is ignored, but a pull request can still commit a file there: a cache
    that says a hostile document is valid must not skip its schema check."""
    import hashlib

    from contentctl.validate.cache import _fingerprint

    project = Project(copy_example("quickstart", tmp_path / "quickstart"), {})
    hostile = {
        "apiVersion": "contentctl/v1",
        "kind": "Media",
        "metadata": {"name": "hero\n"},  # two resources print as media/hero
        "spec": {"file": "../assets/hero.png"},
    }
    project.write("content/hostile.yaml", json.dumps(hostile))
    text = json.dumps(hostile, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    forged = hashlib.sha256(f"media.schema.json\0{text}".encode()).hexdigest()[:32]
    project.write(
        ".contentctl/cache/valid-manifests.json",
        json.dumps({"fingerprint": _fingerprint(), "valid": [forged]}),
    )

    result = project.run("validate")

    assert result.exit_code == 1, result.output
    assert "content/hostile.yaml" in result.stderr and "metadata.name" in result.stderr


def _forge_documents(project: Project, key: bytes) -> None:
    """This user's cache of documents, its entry for launch.yaml made to say the manifest
    as it was is the manifest as it is, and hostile.yaml given a harmless document."""
    from contentctl.config import load_project
    from contentctl.load import signed
    from contentctl.load.documents import DocumentStore
    from contentctl.load.inputs import text_digest
    from contentctl.load.variables import resolve

    found = load_project(project.root)
    store = DocumentStore(found, resolve(found)[0])
    entries = dict(store.entries)
    launch = (project.root / "content" / "launch.yaml").read_text(encoding="utf-8")
    entries["file:content/launch.yaml"] = {
        **entries["file:content/launch.yaml"],
        "text": text_digest(launch),
    }
    hostile = (project.root / "content" / "hostile.yaml").read_text(encoding="utf-8")
    harmless = {
        "apiVersion": "contentctl/v1",
        "kind": "Media",
        "metadata": {"name": "fine"},
        "spec": {"file": "../assets/hero.png"},
    }
    document = ["content/hostile.yaml", 0, harmless, ["content/hostile.yaml"], False, []]
    entries["file:content/hostile.yaml"] = {
        "text": text_digest(hostile),
        "deps": {},
        "key": "forged",
        "docs": [[*document, None, None, None]],
    }
    signed.write(store.path, key, store.purpose, entries)


def _forge_lockfile_digest(project: Project, key: bytes, before: dict[Path, bytes]) -> None:
    """This user's caches as they were (``before``), the digest of the lockfile made to say
    it is the lockfile as it is now."""
    from contentctl.load import signed
    from contentctl.load.inputs import digest_of
    from contentctl.lockfile.read import fingerprint
    from contentctl.plan import lock_digest

    for path, data in before.items():
        path.write_bytes(data)
    path = project.root / ".contentctl" / "cache" / lock_digest.STORE
    purpose = digest_of("lockfile", signed.code_fingerprint(), str(project.lockfile))
    mine = signed.signing_key()
    assert mine is not None
    rows = signed.read_rows(path, mine, purpose)
    assert rows is not None
    head = json.loads(rows[lock_digest.HEAD])
    head["source"] = fingerprint(project.lockfile)
    signed.write_rows(path, key, purpose, {**rows, lock_digest.HEAD: json.dumps(head)})


@pytest.mark.parametrize("forged", ["documents", "lockfile digest"])
def test_caches_a_pull_request_commits_are_not_believed(
    applied: Project, tmp_path: Path, forged: str
) -> None:
    """Every cache in .contentctl/cache (documents, checks, no-op verdicts, the lockfile's
    digest) is signed with this user's key: a cache a pull request commits, made to say
    its changes are not there, is signed with another key and read as no cache. Signed with
    this user's key, the same forgery would have been believed."""
    from contentctl.load import signed

    assert applied.run("plan").exit_code == 0  # this user's caches, of the applied project
    caches = applied.root / ".contentctl" / "cache"
    before = {path: path.read_bytes() for path in caches.iterdir()}
    if forged == "documents":
        applied.edit("content/launch.yaml", "We just launched", "We finally launched")
        applied.write(
            "content/hostile.yaml",
            "apiVersion: contentctl/v1\nkind: Media\nmetadata: {name: 'hero\\n'}\n"
            "spec: {file: ../assets/hero.png}\n",
        )
    else:
        lock = json.loads(applied.lockfile.read_text())
        lock["resources"]["media/hero"]["steps"]["upload"]["status"] = "failed"
        applied.lockfile.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n")
    blocked = tmp_path / "no-key"
    blocked.write_text("")
    truth = applied.run("plan", env={"CONTENTCTL_CACHE_KEY": str(blocked / "k")})
    mine = signed.signing_key()
    assert mine is not None

    def forge(key: bytes) -> None:
        if forged == "documents":
            _forge_documents(applied, key)
        else:
            _forge_lockfile_digest(applied, key, before)

    forge(bytes(reversed(mine)))  # another user's key
    theirs = applied.run("plan")
    forge(mine)  # what the signature stops: this user's own key
    believed = applied.run("plan")

    assert (theirs.exit_code, theirs.stdout, theirs.stderr) == (
        truth.exit_code,
        truth.stdout,
        truth.stderr,
    )
    assert (believed.exit_code, believed.stdout) != (truth.exit_code, truth.stdout)
