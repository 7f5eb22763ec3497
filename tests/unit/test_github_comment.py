"""The plan comment's GitHub API calls, through httpx.MockTransport and a fake GitHub."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from ghsim.github_api import FakeGitHub

from contentctl import github_comment
from contentctl.cli import cli
from contentctl.errors import ContentctlError
from contentctl.github_api import Target
from contentctl.report.markdown import MARKER

SHA = "a" * 40
TARGET = Target("https://api.github.com", "acme/content", "ghs_token")


def _api(permissions: dict[str, str] | None = None) -> FakeGitHub:
    api = FakeGitHub()
    api.grant("ghs_token", permissions or {"pull-requests": "write"})
    api.open_pull(7, SHA, "launch")
    return api


def _post(api: FakeGitHub, text: str = f"{MARKER}\nplan", **kw: object) -> github_comment.Posted:
    with TARGET.client(httpx.MockTransport(api)) as client:
        return github_comment.post(client, TARGET, 7, SHA, text, **kw)  # type: ignore[arg-type]


def test_the_earlier_comment_is_found_on_a_later_page_and_edited() -> None:
    api = _api()
    for i in range(230):
        api.add_comment(7, f"{MARKER}\nnot ours {i}", "someone")  # the marker alone is not enough
    ours = api.add_comment(7, f"{MARKER}\nold plan", "github-actions[bot]")
    for i in range(20):
        api.add_comment(7, f"comment {i}", "someone")

    posted = _post(api, f"{MARKER}\nnew plan")

    assert posted.action == "updated" and posted.url == ours["html_url"]
    assert ours["body"] == f"{MARKER}\nnew plan"
    pages = [r.query.get("page", "1") for r in api.requests if r.path.endswith("/comments")]
    assert pages == ["1", "2", "3"]
    assert api.requests[-1].method == "PATCH" and len(api.comments) == 251


def test_nothing_is_posted_when_the_pull_request_moved_on() -> None:
    api = _api()
    with TARGET.client(httpx.MockTransport(api)) as client:
        posted = github_comment.post(client, TARGET, 7, "b" * 40, f"{MARKER}\nplan")

    assert posted.action == "skipped" and "moved on" in posted.reason
    assert [r.method for r in api.requests] == ["GET"] and api.comments == []


@pytest.mark.parametrize(
    ("permissions", "token", "number", "hint"),
    [
        ({"pull-requests": "read"}, "ghs_token", 7, "permissions: {pull-requests: write}"),
        ({"pull-requests": "write"}, "wrong", 7, "GITHUB_TOKEN: ${{ github.token }}"),
        ({"pull-requests": "write"}, "ghs_token", 9, "no pull request #9"),
    ],
)
def test_a_refusal_names_what_to_fix(
    permissions: dict[str, str], token: str, number: int, hint: str
) -> None:
    api = _api(permissions)
    target = Target(TARGET.api_url, TARGET.repository, token)
    with target.client(httpx.MockTransport(api)) as client, pytest.raises(ContentctlError) as err:
        github_comment.post(client, target, number, SHA, f"{MARKER}\nplan")
    assert "GitHub's API refused" in str(err.value)
    assert hint in (err.value.hint or "")


def test_the_token_goes_to_no_other_host() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/pulls/7"):
            return httpx.Response(200, json={"head": {"sha": SHA}})
        link = '<https://elsewhere.example/repos/acme/content/issues/7/comments?page=2>; rel="next"'
        return httpx.Response(200, json=[], headers={"Link": link})

    seen: list[str] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        return handler(request)

    with (
        TARGET.client(httpx.MockTransport(recording)) as client,
        pytest.raises(ContentctlError, match=r"outside https://api\.github\.com"),
    ):
        github_comment.post(client, TARGET, 7, SHA, "plan")
    assert set(seen) == {"api.github.com"}

    environ = {"GITHUB_REPOSITORY": "acme/content", "GITHUB_TOKEN": "t"}
    with pytest.raises(ContentctlError, match="is not an https URL"):
        Target.from_environ({**environ, "GITHUB_API_URL": "http://example.com"})
    local = Target.from_environ({**environ, "GITHUB_API_URL": "http://127.0.0.1:9/"})
    assert local.api_url == "http://127.0.0.1:9"
    assert Target.from_environ(environ).api_url == "https://api.github.com"
    with pytest.raises(ContentctlError, match="GITHUB_TOKEN is not set"):
        Target.from_environ({"GITHUB_REPOSITORY": "acme/content"})


def test_the_body_carries_the_marker_and_a_footer_and_fits_a_comment() -> None:
    huge = "line of a forged comment\n" * 10_000
    body = github_comment.body(huge, SHA, "https://github.com/acme/content/actions/runs/1")

    assert len(body) <= github_comment.LIMIT
    assert body.startswith(MARKER + "\nline of a forged comment")
    assert "cut to GitHub's comment size" in body
    assert body.endswith("· [workflow run](https://github.com/acme/content/actions/runs/1)</sub>\n")

    missing = github_comment.body(None, SHA, "javascript:alert(1)")
    assert missing.startswith(MARKER) and "No plan for `aaaaaaaaaaaa`" in missing
    assert "javascript" not in missing  # only an https link is linked


def test_the_command_refuses_a_head_sha_that_is_not_a_commit(tmp_path: Path) -> None:
    (tmp_path / "plan.comment.md").write_text(f"{MARKER}\nplan")
    comment = str(tmp_path / "plan.comment.md")
    result = CliRunner().invoke(
        cli,
        ["github", "comment", comment, "--pr", "7", "--head-sha", "main; curl evil"],
        env={"GITHUB_REPOSITORY": "acme/content", "GITHUB_TOKEN": "t"},
    )
    assert result.exit_code == 1
    assert "--head-sha 'main; curl evil' is not a commit id" in result.stderr
