"""PostNitro as its own clients see it: each fact below follows the vendor's code, named with
file and line: postnitro/postnitro-agent v1.2.0 (the official CLI) unless said otherwise.
Run in-process and over loopback against `contentctl sandbox serve`."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from contract_helpers import KEYS, Api
from PIL import Image

from contentctl.apply.postnitro_schedule import schedule_body
from contentctl.apply.postnitro_slides import slide_body
from contentctl.config import Retries
from contentctl.errors import ApiError
from contentctl.providers.http import Http
from contentctl.providers.postnitro import (
    PostNitro,
    headers,
    image_generation_warning,
    map_error,
)

HEADERS = {"embed-api-key": KEYS["POSTNITRO_API_KEY"]}
BASE = {"templateId": "tpl_bold_headlines", "brandId": "brand_acme"}
COVER = {"type": "starting_slide", "heading": "Remote work"}
END = {"type": "ending_slide", "heading": "Follow"}
INFOGRAPHIC: dict[str, Any] = {
    "type": "body_slide",
    "heading": "Four pillars",
    "layout": "infographic",
    "infographic": {
        "column_count": 2,
        "columns": [
            {
                "header": "Space",
                "content": [
                    {"title": "Desk", "description": "A fixed spot & a door"},
                    {"id": "mine", "title": "Noise", "description": "<p>Headphones</p>"},
                ],
            },
            {"id": "rhythm", "header": "Rhythm", "content": [{"title": "Stop"}]},
        ],
    },
}


def _soon(days: int = 3) -> str:
    moment = datetime.now(timezone.utc) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _state(api: Api) -> dict[str, Any]:
    """The sandbox's remote state as saved after each request (both modes)."""
    path = api.state_dir / ".contentctl" / "sandbox" / "state.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


async def _raw(api: Api, method: str, path: str, body: Any = None) -> httpx.Response:
    async with api.raw() as client:
        return await client.request(method, "/postnitro" + path, json=body, headers=HEADERS)


def test_infographic_columns_and_items_carry_ids_made_or_given(api: Api) -> None:
    # Every column and content item needs a caller-provided id, stored as it is
    # (src/lib/types.ts:76-77, 83-84; src/commands/carousel.ts:29); description is HTML
    # (src/lib/types.ts:86). The skill's example (skills/postnitro/examples/
    # import-infographics.json:21-25) sends none: the types win.
    address = "carousel/launch.widgets-ru.tips"
    slides = [slide_body(s, address, i) for i, s in enumerate([COVER, INFOGRAPHIC, END], 1)]

    async def scenario(api: Api) -> dict[str, Any]:
        async with api.clients() as p:
            return await p.require_postnitro().initiate_import(
                {"postType": "CAROUSEL", **BASE, "responseType": "DESIGN", "slides": slides}
            )

    assert api.run(scenario)["status"] == "PENDING"
    sent = [r for r in api.log() if r.get("route") == "/post/initiate/import"][-1]["body"]
    config = sent["slides"][1]["layoutConfig"]
    first, second = config["columnData"]
    assert first["id"] == "carousel-launch-widgets-ru-tips-s2-c1"
    assert [i["id"] for i in first["content"]] == [
        "carousel-launch-widgets-ru-tips-s2-c1-i1",
        "mine",
    ]
    assert second["id"] == "rhythm"
    assert second["content"][0]["id"] == "carousel-launch-widgets-ru-tips-s2-c2-i1"
    assert first["content"][0]["description"] == '<p dir="ltr">A fixed spot &amp; a door</p>'
    assert first["content"][1]["description"] == "<p>Headphones</p>"  # HTML already
    # The layout keys left out are sent with their defaults (src/commands/carousel.ts:43-46).
    assert {k: v for k, v in config.items() if k != "columnData"} == {
        "columnCount": 2,
        "columnDisplay": "grid",
        "displayCounterAs": "counter",
        "hasHeader": True,
    }
    # The same manifest always sends the same ids.
    assert slide_body(INFOGRAPHIC, address, 2) == sent["slides"][1]

    without = json.loads(json.dumps(sent))
    del without["slides"][1]["layoutConfig"]["columnData"][0]["content"][0]["id"]
    refused = api.run(lambda api: _raw(api, "POST", "/post/initiate/import", without))
    assert refused.status_code == 422
    assert "columnData[0].content[0].id is required" in refused.json()["message"]


