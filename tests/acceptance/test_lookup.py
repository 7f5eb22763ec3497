"""`contentctl lookup`: what manifests refer to, read from PostNitro (the sandbox in-process,
and over HTTP as the real API is reached)."""

from __future__ import annotations

import json
from pathlib import Path

from contract_helpers import KEYS, QUICK, start, stop
from helpers import Project

from contentctl.report.lookup import table


def test_lookup_lists_what_manifests_refer_to(quickstart: Project) -> None:
    presets = quickstart.run("lookup", "presets")
    templates = quickstart.run("lookup", "templates")
    brands = quickstart.run("lookup", "brands")
    accounts = quickstart.run("lookup", "accounts")

    for result in (presets, templates, brands, accounts):
        assert result.exit_code == 0, result.output
    assert "preset_123    linkedin   professional  founders" in presets.stdout
    assert "preset_id: ID" in presets.stdout
    assert "Bold Headlines  tpl_bold_headlines  1080x1350" in templates.stdout
    assert "Acme  brand_acme  @acme" in brands.stdout
    assert "linkedin   acme-co   Acme  organization  active" in accounts.stdout
    assert "accounts: {PLATFORM: [HANDLE]}" in accounts.stdout
    routes = {r["route"] for r in quickstart.requests()}
    assert routes == {"/template", "/brand", "/ai-preset", "/social-account"}
    assert all(r["method"] == "GET" for r in quickstart.requests())  # read-only


def test_lookup_json_is_the_items_as_the_api_lists_them(quickstart: Project) -> None:
    presets = json.loads(quickstart.run("lookup", "presets", "--json").stdout)
    accounts = json.loads(quickstart.run("lookup", "accounts", "--json").stdout)

    assert [p["id"] for p in presets] == ["preset_123", "preset_short"]
    assert presets[0]["slides"] == 5
    assert {a["platformType"] for a in accounts} == {"linkedin", "instagram", "tiktok"}


def test_lookup_reaches_the_real_api_over_http(quickstart: Project, tmp_path: Path) -> None:
    served = start("loopback", tmp_path / "remote", QUICK)
    try:
        env = {**KEYS, "POSTNITRO_BASE_URL": served.origin + "/postnitro"}
        found = quickstart.run("lookup", "presets", "--json", sandbox=False, env=env)
        refused = quickstart.run(
            "lookup", "brands", sandbox=False, env={**env, "POSTNITRO_API_KEY": "wrong"}
        )
    finally:
        stop(served)

    assert found.exit_code == 0, found.output
    assert [p["id"] for p in json.loads(found.stdout)] == ["preset_123", "preset_short"]
    assert refused.exit_code == 1
    assert "HTTP 401" in refused.stderr and "POSTNITRO_API_KEY" in refused.stderr


def test_lookup_needs_a_key_or_the_sandbox(quickstart: Project) -> None:
    result = quickstart.run("lookup", "templates", sandbox=False)

    assert result.exit_code == 1
    assert "missing environment variable: POSTNITRO_API_KEY" in result.stderr
    assert "--sandbox" in result.stderr


def test_lookup_tables_read_both_template_sizes_and_say_when_there_is_nothing() -> None:
    sized = table(
        "templates",
        [{"id": "t1", "name": "Tall", "size": {"dimensions": {"width": 1080, "height": 1350}}}],
    )

    assert "Tall  t1  1080x1350" in sized
    assert table("presets", []).startswith("PostNitro has no presets in this workspace.")
