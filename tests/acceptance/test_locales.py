"""Campaigns in other scripts: slugs and hashtags keep their words, and captions are counted
as each platform counts them (X by weight), so a caption X would refuse fails validation."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import Project

from contentctl.captions import x_weighted_length

CAMPAIGN = """\
apiVersion: contentctl/v1
kind: Campaign
metadata: {name: launch}
spec:
  template: dark-mode
  instances:
    - name: dark-ru
      vars: {locale: ru, title: Тёмная тема, tags: [Тёмная тема, Новинка]}
    - name: dark-ja
      vars: {locale: ja, title: ダークモード, tags: [ダークモード, 深色]}
"""
TEMPLATE = """\
{%- set link = "https://example.com/" ~ locale ~ "/" ~ (title | slugify) %}
apiVersion: contentctl/v1
kind: Post
metadata: {name: announce}
spec:
  post_types: [x-post, instagram-feed]
  captions:
    text:
      x: "{{ title }} — {{ link }} {{ tags | hashtags }}"
      instagram: "{{ caption }}"
"""


def _project(tmp_path: Path, caption: str) -> Project:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "templates" / "dark-mode").mkdir(parents=True)
    (root / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: locales}\n"
        f"spec: {{vars: {{caption: {json.dumps(caption, ensure_ascii=False)}}}}}\n",
        encoding="utf-8",
    )
    (root / "content" / "launch.yaml").write_text(CAMPAIGN, encoding="utf-8")
    (root / "templates" / "dark-mode" / "post.yaml.j2").write_text(TEMPLATE, encoding="utf-8")
    return Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"})


def test_russian_and_japanese_instances_keep_their_slugs_and_hashtags(tmp_path: Path) -> None:
    project = _project(tmp_path, "Новая тема")

    rendered = project.run("render", "--format", "json")

    assert rendered.exit_code == 0, rendered.output
    documents = json.loads(rendered.stdout)
    captions = {d["address"]: d["manifest"]["spec"]["captions"]["text"]["x"] for d in documents}
    assert captions == {
        "post/launch.dark-ru.announce": "Тёмная тема — https://example.com/ru/тёмная-тема "
        "#ТёмнаяТема #Новинка",
        "post/launch.dark-ja.announce": "ダークモード — https://example.com/ja/ダークモード "
        "#ダークモード #深色",
    }
    assert project.run("validate").exit_code == 0


def test_a_japanese_caption_too_long_for_x_is_refused_with_its_weighted_length(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path, "ok")
    japanese = ("ダークモードが登場しました。" * 30)[:400]
    project.write(
        "content/x.yaml",
        "apiVersion: contentctl/v1\nkind: Post\nmetadata: {name: long-ja}\nspec:\n"
        "  post_types: [x-post]\n"
        f"  captions: {{text: {{x: {japanese}}}}}\n",
    )

    result = project.run("validate")

    assert result.exit_code == 1
    assert (
        "content/x.yaml:6:24: error: captions.text.x is 800 weighted characters (CJK characters "
        "and emoji count 2, a link 23); X accepts at most 280"
    ) in result.output
    assert "truncate_for('x')" in result.output


def test_truncate_for_x_keeps_a_japanese_caption_within_280_weighted(tmp_path: Path) -> None:
    project = _project(tmp_path, "ok")
    project.write(
        "templates/dark-mode/post.yaml.j2",
        TEMPLATE.replace(
            '"{{ title }} — {{ link }} {{ tags | hashtags }}"',
            "\"{{ ((title ~ '、') * 100) | truncate_for('x') }}\"",
        ),
    )

    rendered = project.run("render", "--format", "json")

    assert rendered.exit_code == 0, rendered.output
    texts = {
        d["address"]: d["manifest"]["spec"]["captions"]["text"]["x"]
        for d in json.loads(rendered.stdout)
    }
    japanese = texts["post/launch.dark-ja.announce"]
    assert japanese.endswith("…") and x_weighted_length(japanese) == 280
    assert x_weighted_length(texts["post/launch.dark-ru.announce"]) <= 280
    assert project.run("validate").exit_code == 0