def test_a_partial_layout_config_falls_back_to_the_default_layout(api: Api) -> None:
    # Every layoutConfig key is optional (src/lib/types.ts:67-73), with the defaults of
    # src/commands/carousel.ts:43-46 and src/commands/image.ts:40-43.
    body: dict[str, Any] = {
        "postType": "IMAGE",
        **BASE,
        "responseType": "DESIGN",
        "slides": {"heading": "Pillars", "layoutType": "infographic", "layoutConfig": {}},
    }
    assert api.run(lambda api: _raw(api, "POST", "/post/initiate/import", body)).status_code == 200
    bad = {**body, "slides": {**body["slides"], "layoutConfig": {"columnCount": 4}}}
    refused = api.run(lambda api: _raw(api, "POST", "/post/initiate/import", bad))
    assert refused.status_code == 422 and "columnCount must be one of" in refused.json()["message"]


def test_instagram_settings_carry_post_as_story(api: Api) -> None:
    # postAsStory is a required boolean (src/lib/types.ts:271-274); the n8n node's default
    # sends it false (postnitro/n8n-nodes-postnitro-ai nodes/PostNitro/PostNitro.node.ts:673).
    fields = {
        "status": "DRAFT",
        "at": _soon(),
        "captions": {"common": "Dark mode"},
        "instagram": {"post_type": "carousel"},
        "tiktok": {"post_type": "carousel", "ai_generated": False},
    }
    body = schedule_body(fields, None, ["acct_instagram_acme", "acct_tiktok_acme"])
    assert body["instagramPostSettings"] == {"postType": "carousel", "postAsStory": False}
    assert body["tiktokPostSettings"] == {
        "postType": "carousel",
        "privacyLevel": "PUBLIC_TO_EVERYONE",
        "canComment": True,
        "isBrandedContent": False,
        "isYourBrand": False,
        "isThirdPartyBrand": False,
        "isAIGeneratedContent": False,
    }

    async def scenario(api: Api) -> dict[str, Any]:
        async with api.clients() as p:
            return await p.require_postnitro().create_schedule(body)

    created = api.run(scenario)
    assert created["instagramPostSettings"]["postAsStory"] is False
    story_less = {**body, "instagramPostSettings": {"postType": "carousel"}}
    refused = api.run(lambda api: _raw(api, "POST", "/schedule", story_less))
    assert refused.status_code == 422
    assert refused.json()["message"] == "instagramPostSettings needs postAsStory (a boolean)"


def test_a_delete_answer_with_only_success_and_message_is_a_deletion(api: Api) -> None:
    # The CLI reads a top-level message from it (src/commands/schedule.ts:141), though its
    # client types a data object (src/lib/client.ts:165): only the status matters.
    body = {"status": "DRAFT", "scheduledAt": _soon(), "postContent": {"common": "Bye"}}

    async def scenario(api: Api) -> tuple[str, httpx.Response]:
        async with api.clients() as p:
            pn = p.require_postnitro()
            first = await pn.create_schedule(body)
            await pn.delete_schedule(first["id"])  # answered {success, message}: no error
            second = await pn.create_schedule(body)
        return first["id"], await _raw(api, "DELETE", f"/schedule/{second['id']}")

    first, raw = api.run(scenario)
    assert raw.status_code == 200
    assert raw.json() == {"success": True, "message": "Scheduled post deleted"}
    gone = api.run(lambda api: _raw(api, "GET", f"/schedule/{first}"))
    assert gone.status_code == 404


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(204),
        httpx.Response(200, json={"success": True, "message": "Scheduled post deleted"}),
        httpx.Response(200, text="OK"),
    ],
)
def test_any_2xx_to_a_delete_is_a_deletion(answer: httpx.Response) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "DELETE" and request.url.path == "/schedule/sched_1"
        return answer

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            http = Http(
                "postnitro",
                client,
                "https://embed-api.postnitro.ai",
                headers("key"),
                map_error,
                retry=Retries(attempts=1),
            )
            await PostNitro(http).delete_schedule("sched_1")

    asyncio.run(scenario())


def test_a_completed_post_whose_ai_images_were_skipped_says_so(api_with: Any) -> None:
    # AI images are best effort: a COMPLETED post may have a FAILED GENERATE_IMAGES step
    # (src/lib/generation.ts:110-116, src/commands/generate-and-schedule.ts:73-76).
    api = api_with(CONTENTCTL_SANDBOX_POSTNITRO_IMAGE_QUOTA="2")
    body = {
        "postType": "CAROUSEL",
        **BASE,
        "responseType": "DESIGN",
        "slides": [COVER, {"type": "body_slide", "heading": "One"}, END],
        "generateImages": {"context": "calm, product-focused", "imageStrategy": "strategic"},
    }

    async def scenario(api: Api) -> list[dict[str, Any]]:
        async with api.clients() as p:
            pn = p.require_postnitro()
            statuses = []
            for _ in range(2):  # the quota covers the first post's 2 images only
                started = await pn.initiate_import(body)
                statuses.append(await pn.status(started["embedPostId"]))
            return statuses

    fine, skipped = api.run(scenario)
    assert [log["step"] for log in skipped["logs"]] == [
        "INITIATED",
        "PROCESSING",
        "GENERATE_IMAGES",
        "COMPLETED",
    ]
    assert skipped["embedPost"]["status"] == "COMPLETED"
    assert skipped["logs"][2]["status"] == "FAILED"
    assert image_generation_warning(fine) is None
    assert image_generation_warning(skipped) == (
        "AI image generation was skipped: AI image quota exceeded: 2 images needed, "
        "0 left this month"
    )


