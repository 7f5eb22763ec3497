"""`contentctl github`: what GitHub Actions workflows need besides plan and apply."""

from __future__ import annotations

import re
from pathlib import Path

import click

from contentctl.commands.context import App, pass_app
from contentctl.errors import UsageError

COMMIT = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@click.group()
def github() -> None:
    """For GitHub Actions workflows: the plan's pull request comment, and what needs review
    after a merge.

    \b
    Examples:
      contentctl github comment contentctl-plan/comment.md --pr 7 --head-sha "$HEAD_SHA"
      contentctl github needs-review --commit "$GITHUB_SHA" post/launch
      contentctl github unlabel contentctl:generate --pr 7
    """


@github.command("comment")
@click.argument("comment_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--pr",
    "pull_request",
    type=click.IntRange(min=1),
    required=True,
    help="The pull request to comment on (the plan job writes its number to a file).",
)
@click.option(
    "--head-sha",
    required=True,
    help="The commit the plan is of: the workflow_run event's head_sha. Nothing is posted "
    "unless the pull request's head is still this commit.",
)
@click.option("--run-url", help="The plan's workflow run, linked from the comment.")
@click.option(
    "--preview-url",
    help="Where reviewers find the HTML preview of the content (the run's artifacts).",
)
@click.option(
    "--author",
    default="github-actions[bot]",
    show_default=True,
    help="The account the token comments as: its earlier comment is the one edited.",
)
@pass_app
def comment(
    app: App,
    comment_file: Path,
    pull_request: int,
    head_sha: str,
    run_url: str | None,
    author: str,
    preview_url: str | None,
) -> None:
    """Create or update the one plan comment of a pull request (found by its hidden
    `<!-- contentctl-plan -->` marker), with COMMENT_FILE, the Markdown `contentctl plan`
    wrote. A missing COMMENT_FILE (the plan job failed) says there is no plan.

    For a `workflow_run` workflow, which may comment on pull requests from forks: it reads
    the plan job's artifact as data and never runs the pull request's code. The pull
    request number comes from that artifact, so it is believed only when that pull
    request's head is --head-sha. Uses GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN.

    \b
    Examples:
      contentctl github comment "$RUNNER_TEMP/contentctl-plan/comment.md" \\
        --pr "$(cat "$RUNNER_TEMP/contentctl-plan/pull-request")" \\
        --head-sha "$HEAD_SHA" --run-url "$RUN_URL"
    """
    from contentctl import github_comment
    from contentctl.github_api import Target

    head_sha = head_sha.strip().lower()
    if not COMMIT.match(head_sha):
        raise UsageError(
            f"--head-sha {head_sha[:80]!r} is not a commit id",
            hint="pass ${{ github.event.workflow_run.head_sha }} through the step's env",
        )
    target = Target.from_environ(app.environ)
    markdown = _read(comment_file)
    text = github_comment.body(markdown, head_sha, run_url, preview_url)
    with target.client() as client:
        posted = github_comment.post(client, target, pull_request, head_sha, text, author)
    if posted.action == "skipped":
        click.echo(f"Not commented: {posted.reason}.")
    else:
        click.echo(f"{posted.action.capitalize()} the plan comment: {posted.url}")


@github.command("needs-review")
@click.argument("addresses", nargs=-1)
@click.option(
    "--commit",
    required=True,
    help="The merge commit the apply ran for ($GITHUB_SHA of the push): its pull request "
    "gets the comment.",
)
@click.option("--run-url", help="The apply's workflow run, linked from the comment.")
@pass_app
def needs_review(app: App, addresses: tuple[str, ...], commit: str, run_url: str | None) -> None:
    """Tell the merged pull request which of its content was drafted, not published.

    With `spec.publishing: reviewed`, the apply after a merge does not publish content it
    had to generate itself; its step output `needs_review` names those resources. This
    comments on the pull request merged as --commit, so its author and reviewers know.
    Nothing to say (no ADDRESSES, or no pull request merged as that commit): no comment.
    Uses GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN.

    \b
    Example:
      contentctl github needs-review --commit "$GITHUB_SHA" post/launch
    """
    from contentctl import github_merged
    from contentctl.github_api import Target

    commit = commit.strip().lower()
    if not COMMIT.match(commit):
        raise UsageError(
            f"--commit {commit[:80]!r} is not a commit id", hint="pass $GITHUB_SHA of the push"
        )
    names = sorted({a for a in " ".join(addresses).split() if a})
    if not names:
        click.echo("Nothing needs review.")
        return
    target = Target.from_environ(app.environ)
    text = github_merged.needs_review_body(names, run_url)
    with target.client() as client:
        pulls = github_merged.merged_pull_requests(client, target, commit)
        if not pulls:
            click.echo(f"No pull request was merged as {commit[:12]}: no comment.")
            return
        for number in pulls:
            posted = github_merged.comment_on(client, target, number, text)
            click.echo(f"Commented on pull request #{number}: {posted.url}")


@github.command("unlabel")
@click.argument("label")
@click.option(
    "--pr",
    "pull_request",
    type=click.IntRange(min=1),
    required=True,
    help="The pull request to take the label off.",
)
@pass_app
def unlabel(app: App, label: str, pull_request: int) -> None:
    """Take LABEL off a pull request, so that adding it again is a new request.

    The generate stage runs when a maintainer adds the label contentctl:generate; taking it
    off once done makes the label a button: add it again to generate again. Uses
    GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN.

    \b
    Example:
      contentctl github unlabel contentctl:generate --pr 7
    """
    from contentctl import github_merged
    from contentctl.github_api import Target

    target = Target.from_environ(app.environ)
    with target.client() as client:
        removed = github_merged.remove_label(client, target, pull_request, label)
    if removed:
        click.echo(f"Took the label {label} off pull request #{pull_request}.")
    else:
        click.echo(f"Pull request #{pull_request} does not have the label {label}.")


def _read(path: Path) -> str | None:
    """The comment's Markdown, or None when the plan job wrote none. An artifact may be
    anything: only what could be a comment is read."""
    from contentctl.github_comment import LIMIT

    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.read(LIMIT + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
