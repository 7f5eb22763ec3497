"""The plan comment's Markdown: escaping, readable nested diffs, and its size at scale."""

from __future__ import annotations

import re

import pytest
from helpers_markdown import HOSTILE, assert_inert, html, outside_code

from contentctl.plan.diff import FieldChange, Plan, ResourceChange, StepChange
from contentctl.report import field_diff, markdown
from contentctl.report.markdown_safe import code, fenced, text

SLIDES = [
    {"type": "starting_slide", "heading": "3 reasons to switch"},
    {"type": "body_slide", "heading": "Easier on your eyes"},
    {"type": "ending_slide", "heading": "Try it today", "cta_button": "Go"},
]


def test_a_one_word_slide_edit_is_one_field_of_one_slide() -> None:
    after = [dict(s) for s in SLIDES]
    after[1]["heading"] = "Easier on the eyes"
    # Keys in another order (the lockfile's JSON against the manifest): no difference.
    before = [dict(reversed(s.items())) for s in SLIDES]

    assert field_diff.changed("slides", before, after) == [
        ("-", "slides[1].heading: Easier on your eyes"),
        ("+", "slides[1].heading: Easier on the eyes"),
    ]


def test_an_inserted_slide_is_one_added_item_not_a_rewritten_list() -> None:
    added = {"type": "body_slide", "heading": "Saves battery"}
    after = [SLIDES[0], added, *SLIDES[1:]]

    assert field_diff.changed("slides", SLIDES, after) == [
        ("+", "slides[1].heading: Saves battery"),
        ("+", "slides[1].type: body_slide"),
    ]
    assert field_diff.changed("slides", after, SLIDES)[0] == (
        "-",
        "slides[1].heading: Saves battery",
    )


def test_nested_values_read_as_paths_and_ambiguous_text_is_quoted() -> None:
    before = {"linkedin": {"post_type": "carousel"}, "x": "1", "note": " padded"}
    after = {"linkedin": {"post_type": "document", "title": "Deck"}, "x": 1, "note": None}

    assert field_diff.changed("settings", before, after) == [
        ("-", "settings.linkedin.post_type: carousel"),
        ("+", "settings.linkedin.post_type: document"),
        ("+", "settings.linkedin.title: Deck"),
        ("-", 'settings.note: " padded"'),
        ("-", 'settings.x: "1"'),  # text that looks like a number says it is text
        ("+", "settings.x: 1"),
    ]
    assert field_diff.created({"post_types": ["x-post", "linkedin-post"], "items": []}) == [
        ("+", "post_types: [x-post, linkedin-post]")
    ]


def test_text_of_many_lines_is_diffed_line_by_line_with_some_context() -> None:
    before = "\n".join(f"line {i}" for i in range(12))
    after = before.replace("line 6", "line six")

    assert field_diff.changed("captions.text.linkedin", before, after) == [
        (" ", "captions.text.linkedin: |"),
        (" ", "  …"),
        *[(" ", f"  line {i}") for i in (3, 4, 5)],
        ("-", "  line 6"),
        ("+", "  line six"),
        *[(" ", f"  line {i}") for i in (7, 8, 9)],
        (" ", "  …"),
    ]


def test_prose_code_spans_and_fences_hold_any_text() -> None:
    rendered = html(
        f"{text(HOSTILE)}\n\n{code('a ``b`` `c`')}\n\n"
        + "\n".join(fenced(["+ ````", "+ </details>"], "diff"))
    )
    assert_inert(rendered, details=0)
    assert "Launch day &lt;/details&gt; &lt;img src=x onerror=alert(1)&gt;" in rendered
    assert "<code>a ``b`` `c`</code>" in rendered
    assert '<pre><code class="language-diff">+ ````\n+ &lt;/details&gt;\n</code></pre>' in rendered
    assert code("`edge`") == "`` `edge` ``"
    assert fenced(["a ``````` b"])[0] == "````````"


