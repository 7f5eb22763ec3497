"""Templated campaign reuse: one template, many instances; changes reach exactly the
instances they touch; errors point at the template's own file and line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from helpers import Project, copy_example, planned_steps

from contentctl.config import load_project
from contentctl.validate.manifests import check_project

CAMPAIGN = "content/launch.yaml"
POST_TEMPLATE = "templates/product-launch/post.yaml.j2"
CAROUSEL_TEMPLATE = "templates/product-launch/carousel.yaml.j2"


@pytest.fixture
def campaign(tmp_path: Path) -> Project:
    return Project(copy_example("campaign", tmp_path), {"CONTENTCTL_SANDBOX_LATENCY": "0"})


@pytest.fixture
def applied_campaign(campaign: Project) -> Project:
    result = campaign.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return campaign


def _planned(project: Project, *args: str) -> dict[str, list[str]]:
    """Resource address -> the steps the plan would run."""
    result = project.run("plan", "--diff", *args)
    assert result.exit_code == 0, result.output
    return planned_steps(result.stdout)


def test_campaign_creates_twelve_resources_with_readable_addresses(campaign: Project) -> None:
    result = campaign.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    resources = json.loads(campaign.lockfile.read_text())["resources"]
    products, locales = ("widgets", "gadgets", "gizmos"), ("en", "fr")
    assert sorted(resources) == sorted(
        [f"post/launch.{p}-{loc}.announce" for p in products for loc in locales]
        + [f"carousel/launch.{p}-{loc}.features" for p in products for loc in locales]
    )
    assert len(campaign.calls("POST", "/content/generate")) == 6
    assert len(campaign.calls("POST", "/post/initiate/import")) == 6
    french = campaign.calls("POST", "/content/generate")
    assert any("Voici le nouveau Acme Gizmos" in r["body"]["prompt"] for r in french)
    assert campaign.run("plan", "--detailed-exitcode").exit_code == 0


def test_changing_one_products_variable_reruns_only_its_instances(
    applied_campaign: Project,
) -> None:
    applied_campaign.edit(
        CAMPAIGN, "pitch: smart home, simple setup", "pitch: the smart home that just works"
    )

    planned = _planned(applied_campaign)

    assert planned == {
        "post/launch.gizmos-en.announce": ["captions", "images", "post"],
        "post/launch.gizmos-fr.announce": ["captions", "images", "post"],
    }
    since = len(applied_campaign.requests())
    assert applied_campaign.run("apply", "--auto-approve").exit_code == 0
    generated = applied_campaign.calls("POST", "/content/generate", since)
    assert len(generated) == 2
    assert all("the smart home that just works" in r["body"]["prompt"] for r in generated)
    assert applied_campaign.calls("POST", "/post/initiate/import", since) == []


def test_one_listed_instance_changes_alone(applied_campaign: Project) -> None:
    applied_campaign.write(
        "content/spring.yaml",
        """\
apiVersion: contentctl/v1
kind: Campaign
metadata: {name: spring}
spec:
  template: product-launch
  vars: {locale: en}
  instances:
    - name: kettles
      vars: {product: {name: kettles, title: Kettles, pitch: boils fast, features: [Quiet]}}
    - name: toasters
      vars: {product: {name: toasters, title: Toasters, pitch: even toast, features: [Wide]}}