def test_an_ai_image_post_is_one_image_for_two_credits(api: Api) -> None:
    # IMAGE is a single designed image (src/lib/types.ts:18-19, 93-107): one AI slide.
    async def scenario(api: Api) -> dict[str, Any]:
        async with api.clients() as p:
            pn = p.require_postnitro()
            started = await pn.initiate_generate(
                {
                    "postType": "IMAGE",
                    **BASE,
                    "presetId": "preset_123",
                    "responseType": "PNG",
                    "aiGeneration": {"type": "text", "context": "Why sleep matters"},
                }
            )
            return await pn.output(started["embedPostId"])

    output = api.run(scenario)
    assert output["embedPost"]["credits"] == 2
    assert len(output["result"]["data"]) == 1
    assert output["result"]["name"] == "Why sleep matters"


def test_a_social_account_can_be_disconnected(api_with: Any) -> None:
    # DELETE /social-account/{id} (src/lib/client.ts:140-142; src/commands/social.ts:57-58).
    api = api_with()
    gone = api.run(lambda api: _raw(api, "DELETE", "/social-account/acct_tiktok_acme"))
    assert gone.status_code == 200 and gone.json()["success"] is True
    again = api.run(lambda api: _raw(api, "DELETE", "/social-account/acct_tiktok_acme"))
    assert again.status_code == 404
    assert again.json() == {"success": False, "message": "Social account not found"}

    async def scenario(api: Api) -> dict[str, list[dict[str, Any]]]:
        async with api.clients() as p:
            return await p.require_postnitro().social_accounts()

    assert api.run(scenario)["tiktok"] == []


def test_templates_carry_their_size_as_an_object(api: Api) -> None:
    # src/lib/types.ts:176-180; the n8n node reads size.id (PostNitro.node.ts:703-705).
    async def scenario(api: Api) -> list[dict[str, Any]]:
        async with api.clients() as p:
            return await p.require_postnitro().templates()

    sizes = {t["name"]: t["size"] for t in api.run(scenario)}
    assert sizes["Bold Headlines"] == {"id": "4:5", "dimensions": {"width": 1080, "height": 1350}}
    assert sizes["Minimal Light"]["id"] == "1:1"


def test_png_slides_have_the_pixels_the_output_advertises(api: Api) -> None:
    # result.size.dimensions (src/lib/types.ts:166).
    async def scenario(api: Api) -> tuple[dict[str, Any], list[bytes]]:
        async with api.clients() as p:
            pn = p.require_postnitro()
            started = await pn.initiate_import(
                {"postType": "IMAGE", **BASE, "responseType": "PNG", "slides": {"heading": "Hi"}}
            )
            output = await pn.output(started["embedPostId"])
            files = [(await p.downloads.client.get(u)).content for u in output["result"]["data"]]
            return output, files

    output, files = api.run(scenario)
    dimensions = output["result"]["size"]["dimensions"]
    with Image.open(io.BytesIO(files[0])) as image:
        assert image.size == (dimensions["width"], dimensions["height"]) == (1080, 1350)


def test_a_response_type_left_out_is_a_design(api: Api) -> None:
    # The API's default moved from PDF to DESIGN (CHANGELOG.md:31;
    # src/lib/config-store.ts:106-107): nothing is rendered.
    body = {"postType": "IMAGE", **BASE, "slides": {"heading": "Hi"}}
    started = api.run(lambda api: _raw(api, "POST", "/post/initiate/import", body)).json()
    post_id = started["data"]["embedPostId"]
    output = api.run(lambda api: _raw(api, "GET", f"/post/output/{post_id}")).json()["data"]
    assert output["embedPost"]["responseType"] == "DESIGN"
    assert "data" not in output["result"] and output["result"]["designId"]


