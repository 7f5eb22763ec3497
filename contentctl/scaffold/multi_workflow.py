"""The workflow of a repository of many projects (`contentctl init --multi`), planned and
applied as a GitHub matrix.

The pull request workflow: a detect job lists the projects the change reaches (`contentctl
projects --changed-since`, shared templates followed through the render); one plan job per
project, in parallel; one job that writes a single comment for all of them, totals first,
checked against the repository's budget, posted by the same fork-safe workflow_run workflow
as a single project's. On merge: the budget checked once, then one apply job per project,
each in its own concurrency group (parallel across projects, queued within one), with its own
lockfile commit (rebuilt on top of the others' pushes) and its own GitHub Environment.
"""

from __future__ import annotations

WORKFLOW = """\
name: contentctl

# Many projects in one repository: every contentctl.yaml is a project. A change reaches a
# project through its own files, or through a shared template its manifests include.
on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

env:
  # The repository's budget: the credits of every project one change reaches, together.
  # Each project's own spec.budget.max_credits still holds for its apply.
  CONTENTCTL_MAX_CREDITS: "1000"

jobs:
  detect:
    runs-on: ubuntu-latest
    outputs:
      matrix: ${{ steps.projects.outputs.matrix }}
      count: ${{ steps.projects.outputs.count }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      # contentctl-social, at exactly the version that wrote this file ("contentctl" on the
      # package index is another project: never install that name next to the API keys).
      - run: pip install "__DISTRIBUTION__==__VERSION__"
      - name: What to compare with
        env:
          BEFORE: ${{ github.event.before }}
        # A pull request: its base branch. A merge: main before the push (every project
        # when that commit is unknown, as after a force push).
        run: |
          if [ "$GITHUB_EVENT_NAME" = pull_request ]; then
            echo "SINCE=origin/$GITHUB_BASE_REF" >> "$GITHUB_ENV"
          elif git cat-file -e "$BEFORE^{commit}" 2>/dev/null; then
            echo "SINCE=$BEFORE" >> "$GITHUB_ENV"
          fi
      - name: Projects this change reaches
        id: projects
        # Writes the outputs matrix ({"include": [{"project", "name", "id"}]}) and count.
        run: contentctl projects ${SINCE:+--changed-since "$SINCE"} --format github-matrix
      # Before any apply job starts: the plans of every project together, against the budget.
      - name: Check the repository's budget
        if: github.event_name == 'push' && steps.projects.outputs.count != '0'
        run: >-
          contentctl projects plan ${SINCE:+--changed-since "$SINCE"}
          --max-credits "$CONTENTCTL_MAX_CREDITS"

  plan:
    needs: detect
    # Fork-safe: plans make no API call and need no secret.
    if: github.event_name == 'pull_request' && needs.detect.outputs.count != '0'
    name: plan ${{ matrix.project }}
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix: ${{ fromJSON(needs.detect.outputs.matrix) }}
    env:
      PROJECT: ${{ matrix.project }}
      ID: ${{ matrix.id }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "__DISTRIBUTION__==__VERSION__"
      - run: contentctl -C "$PROJECT" validate --format github
      - name: Plan
        # Writes plan.json and, beside it, the project's section of the comment.
        run: >-
          contentctl -C "$PROJECT" plan --changed-since "origin/$GITHUB_BASE_REF"
          -out "$RUNNER_TEMP/contentctl-plan/$ID/plan.json"
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: contentctl-plan-${{ matrix.id }}
          path: ${{ runner.temp }}/contentctl-plan/
          if-no-files-found: ignore
          retention-days: 7

  comment:
    needs: [detect, plan]
    # Also when a plan job failed: the comment then says which project has no plan.
    if: always() && github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "__DISTRIBUTION__==__VERSION__"
      - uses: actions/download-artifact@v4
        with:
          pattern: contentctl-plan-*
          path: ${{ runner.temp }}/plans
          merge-multiple: true
      - name: One comment for every project, totals first
        env:
          MATRIX: ${{ needs.detect.outputs.matrix }}
          PR_NUMBER: ${{ github.event.pull_request.number }}
        run: |
          mkdir -p "$RUNNER_TEMP/contentctl-plan" "$RUNNER_TEMP/plans"
          echo "$PR_NUMBER" > "$RUNNER_TEMP/contentctl-plan/pull-request"
          contentctl projects comment "$RUNNER_TEMP/plans" --matrix "$MATRIX" \\
            --max-credits "$CONTENTCTL_MAX_CREDITS" \\
            -o "$RUNNER_TEMP/contentctl-plan/plan.comment.md"
      # contentctl-comment.yml posts it, as for a single project.
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: contentctl-plan
          path: ${{ runner.temp }}/contentctl-plan/
          retention-days: 7

  apply:
    needs: detect
    if: github.event_name == 'push' && needs.detect.outputs.count != '0'
    name: apply ${{ matrix.project }}
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix: ${{ fromJSON(needs.detect.outputs.matrix) }}
    # Each project's own GitHub Environment: its API keys (its PowerPost workspace) and
    # its required reviewers, apart from every other project's.
    environment: ${{ matrix.id }}
    # Parallel across projects, queued within one; never cancel one half-way: it may have
    # paid jobs in flight.
    concurrency:
      group: contentctl-apply-${{ github.repository }}-${{ matrix.id }}
      cancel-in-progress: false
    permissions:
      contents: write
    env:
      PROJECT: ${{ matrix.project }}
    steps:
      - uses: actions/checkout@v4
        with:
          ref: main   # the latest main, with the latest lockfile, not the merged commit
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "__DISTRIBUTION__==__VERSION__"
      - name: Configure git for the lockfile commit
        run: |
          git config user.name "github-actions[bot]"
          git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
      - name: Apply and commit the lockfile
        env:
          POWERPOST_API_KEY: ${{ secrets.POWERPOST_API_KEY }}
          POWERPOST_WORKSPACE_ID: ${{ secrets.POWERPOST_WORKSPACE_ID }}
          POSTNITRO_API_KEY: ${{ secrets.POSTNITRO_API_KEY }}
        # exec: contentctl takes the shell's place, so a cancel's SIGINT reaches it. Its
        # push is rebuilt on top of the other projects' lockfile commits when they won.
        run: exec contentctl -C "$PROJECT" apply --auto-approve --commit --push
      # Runs even after a cancel or a kill: whatever lockfile the apply left on disk is the
      # only record of the jobs it paid for.
      - name: Commit and push the lockfile, whatever happened
        if: always()
        run: contentctl -C "$PROJECT" lock commit --push
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: contentctl-recovery-${{ matrix.id }}
          path: ${{ runner.temp }}/contentctl-recovery
          if-no-files-found: ignore
"""


def workflow(distribution: str, version: str) -> str:
    """The workflow, installing ``distribution`` at exactly ``version``."""
    return WORKFLOW.replace("__DISTRIBUTION__", distribution).replace("__VERSION__", version)