""",
    )
    assert applied_campaign.run("apply", "--auto-approve").exit_code == 0
    applied_campaign.edit("content/spring.yaml", "features: [Wide]", "features: [Wide, Fast]")

    # Features feed the caption prompt and the slides, not the image prompt.
    assert _planned(applied_campaign) == {
        "post/spring.toasters.announce": ["captions", "post"],
        "carousel/spring.toasters.features": ["render", "download"],
    }


def test_changing_the_shared_template_replans_every_instance_and_nothing_else(
    applied_campaign: Project,
) -> None:
    applied_campaign.edit(CAROUSEL_TEMPLATE, "response_type: PNG", "response_type: PDF")

    planned = _planned(applied_campaign)

    assert sorted(planned) == sorted(
        f"carousel/launch.{p}-{loc}.features"
        for p in ("widgets", "gadgets", "gizmos")
        for loc in ("en", "fr")
    )
    assert all(steps == ["render", "download"] for steps in planned.values())


def test_render_prints_exactly_what_plan_uses(campaign: Project) -> None:
    result = campaign.run("render", "--format", "json")

    assert result.exit_code == 0, result.output
    rendered = {r["address"]: r["manifest"] for r in json.loads(result.stdout)}
    manifests = check_project(load_project(campaign.root))
    assert rendered == {a: r.document.data for a, r in manifests.graph.resources.items()}
    assert all(rendered[a]["spec"] == dict(r.spec) for a, r in manifests.graph.resources.items())

    as_yaml = campaign.run("render", "post/launch.gadgets-fr.announce")
    (document,) = yaml.safe_load_all(as_yaml.stdout)
    assert document == rendered["post/launch.gadgets-fr.announce"]
    assert (
        "# post/launch.gadgets-fr.announce: templates/product-launch/post.yaml.j2" in as_yaml.stdout
    )


def test_variable_precedence_vars_files_env_and_command_line(campaign: Project) -> None:
    def cta(*args: str) -> str:
        out = campaign.run("render", "post/launch.widgets-en.announce", "--format", "json", *args)
        assert out.exit_code == 0, out.output
        return str(json.loads(out.stdout)[0]["manifest"]["spec"]["captions"]["cta_text"])

    assert cta() == "Order today"  # var_files over spec.vars
    assert cta("--env", "prod") == "Order now at acme.example"  # overlay over var_files
    campaign.write("extra.yaml", "brand: Initech\n")
    prompt = campaign.run(
        "render",
        "post/launch.widgets-en.announce",
        "--format",
        "json",
        "--var-file",
        "extra.yaml",
        "--var",
        "brand=Globex",
    )
    assert "Acme" not in prompt.stdout and "Globex Widgets" in prompt.stdout  # --var wins
    missing = campaign.run("plan", "--env", "staging")
    assert missing.exit_code == 1
    assert (
        "vars/staging.yaml: error: variable file vars/staging.yaml does not exist" in missing.stderr
    )


def test_a_saved_plan_applies_with_the_variables_it_was_made_with(campaign: Project) -> None:
    saved = str(campaign.root / "plan.json")
    made = campaign.run("plan", "-out", saved, "--env", "prod")
    assert made.exit_code == 0, made.output

    applied = campaign.run("apply", saved)  # no --env: the plan's own

    assert applied.exit_code == 0, applied.output
    lock = json.loads(campaign.lockfile.read_text())
    sent = lock["resources"]["post/launch.widgets-en.announce"]["steps"]["captions"]["inputs"]
    assert sent["captions.cta_text"] == "Order now at acme.example"


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            POST_TEMPLATE,
            "{{ brand }} {{ product.title }}",
            "{{ brnad }} {{ product.title }}",
            "templates/product-launch/post.yaml.j2:13:17: error: undefined variable: 'brnad' is "
            "undefined (in all 6 instances of campaign/launch)",
        ),
        (
            POST_TEMPLATE,
            "size: feed",
            "size: feed\n{% if %}",
            "templates/product-launch/post.yaml.j2:15:1: error: template syntax error: Expected an "
            "expression, got 'end of statement block' (in all 6 instances of campaign/launch)",
        ),
        (
            "templates/macros.j2",
            "{{ loop.index }}. {{ feature }}",
            "{{ loop.index }}. {{ feture }}",
            "templates/macros.j2:7:34: error: undefined variable: 'feture' is undefined "
            "(in all 6 instances of campaign/launch)",
        ),
        (
            CAROUSEL_TEMPLATE,
            '{%- from "macros.j2" import feature_slides %}',
            '{%- from "../contentctl.yaml" import feature_slides %}',
            "templates/product-launch/carousel.yaml.j2:1:1: error: template not found: "
            "../contentctl.yaml (outside the project's templates/ folder)",
        ),
    ],
)
def test_template_errors_point_at_the_template_line(
    campaign: Project, file: str, old: str, new: str, expected: str
) -> None:
    campaign.edit(file, old, new)

    result = campaign.run("validate")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(expected)
    assert "Traceback" not in result.output


def test_a_symlink_out_of_templates_is_refused(campaign: Project, tmp_path: Path) -> None:
    secret = tmp_path / "secret.j2"
    secret.write_text("{% macro feature_slides(a, b, c, d) %}stolen{% endmacro %}")
    os.symlink(secret, campaign.root / "templates" / "evil.j2")
    campaign.edit(CAROUSEL_TEMPLATE, '"macros.j2"', '"evil.j2"')

    result = campaign.run("validate")

    assert result.exit_code == 1
    assert (
        "template not found: evil.j2 (a link to outside the project's templates/ folder)"
        in result.stderr
    )


def test_plain_yaml_is_not_rendered(campaign: Project) -> None:
    campaign.write(
        "content/literal.yaml",
        """\
apiVersion: contentctl/v1
kind: Post
metadata: {name: literal}
spec:
  post_types: [x-post]
  captions: {text: {x: "Use {{ curly braces }} freely"}}
