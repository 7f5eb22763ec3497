"""The workflow that posts a pull request's plan as one comment: its own, run on workflow_run,
because the plan job of a fork's pull request may not write to it. It reads the plan's
artifact as data and checks out nothing."""

from __future__ import annotations

COMMENT_WORKFLOW = """\
name: contentctl comment

# Posts each pull request's plan as one comment, kept up to date. Its own workflow because
# the plan job of a pull request from a fork may not write to pull requests; this one runs
# in this repository's context once the plan is done, and reads the plan's artifact as data.
on:
  workflow_run:
    workflows: [contentctl]
    types: [completed]

permissions: {{}}

jobs:
  comment:
    if: github.event.workflow_run.event == 'pull_request'
    runs-on: ubuntu-latest
    # One at a time per branch; the pull request's newest commit gets the last word.
    concurrency:
      group: >-
        contentctl-comment-${{{{ github.event.workflow_run.head_repository.full_name }}}}-${{{{
        github.event.workflow_run.head_branch }}}}
    permissions:
      actions: read          # the plan run's artifact
      pull-requests: write   # create or edit the comment
    steps:
      # No actions/checkout: nothing from the pull request runs here. Its artifact is read
      # by the released contentctl, which believes its pull request number only if that
      # pull request's head is the commit the plan run was triggered for.
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "{distribution}=={version}"
      - uses: actions/download-artifact@v4
        with:
          name: contentctl-plan
          path: ${{{{ runner.temp }}}}/contentctl-plan
          run-id: ${{{{ github.event.workflow_run.id }}}}
          github-token: ${{{{ github.token }}}}
      - name: Post or update the plan comment
        env:
          GITHUB_TOKEN: ${{{{ github.token }}}}
          HEAD_SHA: ${{{{ github.event.workflow_run.head_sha }}}}
          RUN_URL: ${{{{ github.event.workflow_run.html_url }}}}
        run: >-
          contentctl github comment "$RUNNER_TEMP/contentctl-plan/plan.comment.md"
          --pr "$(cat "$RUNNER_TEMP/contentctl-plan/pull-request")"
          --head-sha "$HEAD_SHA" --run-url "$RUN_URL"
"""
