"""The workflow that generates a pull request's content for review when a maintainer labels it
contentctl:generate (never for a fork's branch), commits the lockfile to the branch and shows
the content in the plan comment; the merge then publishes exactly that."""

from __future__ import annotations

GENERATE_WORKFLOW = """\
name: contentctl generate

# Generates a pull request's content for review (captions, images, videos, carousel renders,
# post drafts; never publishing, never a SCHEDULED schedule), commits contentctl.lock to its
# branch and shows the content in the plan comment. The merge then publishes exactly that.
#
# A maintainer asks for it by adding the label contentctl:generate (the job takes it off when
# done: add it again to generate again). Only the label triggers it: a push never spends
# credits. Pull requests from forks are never generated here: on pull_request GitHub gives
# their runs no secret and a read-only token, and this workflow never uses pull_request_target
# (which would hand the secrets to the fork's code). To generate a fork's content, a
# maintainer who has read it pushes its branch to this repository and labels that pull
# request.
#
# A fresh take without editing the manifests: Actions > contentctl generate > Run workflow,
# on the pull request's branch, naming what to generate again (only people with write access
# can run a workflow).
on:
  pull_request:
    types: [labeled]
  workflow_dispatch:
    inputs:
      replace:
        description: "Generate these again (addresses, separated by spaces: post/launch)"
        required: true
        type: string
      pull_request:
        description: "The pull request of this branch (its number), to show the new take"
        required: true
        type: number

permissions: {{}}

jobs:
  generate:
    if: >-
      github.event_name == 'workflow_dispatch' ||
      (github.event.label.name == 'contentctl:generate' &&
      github.event.pull_request.head.repo.full_name == github.repository)
    runs-on: ubuntu-latest
    # One generate stage per branch at a time; never cancel one that paid for jobs.
    concurrency:
      group: >-
        contentctl-generate-${{{{ github.event.pull_request.head.ref || github.ref_name }}}}
      cancel-in-progress: false
    permissions:
      contents: write        # the lockfile commit on the pull request's branch
      pull-requests: write   # the plan comment, with the generated content
    env:
      # The branch the pull request merges into: what it changed is planned and highlighted.
      BASE: ${{{{ github.event.pull_request.base.ref || github.event.repository.default_branch }}}}
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{{{ github.event.pull_request.head.ref || github.ref_name }}}}
          fetch-depth: 0
      # What the maintainer labelled is what runs: a commit pushed since is not generated.
      # A run by hand generates a pull request's branch, never the default branch.
      - name: Check that the branch is the commit that was labelled
        id: labelled
        env:
          LABELLED_SHA: ${{{{ github.event.pull_request.head.sha }}}}
          DEFAULT_BRANCH: ${{{{ github.event.repository.default_branch }}}}
        run: |
          if [ -n "$LABELLED_SHA" ] && [ "$(git rev-parse HEAD)" != "$LABELLED_SHA" ]; then
            echo "::error::the branch moved after the label was added; add it again"
            exit 1
          fi
          if [ -z "$LABELLED_SHA" ] && [ "$GITHUB_REF_NAME" = "$DEFAULT_BRANCH" ]; then
            echo "::error::run it on a pull request's branch, not on $DEFAULT_BRANCH"
            exit 1
          fi
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
      - name: Generate drafts and commit the lockfile to the pull request
        env:
          POWERPOST_API_KEY: ${{{{ secrets.POWERPOST_API_KEY }}}}
          POWERPOST_WORKSPACE_ID: ${{{{ secrets.POWERPOST_WORKSPACE_ID }}}}
          POSTNITRO_API_KEY: ${{{{ secrets.POSTNITRO_API_KEY }}}}
          REPLACE: ${{{{ github.event.inputs.replace }}}}
        # exec: a cancel's signals reach contentctl, which records what it paid for.
        run: |
          set -f  # the addresses are words, never file patterns
          fresh=()
          for address in $REPLACE; do fresh+=(--replace "$address"); done
          exec contentctl apply --generate --auto-approve --commit --push "${{fresh[@]}}"
      # After a cancel or a failure too, once generating may have started: the lockfile is
      # the only record of the jobs paid for, and the comment shows what there is.
      - name: Commit and push the lockfile, whatever happened
        if: always() && steps.labelled.outcome == 'success'
        run: contentctl lock commit --push
      # The whole content as one HTML page, what this pull request changed highlighted.
      - name: Build the HTML preview
        if: always() && steps.labelled.outcome == 'success'
        env:
          POWERPOST_API_KEY: ${{{{ secrets.POWERPOST_API_KEY }}}}
          POWERPOST_WORKSPACE_ID: ${{{{ secrets.POWERPOST_WORKSPACE_ID }}}}
          POSTNITRO_API_KEY: ${{{{ secrets.POSTNITRO_API_KEY }}}}
        run: >-
          contentctl preview --changed-since "origin/$BASE"
          -o "$RUNNER_TEMP/contentctl-preview"
      - uses: actions/upload-artifact@v4
        if: always() && steps.labelled.outcome == 'success'
        with:
          name: contentctl-preview
          path: ${{{{ runner.temp }}}}/contentctl-preview/
          if-no-files-found: ignore
          retention-days: 14
      - name: Show the generated content in the plan comment
        if: always() && steps.labelled.outcome == 'success'
        env:
          GITHUB_TOKEN: ${{{{ github.token }}}}
          PR_NUMBER: ${{{{ github.event.pull_request.number || github.event.inputs.pull_request }}}}
          RUN_URL: >-
            ${{{{ github.server_url }}}}/${{{{ github.repository }}}}/actions/runs/${{{{
            github.run_id }}}}
        run: |
          mkdir -p "$RUNNER_TEMP/contentctl-plan"
          contentctl plan --changed-since "origin/$BASE" \\
            -out "$RUNNER_TEMP/contentctl-plan/plan.json"
          contentctl github comment "$RUNNER_TEMP/contentctl-plan/plan.comment.md" \\
            --pr "$PR_NUMBER" --head-sha "$(git rev-parse HEAD)" --run-url "$RUN_URL" \\
            --preview-url "$RUN_URL#artifacts"
      # The label is a button: taken off once done, added again to generate again.
      - name: Take the label off
        if: always() && github.event_name == 'pull_request'
        env:
          GITHUB_TOKEN: ${{{{ github.token }}}}
          PR_NUMBER: ${{{{ github.event.pull_request.number }}}}
        run: contentctl github unlabel contentctl:generate --pr "$PR_NUMBER"
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: contentctl-recovery
          path: ${{{{ runner.temp }}}}/contentctl-recovery
          if-no-files-found: ignore
"""