""",
    )
    result = campaign.run("render", "post/literal", "--format", "json")

    assert result.exit_code == 0, result.output
    text = json.loads(result.stdout)[0]["manifest"]["spec"]["captions"]["text"]["x"]
    assert text == "Use {{ curly braces }} freely"


def _addresses(project: Project, *args: str) -> set[str]:
    return set(_planned(project, *args))


def test_select_a_label_plans_exactly_the_french_instances(campaign: Project) -> None:
    for template in (POST_TEMPLATE, CAROUSEL_TEMPLATE):  # labels come from the matrix alone
        assert "labels" not in (campaign.root / template).read_text()

    french = _addresses(campaign, "--select", "locale=fr")

    assert french == {
        f"{kind}/launch.{p}-fr.{name}"
        for p in ("widgets", "gadgets", "gizmos")
        for kind, name in (("post", "announce"), ("carousel", "features"))
    }
    rendered = json.loads(campaign.run("render", "--json").stdout)
    labels = {d["address"]: d["manifest"]["metadata"]["labels"] for d in rendered}
    assert labels["post/launch.gizmos-fr.announce"] == {
        "product": "gizmos",  # a mapping is labelled by its name, as the instance is named
        "locale": "fr",
        "campaign": "launch",
        "campaign-instance": "gizmos-fr",
    }


def test_labels_the_template_writes_win_over_the_instance_variables(campaign: Project) -> None:
    campaign.edit(
        POST_TEMPLATE, "  name: announce\n", "  name: announce\n  labels: {locale: all}\n"
    )

    assert _addresses(campaign, "--select", "locale=all") == {
        f"post/launch.{p}-{loc}.announce"
        for p in ("widgets", "gadgets", "gizmos")
        for loc in ("en", "fr")
    }
    assert all(a.startswith("carousel/") for a in _addresses(campaign, "--select", "locale=fr"))


def test_select_narrows_across_keys_and_widens_within_one(campaign: Project) -> None:
    both = _addresses(campaign, "--select", "locale=fr", "--select", "product=widgets")
    either = _addresses(campaign, "--select", "locale=fr", "--select", "locale=en")
    french_posts = _addresses(campaign, "--select", "post/*", "--select", "locale=fr")
    globs = _addresses(campaign, "--select", "post/*.widgets-en.*", "--select", "carousel/*-en.*")
    kept = _addresses(campaign, "--exclude", "locale=fr", "--exclude", "product=widgets")

    assert both == {"post/launch.widgets-fr.announce", "carousel/launch.widgets-fr.features"}
    assert len(either) == 12
    assert french_posts == {
        f"post/launch.{p}-fr.announce" for p in ("widgets", "gadgets", "gizmos")
    }
    assert globs == {"post/launch.widgets-en.announce"} | {
        f"carousel/launch.{p}-en.features" for p in ("widgets", "gadgets", "gizmos")
    }
    assert kept == {
        f"{kind}/launch.{p}-en.{name}"
        for p in ("gadgets", "gizmos")
        for kind, name in (("post", "announce"), ("carousel", "features"))
    }


def test_a_selector_that_matches_nothing_is_an_error_naming_it(campaign: Project) -> None:
    german = campaign.run("plan", "--select", "locale=de")
    typo = campaign.run("plan", "--select", "local=fr")
    glob = campaign.run("apply", "--auto-approve", "--select", "post/launch.widgets-fr")
    excluded = campaign.run("plan", "--exclude", "product=kettles")
    apart = campaign.run(
        "plan", "--select", "product=widgets", "--select", "campaign-instance=gadgets-fr"
    )

    assert german.exit_code == 1
    assert "--select locale=de matches no resource" in german.stderr
    assert "hint: locale is one of: en, fr" in german.stderr
    assert (
        "did you mean locale=fr?" in typo.stderr
        and "locale=en|fr, product=gadgets|gizmos|widgets" in typo.stderr
    )
    assert glob.exit_code == 1 and "did you mean post/launch.widgets-fr.announce?" in glob.stderr
    assert "a glob matches whole addresses" in glob.stderr
    assert (
        excluded.exit_code == 1
        and "--exclude product=kettles matches no resource" in excluded.stderr
    )
    assert apart.exit_code == 1 and "no resource matches them all" in apart.stderr
    assert not campaign.lockfile.exists() and campaign.requests() == []


def test_a_misspelt_matrix_key_is_reported_once_at_its_column_with_the_right_name(
    campaign: Project,
) -> None:
    campaign.edit(
        POST_TEMPLATE, "{{ brand }} {{ product.title }}", "{{ brand }} {{ product.tittle }}"
    )

    result = campaign.run("validate")

    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "templates/product-launch/post.yaml.j2:13:37: error: undefined variable: product has "
        "no 'tittle' (in all 6 instances of campaign/launch)"
    )
    assert lines[1] == (
        "  hint: did you mean 'product.title'? product (from spec.matrix of campaign/launch in "
        "content/launch.yaml) has: features, name, pitch, title"
    )
    assert lines[2] == "1 error; nothing was changed."


def test_an_undefined_name_in_a_campaign_names_the_campaign_as_a_place_to_define_it(
    campaign: Project,
) -> None:
    campaign.edit(
        POST_TEMPLATE, "{{ brand }} {{ product.title }}", "{{ tagline }} {{ product.title }}"
    )

    result = campaign.run("validate")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  hint: define it in spec.vars of campaign/launch in content/launch.yaml, "
        "contentctl.yaml (spec.vars), a var file, or with --var NAME=VALUE"
    )
