"""A single project's files: contentctl.yaml, a first manifest, and what git ignores."""

from __future__ import annotations

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