def _change(address: str, action: str, *, warning: str | None = None) -> ResourceChange:
    inputs = {"captions.prompt": HOSTILE, "post_types": ["x-post"]}
    change = FieldChange("captions.prompt", "before", HOSTILE)
    step = StepChange(
        "captions",
        "run",
        "changed: captions.prompt",
        6,
        True,
        None,
        () if action == "create" else (change,),
        inputs=inputs,
    )
    return ResourceChange(address, "Post", action, (step,), "content/a`b|c.yaml", warning=warning)  # type: ignore[arg-type]


def test_manifest_text_in_every_part_of_the_comment_stays_text() -> None:
    changes = (
        _change("post/a", "create"),
        _change("post/b", "update", warning=HOSTILE),
        ResourceChange("post/c", "Post", "forget", blocked=HOSTILE),
    )
    body = markdown.plan(Plan(changes, "lineage", 3))

    rendered = html(body)
    assert_inert(rendered, details=1)
    assert rendered.count("<tr>") == 4  # the header and three rows: no | split a row
    assert "Launch day &lt;/details&gt;" in outside_code(rendered)  # the why, the refusal
    assert "<code>content/a`b|c.yaml</code>" in rendered


def _plan(resources: int) -> Plan:
    """Like benchmarks/repos.py: a campaign's posts and carousels, five locales."""
    locales = ("en", "fr", "de", "es", "it")
    changes = []
    for i in range(resources):
        instance = f"p{i // 10}-{locales[i % 5]}"
        if i % 2:
            step = StepChange(
                "captions", "run", "new", 6, True, None, inputs={"captions.prompt": f"P{i}"}
            )
            changes.append(
                ResourceChange(f"post/launch.{instance}.announce", "Post", "create", (step,))
            )
        else:
            edit = FieldChange("slides", SLIDES, [*SLIDES[:2], {**SLIDES[2], "heading": "Go"}])
            step = StepChange("render", "run", "changed: slides", 5, True, None, (edit,))
            changes.append(
                ResourceChange(f"carousel/launch.{instance}.tips", "Carousel", "update", (step,))
            )
    return Plan(tuple(changes), "lineage", 1)


def _named(body: str) -> set[str]:
    """Every address the comment names: in the table, or in a group's list of names."""
    named = set(re.findall(r"^\| \S+ \| `([^`]+)`", body, re.M))
    groups = re.finditer(r"<summary>\w+ (\w+)/… .*?</summary>\n\n```text\n(.*?)\n```", body, re.S)
    for group in groups:
        named |= {f"{group[1]}/{name}" for name in group[2].splitlines()}
    return named


@pytest.mark.parametrize(("resources", "all_named"), [(500, True), (2_500, True), (10_000, False)])
def test_a_large_plan_names_every_resource_or_says_exactly_how_many_it_left_out(
    resources: int, all_named: bool
) -> None:
    the_plan = _plan(resources)
    addresses = {c.address for c in the_plan.changes}

    body = markdown.plan(the_plan)

    assert len(body) <= markdown.BUDGET < markdown.LIMIT
    named = _named(body)
    assert named <= addresses
    print(f"{resources} resources: {len(body):,} characters, {len(named):,} named")
    if all_named:
        assert named == addresses
        assert "not named here" not in body
    else:
        said = re.search(r"\*\*([\d,]+) of ([\d,]+) changed resources are not named here\*\*", body)
        assert said is not None
        assert int(said[1].replace(",", "")) == len(addresses - named) > 0
        assert int(said[2].replace(",", "")) == resources
    assert html(body).count("<details>") == html(body).count("</details>")


def test_field_changes_that_do_not_fit_are_counted() -> None:
    body = markdown.plan(_plan(500))

    shown = body.count("```diff")
    left = re.search(r"Field changes of ([\d,]+) more resources left out", body)
    assert left is not None and shown + int(left[1]) == 500