@pytest.mark.parametrize(
    ("status", "accepted"), [("DRAFT", True), ("SCHEDULED", False)], ids=["draft", "scheduled"]
)
def test_a_linkedin_document_needs_its_title_only_when_scheduled(
    api: Api, status: str, accepted: bool
) -> None:
    # src/lib/schedule-warnings.ts:24-30; PLATFORM_SETTINGS.md:46-47.
    body = {
        "status": status,
        "scheduledAt": _soon(),
        "postContent": {"linkedin": "Our guide"},
        "selectedAccounts": ["acct_linkedin_acme"],
        "linkedinPostSettings": {"postType": "document", "postTitle": None},
    }
    answer = api.run(lambda api: _raw(api, "POST", "/schedule", body))
    assert (answer.status_code == 200) is accepted
    if not accepted:
        assert "postTitle must be 5 to 90 characters" in answer.json()["message"]


def test_a_scheduled_post_may_have_captions_only(api: Api) -> None:
    # The docs allow a null designId only for drafts; the vendor schedules caption-only posts
    # with a warning (PLATFORM_SETTINGS.md:123-125; src/lib/schedule-warnings.ts:16-21).
    body = {
        "status": "SCHEDULED",
        "scheduledAt": _soon(),
        "designId": None,
        "postContent": {"common": "Words only"},
    }
    answer = api.run(lambda api: _raw(api, "POST", "/schedule", body))
    assert answer.status_code == 200 and answer.json()["data"]["designDetails"] is None
    empty = {**body, "postContent": {}}
    refused = api.run(lambda api: _raw(api, "POST", "/schedule", empty))
    assert refused.status_code == 422


def test_an_ai_carousel_from_an_article_reads_like_its_path(api: Api) -> None:
    # aiGeneration.context is the article's URL (src/lib/types.ts:12-16); instructions steer
    # the writing and are not slide text.
    async def scenario(api: Api) -> str:
        async with api.clients() as p:
            pn = p.require_postnitro()
            started = await pn.initiate_generate(
                {
                    "postType": "CAROUSEL",
                    **BASE,
                    "presetId": "preset_short",
                    "responseType": "DESIGN",
                    "aiGeneration": {
                        "type": "article",
                        "context": "https://example.com/blog/dark-mode-tips.html",
                        "instructions": "Friendly, no jargon",
                    },
                }
            )
            return str(started["embedPostId"])

    post_id = api.run(scenario)
    slides = _state(api)["postnitro"]["posts"][post_id]["slides"]
    assert [s["heading"] for s in slides] == ["Dark mode tips", "1. Dark", "Thanks for reading"]
    text = json.dumps(slides)
    assert "Friendly" not in text and "Https" not in text and "Example" not in text


def test_powerpost_status_urls_lead_to_the_job(api: Api) -> None:
    # status_url values are root-relative, /api/v1/... (shared/api/powerpost.md §1).
    async def scenario(api: Api) -> httpx.Response:
        async with api.clients() as p:
            job = await p.require_powerpost().generate_content(
                {"prompt": "Dark mode", "research_mode": "regular", "post_types": ["x-post"]}
            )
        async with api.raw() as client:
            return await client.get(
                job["status_url"],
                headers={
                    "x-api-key": KEYS["POWERPOST_API_KEY"],
                    "X-Workspace-Id": KEYS["POWERPOST_WORKSPACE_ID"],
                },
            )

    followed = api.run(scenario)
    assert followed.status_code == 200 and followed.json()["generation_id"]
    assert api.log()[-1]["path"].startswith("/content/generations/")


def test_a_job_is_processing_before_it_completes(api_with: Any) -> None:
    # PROCESSING is a status and a log step (src/lib/types.ts:139).
    api = api_with(CONTENTCTL_SANDBOX_LATENCY="60")
    body = {"postType": "IMAGE", **BASE, "responseType": "DESIGN", "slides": {"heading": "Hi"}}
    started = api.run(lambda api: _raw(api, "POST", "/post/initiate/import", body)).json()
    post_id = started["data"]["embedPostId"]
    status = api.run(lambda api: _raw(api, "GET", f"/post/status/{post_id}")).json()["data"]
    assert status["embedPost"]["status"] == "PENDING"
    assert [log["step"] for log in status["logs"]] == ["INITIATED"]
    if api.sandbox is None:
        return  # over loopback the server's clock cannot be moved
    api.sandbox.state.advance(31)
    status = api.run(lambda api: _raw(api, "GET", f"/post/status/{post_id}")).json()["data"]
    assert status["embedPost"]["status"] == "PROCESSING"
    assert [log["step"] for log in status["logs"]] == ["INITIATED", "PROCESSING"]


def test_the_client_raises_for_a_refused_delete(api: Api) -> None:
    async def scenario(api: Api) -> None:
        async with api.clients() as p:
            await p.require_postnitro().delete_schedule("sched_nope")

    with pytest.raises(ApiError) as caught:
        api.run(scenario)
    assert caught.value.status == 404
