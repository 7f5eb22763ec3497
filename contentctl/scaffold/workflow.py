"""The workflow of a single project: a fork-safe plan on each pull request (no secret, no API
call), and on merge to main the apply, queued, never cancelled half-way, whose lockfile commit
is pushed whatever happened. ``{distribution}`` and ``{version}`` pin the package it installs."""

from __future__ import annotations

WORKFLOW = """\
name: contentctl

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

jobs:
  plan:
    # Fork-safe: plans make no API call and need no secret. This job cannot write to the
    # pull request (a fork's never can): contentctl-comment.yml posts the plan's comment.
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      # contentctl-social, at exactly the version that wrote this file ("contentctl" on the
      # package index is another project: never install that name next to the API keys).
      - run: pip install "{distribution}=={version}"
      - name: Note which pull request this plan is for
        env:
          PR_NUMBER: ${{{{ github.event.pull_request.number }}}}
        run: |
          mkdir -p "$RUNNER_TEMP/contentctl-plan"
          echo "$PR_NUMBER" > "$RUNNER_TEMP/contentctl-plan/pull-request"
      - run: contentctl validate --format github
      - name: Plan
        id: plan
        # Writes plan.json and, beside it, the comment's Markdown: plan.comment.md.
        run: >-
          contentctl plan --changed-since "origin/$GITHUB_BASE_REF"
          -out "$RUNNER_TEMP/contentctl-plan/plan.json"
      # Even after a failed step: the comment then says there is no plan for this commit.
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: contentctl-plan
          path: ${{{{ runner.temp }}}}/contentctl-plan/
          retention-days: 7

  apply:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    # Queue applies, never cancel one half-way: it may have paid jobs in flight.
    concurrency:
      group: contentctl-apply-${{{{ github.repository }}}}
      cancel-in-progress: false
    permissions:
      contents: write
      pull-requests: write   # to tell a merged pull request what needs review
    steps:
      - uses: actions/checkout@v4
        with:
          ref: main   # the latest main, with the latest lockfile, not the merged commit
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      # contentctl-social, at exactly the version that wrote this file ("contentctl" on the
      # package index is another project: never install that name next to the API keys).
      - run: pip install "{distribution}=={version}"
      - name: Configure git for the lockfile commit
        run: |
          git config user.name "github-actions[bot]"
          git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
      - name: Apply and commit the lockfile
        id: apply
        env:
          POWERPOST_API_KEY: ${{{{ secrets.POWERPOST_API_KEY }}}}
          POWERPOST_WORKSPACE_ID: ${{{{ secrets.POWERPOST_WORKSPACE_ID }}}}
          POSTNITRO_API_KEY: ${{{{ secrets.POSTNITRO_API_KEY }}}}
        # exec: contentctl takes the shell's place, so a cancel's SIGINT (then SIGTERM 7.5 s
        # later) reaches it: it stops submitting, records, commits and pushes in time.
        run: exec contentctl apply --auto-approve --commit --push
      # Runs even after a cancel or a kill: whatever lockfile the apply left on disk is the
      # only record of the jobs it paid for. Nothing to do when the apply pushed it.
      - name: Commit and push the lockfile, whatever happened
        if: always()
        run: contentctl lock commit --push
      # Content the merge had to generate itself was drafted, not published (publishing:
      # reviewed): the merged pull request is told which.
      - name: Say on the merged pull request what needs review
        if: always() && steps.apply.outputs.needs_review != ''
        env:
          GITHUB_TOKEN: ${{{{ github.token }}}}
          NEEDS_REVIEW: ${{{{ steps.apply.outputs.needs_review }}}}
          RUN_URL: >-
            ${{{{ github.server_url }}}}/${{{{ github.repository }}}}/actions/runs/${{{{
            github.run_id }}}}
        run: >-
          contentctl github needs-review --commit "$GITHUB_SHA" --run-url "$RUN_URL"
          "$NEEDS_REVIEW"
      # A lockfile that could not be pushed is saved here, with the command to recover it.
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: contentctl-recovery
          path: ${{{{ runner.temp }}}}/contentctl-recovery
          if-no-files-found: ignore
"""
