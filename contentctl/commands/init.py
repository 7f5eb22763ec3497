"""`contentctl init`: a new content repository, ready for pull-request plans and merge applies."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from contentctl.errors import ContentctlError

CONFIG = """\
apiVersion: contentctl/v1
kind: Project
metadata:
  name: {name}
spec:
  content: [content]
  vars:
    brand: {title}
  budget:
    max_credits: 200   # apply refuses a plan estimated above this
  # Publish only what reviewers saw: label a pull request contentctl:generate to make its
  # captions, images and drafts (shown in the plan comment); the merge publishes them. What
  # the merge would have to generate itself stays a draft, reported as needing review.
  # "immediate" generates and publishes in the same run.
  publishing: reviewed
"""

EXAMPLE = """\
apiVersion: contentctl/v1
kind: Post
metadata:
  name: hello
spec:
  post_types: [linkedin-post, x-post]
  captions:
    prompt: Say hello to our followers and tell them what we are working on
    research_mode: regular
  publish: false   # drafts by default; true publishes it once its content is reviewed
"""

GITIGNORE = """\
# contentctl: downloaded artifacts, the local sandbox, the apply lease
out/
.contentctl/
contentctl.lock.lease
"""

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


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Write files even where they already exist.")
@click.option(
    "--multi",
    is_flag=True,
    help="A repository of many projects (projects/NAME, one per brand or PowerPost "
    "workspace) sharing shared/templates, planned and applied as a GitHub Actions matrix.",
)
def init(directory: Path, force: bool, multi: bool) -> None:
    """Create a content repository: contentctl.yaml, an example manifest, .gitignore,
    .gitattributes (git merges contentctl.lock with `contentctl lock merge`), two GitHub
    workflows (plan on pull requests and apply on merge to main; the plan's pull request
    comment, fork-safe, through workflow_run), a third that generates a pull request's
    drafts for review when a maintainer labels it contentctl:generate (the project publishes
    only reviewed content: spec.publishing), and the schemas in schemas/ with
    .vscode/settings.json associating them with every manifest (commit both: editors then
    check every document as `contentctl validate` does). Inside a git repository it
    also configures that merge driver.

    With --multi: a repository of many projects, one job per project (see `contentctl
    projects` and docs/github-actions.md, "Many projects").

    \b
    Examples:
      contentctl init my-content && cd my-content && contentctl --sandbox plan
      contentctl init --multi agency && cd agency && git init -q && contentctl projects
    """
    from contentctl import DISTRIBUTION, __version__, editors
    from contentctl.git import merge_driver, working_tree
    from contentctl.validate.export import export

    name = directory.resolve().name.lower().replace(" ", "-") or "content"
    content_folders = ["content"]
    files = {
        directory / "contentctl.yaml": CONFIG.format(name=name, title=name.title()),
        directory / "content" / "hello.yaml": EXAMPLE,
        directory / ".gitignore": GITIGNORE,
        directory / ".github" / "workflows" / "contentctl.yml": WORKFLOW.format(
            distribution=DISTRIBUTION, version=__version__
        ),
        directory / ".github" / "workflows" / "contentctl-comment.yml": COMMENT_WORKFLOW.format(
            distribution=DISTRIBUTION, version=__version__
        ),
        directory / ".github" / "workflows" / "contentctl-generate.yml": GENERATE_WORKFLOW.format(
            distribution=DISTRIBUTION, version=__version__
        ),
    }
    if multi:
        from contentctl.commands import init_multi

        # The generate stage is a single project's: with many, each project's reviewed
        # mode would need a generate job per project, which init --multi does not scaffold.
        del files[directory / "contentctl.yaml"], files[directory / "content" / "hello.yaml"]
        del files[directory / ".github" / "workflows" / "contentctl-generate.yml"]
        files.update(init_multi.files(directory, name, DISTRIBUTION, __version__))
        content_folders = []
    schemas = directory / editors.SCHEMAS
    existing = [p for p in [*files, schemas / "manifest.schema.json"] if p.exists()]
    if existing and not force:
        raise ContentctlError(
            f"{', '.join(str(p) for p in existing)} already exist",
            hint="use --force to overwrite them",
        )
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")
    # Added to, never overwritten: a repository's attributes may say much else (LFS).
    if merge_driver.add_merge_attribute(directory):
        click.echo(f"wrote {directory / '.gitattributes'}")
    export(schemas)
    click.echo(f"wrote {schemas}{os.sep}")
    associations = editors.yaml_schemas(content_folders)
    if multi:
        from contentctl.commands.init_multi import editor_associations

        associations = editor_associations(editors.SCHEMAS)
    written = editors.write_settings(directory, associations)
    if written == "written":
        click.echo(f"wrote {directory / editors.SETTINGS}")
    elif written == "not-json":
        setting = json.dumps({"yaml.schemas": associations}, indent=2)
        click.echo(f"add to {directory / editors.SETTINGS} (left as it is):\n{setting}")
    driver = "\n"
    if working_tree.root(directory) is None:
        driver = f"\n      after git init: contentctl -C {directory} lock install-driver\n"
    elif merge_driver.install_merge_driver(directory):
        click.echo("configured the contentctl merge driver for contentctl.lock in git config")
    top = working_tree.root(directory)
    if top is not None and top.resolve() != directory.resolve():
        click.echo(
            f"warning: GitHub runs workflows only from the top of the repository "
            f"({top / '.github' / 'workflows'}), not from {directory / '.github'}: move them "
            "there and set each job's working-directory, or see `contentctl init --multi` "
            "for a repository of many projects",
            err=True,
        )
    if multi:
        if working_tree.root(directory):
            where = f"contentctl -C {directory / 'projects' / name}"
        else:  # the shared library must be inside a repository: git init first
            where = f"cd {directory} && git init, then contentctl -C projects/{name}"
            driver = f"\n      then: contentctl -C projects/{name} lock install-driver\n"
        click.echo(f"\nNext: {where} --sandbox plan{driver}", nl=False)
        return
    click.echo(f"\nNext: contentctl -C {directory} --sandbox plan{driver}", nl=False)
