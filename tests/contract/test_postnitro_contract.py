"""PostNitro: the client against the sandbox, endpoint by endpoint (shared/api/postnitro.md)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from contract_helpers import KEYS, Api

from contentctl.errors import ApiError
from contentctl.providers.postnitro import design_id, output_files

SLIDES = [
    {"type": "starting_slide", "heading": "Dark mode"},
    {"type": "body_slide", "heading": "Easier on the eyes"},
    {"type": "ending_slide", "heading": "Try it", "cta_button": "Update"},
]
BRAND = {
    "name": "Nightowl",
    "handle": "@nightowl",
    "image": "https://example.com/owl.png",
    "isCompanyDetail": False,
    "showName": True,
    "showHandle": True,
    "showImage": False,
}


def _soon(days: int = 3) -> str:
    moment = datetime.now(timezone.utc) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def _carousel(api: Api, response_type: str = "PNG", **extra: Any) -> dict[str, Any]:
    async with api.clients() as p:
        pn = p.require_postnitro()
        started = await pn.initiate_import(
            {
                "postType": "CAROUSEL",
                "requestorId": "contentctl:carousel/x:abc",
                "templateId": "tpl_bold_headlines",
                "brandId": "brand_acme",
                "responseType": response_type,
                "slides": SLIDES,
                **extra,
            }
        )
        status = await pn.status(started["embedPostId"])
        output = await pn.output(started["embedPostId"])
        files = [
            (await p.downloads.client.get(u))
            for u in output_files(output["result"])
            if u.startswith("http")
        ]
        return {"started": started, "status": status, "output": output, "files": files}


def test_lookups_are_paged_and_an_empty_page_is_an_empty_list(api: Api) -> None:
    async def scenario(api: Api) -> dict[str, Any]:
        async with api.clients() as p:
            pn = p.require_postnitro()
            return {
                "templates": await pn.templates(),
                "brands": await pn.brands(),
                "presets": await pn.presets(),
            }

    found = api.run(scenario)
    assert "Bold Headlines" in [t["name"] for t in found["templates"]]
    assert found["brands"][0]["handle"].startswith("@")
    assert found["presets"][0]["slides"] >= 3 and "id" in found["presets"][0]

    async def raw(api: Api) -> list[Any]:
        headers = {"embed-api-key": KEYS["POSTNITRO_API_KEY"]}
        async with api.raw() as client:
            return [
                await client.get("/postnitro/template", params=q, headers=headers)
                for q in ({"limit": 101}, {"page": 0}, {"page": 99, "limit": 100})
            ]

    too_many, page_zero, empty = api.run(raw)
    assert too_many.status_code == 422
    assert too_many.json() == {"status": False, "message": "Limit must be between 1 and 100"}
    assert page_zero.json()["message"] == "Page must be a positive integer"
    assert empty.status_code == 404
    assert empty.json() == {"success": False, "message": "No templates found"}


def test_imported_png_carousel_from_pending_to_downloadable_slides(api: Api) -> None:
    result = api.run(_carousel)
    assert result["started"]["status"] == "PENDING"
    assert result["started"]["embedPostId"]
    assert result["status"]["embedPost"]["status"] == "COMPLETED"
    steps = [log["step"] for log in result["status"]["logs"]]
    assert steps == ["INITIATED", "PROCESSING", "COMPLETED"]
    output = result["output"]
    assert output["embedPost"]["credits"] == 3  # 1 credit a slide
    assert output["result"]["type"] == "png" and output["result"]["mimeType"] == "image/png"
    assert output["result"]["size"] == {"id": "4:5", "dimensions": {"width": 1080, "height": 1350}}
    assert design_id(output["result"])
    assert [f.headers["content-type"] for f in result["files"]] == ["image/png"] * 3
    assert all(f.content.startswith(b"\x89PNG") for f in result["files"])
    assert all("embed-api-key" not in f.request.headers for f in result["files"])


def test_pdf_is_one_url_and_design_has_no_files(api: Api) -> None:
    pdf = api.run(lambda api: _carousel(api, "PDF"))
    assert isinstance(pdf["output"]["result"]["data"], str)
    assert pdf["files"][0].content.startswith(b"%PDF")
    design = api.run(lambda api: _carousel(api, "DESIGN"))
    assert "data" not in design["output"]["result"] and design["files"] == []
    assert design["output"]["result"]["designId"] and design["output"]["result"]["editorUrl"]


def test_ai_generation_costs_two_credits_a_slide_of_the_preset(api: Api) -> None:
    async def scenario(api: Api) -> dict[str, Any]:
        async with api.clients() as p:
            pn = p.require_postnitro()
            started = await pn.initiate_generate(
                {
                    "postType": "CAROUSEL",
                    "templateId": "tpl_gradient_pop",
                    "brandId": "brand_acme",
                    "presetId": "preset_short",
                    "responseType": "PNG",
                    "aiGeneration": {
                        "type": "text",
                        "context": "Why sleep matters",
                        "instructions": "Friendly",
                    },
                    "generateImages": {"imagePlacement": "auto", "imageStrategy": "strategic"},
                }
            )
            await pn.status(started["embedPostId"])
            return await pn.output(started["embedPostId"])

    output = api.run(scenario)
    assert len(output["result"]["data"]) == 3  # preset_short has 3 slides
    assert output["embedPost"]["credits"] == 6


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"workspaceId": "ws_1"}, "Extra parameters passed in the body."),
        ({"slides": SLIDES[1:]}, "Exactly one starting_slide is required"),
        ({"slides": [SLIDES[0], SLIDES[2], SLIDES[1]]}, "Exactly one ending_slide is required"),
        ({"slides": [SLIDES[0], SLIDES[2]]}, "At least one body_slide is required"),
        (
            {"slides": [SLIDES[0], {**SLIDES[1], "layoutType": "infographic"}, SLIDES[2]]},
            "layoutConfig is required",
        ),
        ({"responseType": "GIF"}, "responseType must be one of"),
        ({"generateImages": {"style": "wild"}}, "generateImages accepts only"),
    ],
)
def test_invalid_imports_are_422_with_the_api_message(
    api: Api, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(ApiError) as caught:
        api.run(lambda api: _carousel(api, **extra))
    assert caught.value.status == 422 and message in caught.value.message


@pytest.mark.parametrize(
    ("key", "message"), [(None, "Unauthorized"), ("pn_wrong", "Unable to find embed details")]
)
def test_auth_failures_use_the_status_false_envelope(
    api: Api, key: str | None, message: str
) -> None:
    async def scenario(api: Api) -> Any:
        async with api.raw() as client:
            return await client.get(
                "/postnitro/brand", headers={"embed-api-key": key} if key else {}
            )

    response = api.run(scenario)
    assert response.status_code == 401
    assert response.json()["status"] is False and message in response.json()["message"]

    async def through_client(api: Api) -> None:
        async with api.clients({**KEYS, "POSTNITRO_API_KEY": key or "x"}) as p:
            await p.require_postnitro().brands()

    with pytest.raises(ApiError) as caught:
        api.run(through_client)
    assert caught.value.status == 401 and "POSTNITRO_API_KEY" in (caught.value.hint or "")


def test_brands_are_created_read_and_replaced_with_all_seven_keys(api: Api) -> None:
    async def scenario(api: Api) -> tuple[dict[str, Any], ...]:
        async with api.clients() as p:
            pn = p.require_postnitro()
            created = await pn.create_brand(BRAND)
            updated = await pn.update_brand(created["id"], {**BRAND, "handle": "@owl"})
            fetched = await pn.brand(created["id"])
            with pytest.raises(ApiError) as missing:
                await pn.brand("brand_nope")
            return created, updated, fetched, {"missing": missing.value}

    created, updated, fetched, errors = api.run(scenario)
    assert created["id"] and {k: created[k] for k in BRAND} == BRAND
    assert updated["handle"] == "@owl" and fetched == updated
    assert errors["missing"].status == 404
    body = [r for r in api.log() if r.get("route") == "/brand" and r["method"] == "POST"][-1][
        "body"
    ]
    assert sorted(body) == sorted(BRAND)

    async def extra(api: Api) -> Any:
        async with api.raw() as client:
            return await client.post(
                "/postnitro/brand",
                json={**BRAND, "color": "red"},
                headers={"embed-api-key": KEYS["POSTNITRO_API_KEY"]},
            )

    response = api.run(extra)
    assert response.status_code == 422
    assert response.json() == {"status": False, "message": "Extra parameters passed in the body."}


def test_social_accounts_list_all_four_platforms_and_one_with_usage(api: Api) -> None:
    async def scenario(api: Api) -> tuple[Any, Any]:
        async with api.clients() as p:
            pn = p.require_postnitro()
            accounts = await pn.social_accounts()
            one = await pn.social_account(accounts["linkedin"][0]["id"])
            with pytest.raises(ApiError) as missing:
                await pn.social_account("acct_nope")
            assert missing.value.status == 404
            return accounts, one

    accounts, one = api.run(scenario)
    assert set(accounts) == {"linkedin", "instagram", "tiktok", "threads"}
    assert accounts["threads"] == []
    assert one["socialAccount"]["accountHandle"] == "acme-co"
    assert "workspaceId" in one["socialAccount"] and isinstance(one["usage"], list)


def test_scheduled_posts_create_list_get_update_delete(api: Api) -> None:
    async def scenario(api: Api) -> dict[str, Any]:
        design = design_id((await _carousel(api, "PDF"))["output"]["result"])
        async with api.clients() as p:
            pn = p.require_postnitro()
            body = {
                "status": "SCHEDULED",
                "scheduledAt": _soon(),
                "designId": design,
                "postContent": {
                    "common": "Dark mode is here #darkmode",
                    "linkedin": "Dark mode, for teams",
                },
                "selectedAccounts": ["acct_linkedin_acme"],
                "linkedinPostSettings": {"postType": "document", "postTitle": "Dark mode guide"},
            }
            created = await pn.create_schedule(body)
            listed = await pn.schedules(_soon(1), _soon(5))
            moved = await pn.update_schedule(created["id"], {**body, "scheduledAt": _soon(4)})
            fetched = await pn.schedule(created["id"])
            await pn.delete_schedule(created["id"])
            with pytest.raises(ApiError) as gone:
                await pn.schedule(created["id"])
            return {
                "created": created,
                "listed": listed,
                "moved": moved,
                "fetched": fetched,
                "gone": gone.value,
            }

    out = api.run(scenario)
    created = out["created"]
    assert created["status"] == "SCHEDULED" and created["scheduledFor"].endswith("Z")
    assert "scheduledAt" not in created
    assert created["designDetails"]["designType"] == "carousel"
    assert {c["platform"] for c in created["postContents"]} == {"common", "linkedin"}
    assert created["postContents"][0]["hashtags"] == ["darkmode"]
    assert created["socialAccounts"][0]["status"] == "PENDING"
    assert created["id"] in [row["id"] for row in out["listed"]]
    assert out["moved"]["scheduledFor"] > created["scheduledFor"]
    assert out["fetched"] == out["moved"]
    assert out["gone"].status == 404 and out["gone"].message == "Post details not found."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scheduledAt": "2020-01-01T00:00:00Z"}, "scheduledAt must be in the future"),
        ({"linkedinPostSettings": {"postType": "document", "postTitle": "Hi"}}, "5 to 90"),
        (
            {"designId": None, "status": "DRAFT", "postContent": {"common": " "}},
            "at least one caption",
        ),
        ({"selectedAccounts": ["acct_nope"]}, "selectedAccounts must be social account ids"),
        ({"tiktokPostSettings": {"postType": "carousel"}}, "tiktokPostSettings needs canComment"),
        ({"organizationId": "org_1"}, "Extra parameters passed in the body."),
    ],
)
def test_invalid_schedules_are_422(api: Api, change: dict[str, Any], message: str) -> None:
    async def scenario(api: Api) -> None:
        design = design_id((await _carousel(api, "DESIGN"))["output"]["result"])
        async with api.clients() as p:
            await p.require_postnitro().create_schedule(
                {
                    "status": "SCHEDULED",
                    "scheduledAt": _soon(),
                    "designId": design,
                    "postContent": {"common": "Caption"},
                    **change,
                }
            )

    with pytest.raises(ApiError) as caught:
        api.run(scenario)
    assert caught.value.status == 422 and message in caught.value.message


def test_older_output_shape_inline_base64_and_size_string(api_with: Any) -> None:
    api = api_with(CONTENTCTL_SANDBOX_POSTNITRO_OUTPUT="legacy")
    result = api.run(_carousel)["output"]["result"]
    assert result["size"] == "4:5" and "designId" not in result
    files = output_files(result)
    assert len(files) == 3 and not files[0].startswith("http")
    assert base64.b64decode(files[0]).startswith(b"\x89PNG")


def test_an_image_post_takes_one_slide_object_and_renders_one_png(api: Api) -> None:
    async def scenario(api: Api) -> tuple[dict[str, Any], str | None]:
        async with api.clients() as p:
            pn = p.require_postnitro()
            body = {
                "postType": "IMAGE",
                "templateId": "tpl_bold_headlines",
                "brandId": "brand_acme",
                "responseType": "PNG",
            }
            started = await pn.initiate_import({**body, "slides": {"heading": "Cover"}})
            output = await pn.output(started["embedPostId"])
            try:
                await pn.initiate_import(
                    {**body, "slides": {"type": "starting_slide", "heading": "Cover"}}
                )
            except ApiError as exc:
                return output, exc.message
            return output, None

    output, refused = api.run(scenario)
    assert output["embedPost"]["postType"] == "IMAGE" and output["embedPost"]["credits"] == 1
    assert len(output["result"]["data"]) == 1
    assert refused == "slides has unknown keys: type"
