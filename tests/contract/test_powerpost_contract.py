"""PowerPost: the client against the sandbox, endpoint by endpoint (shared/api/powerpost.md)."""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import KEYS, Api

from contentctl.errors import ApiError, CredentialsError

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


async def _generation(api: Api, **body: Any) -> dict[str, Any]:
    async with api.clients() as p:
        pp = p.require_powerpost()
        job = await pp.generate_content(
            {
                "prompt": "We launched dark mode",
                "research_mode": "regular",
                "post_types": ["instagram-reel"],
                **body,
            }
        )
        return await pp.get_generation(job["generation_id"])


def test_credits_are_read_without_a_workspace_header(api: Api) -> None:
    async def scenario(api: Api) -> float:
        async with api.clients() as p:
            return await p.require_powerpost().credits()

    before = len(api.log())
    assert api.run(scenario) > 0
    (request,) = api.log()[before:]
    assert request["route"] == "/account/credits"
    assert "x-api-key" in request["headers"] and "x-workspace-id" not in request["headers"]


def test_content_generation_answers_processing_then_captions_per_platform(api: Api) -> None:
    async def scenario(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
        async with api.clients() as p:
            pp = p.require_powerpost()
            job = await pp.generate_content(
                {
                    "prompt": "We just launched dark mode for our app",
                    "research_mode": "regular",
                    "post_types": ["tiktok-video", "instagram-reel", "youtube-short"],
                    "cta_text": "Update now",
                }
            )
            return job, await pp.get_generation(job["generation_id"])

    job, done = api.run(scenario)
    assert job["status"] == "processing" and job["credits_used"] == 6
    assert job["status_url"] == f"/api/v1/content/generations/{job['generation_id']}"
    assert isinstance(job["remaining_credits"], (int, float))
    assert done["status"] == "completed"
    assert set(done["outputs"]) == {"tiktok", "instagram", "youtube"}
    assert "dark mode" in done["outputs"]["tiktok"] and "Update now" in done["outputs"]["tiktok"]
    assert set(done["outputs"]["youtube"]) == {"title", "description"}
    for key in ("prompt", "platforms", "research_mode", "credits_used", "created_at"):
        assert key in done


def test_generations_are_listed_newest_first_with_cursors_and_without_outputs(api: Api) -> None:
    async def scenario(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
        async with api.clients() as p:
            pp = p.require_powerpost()
            for prompt in ("First prompt", "Second prompt", "Third prompt"):
                await pp.generate_content(
                    {"prompt": prompt, "research_mode": "deep", "post_types": ["x-post"]}
                )
            first = await pp.list_generations(limit=2)
            return first, await pp.list_generations(limit=2, cursor=first["next_cursor"])

    first, second = api.run(scenario)
    assert [g["prompt"] for g in first["data"]] == ["Third prompt", "Second prompt"]
    assert first["has_more"] is True and second["data"][0]["prompt"] == "First prompt"
    assert all("outputs" not in g for g in first["data"] + second["data"])
    assert first["data"][0]["credits_used"] == 8  # deep research costs more


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"prompt": "hi"}, "prompt must be 3 to 2000 characters"),
        ({"post_types": ["myspace-post"]}, "Invalid post_types"),
        ({"research_mode": "shallow"}, "research_mode is required"),
        ({"cta_text": "x" * 101}, "cta_text must be at most 100 characters"),
        ({"source_urls": ["http://example.com"]}, "source_urls"),
        ({"media_ids": ["missing"]}, "Unknown media_ids"),
    ],
)
def test_invalid_generation_requests_are_400_validation_errors(
    api: Api, body: dict[str, Any], message: str
) -> None:
    with pytest.raises(ApiError) as caught:
        api.run(lambda api: _generation(api, **body))
    assert caught.value.status == 400 and caught.value.code == "VALIDATION_ERROR"
    assert message in caught.value.message


def test_media_upload_is_multipart_with_type_and_limits(api: Api) -> None:
    async def scenario(api: Api) -> dict[str, Any]:
        async with api.clients() as p:
            return await p.require_powerpost().upload_media(PNG, "hero.png", "image", "image/png")

    media = api.run(scenario)
    assert media["type"] == "image" and media["file_name"] == "hero.png"
    assert media["mime_type"] == "image/png" and media["file_size"] == len(PNG)
    upload = next(r for r in api.log() if r.get("created") == media["media_id"])
    assert upload["form"] == {"type": "image"}

    async def too_big(api: Api) -> None:
        async with api.clients() as p:
            await p.require_powerpost().upload_media(
                b"\0" * (10 * 1024 * 1024 + 1), "big.png", "image", "image/png"
            )

    with pytest.raises(ApiError) as caught:
        api.run(too_big)
    assert caught.value.status == 413 and caught.value.code == "FILE_TOO_LARGE"
    assert "10 MB" in (caught.value.hint or "")


def test_images_in_text_post_and_reference_modes(api: Api) -> None:
    async def scenario(api: Api) -> list[dict[str, Any]]:
        async with api.clients() as p:
            pp = p.require_powerpost()
            style = await pp.upload_media(PNG, "style.png", "image", "image/png")
            captions = await pp.generate_content(
                {"prompt": "Dark mode", "research_mode": "regular", "post_types": ["x-post"]}
            )
            jobs = [
                await pp.generate_images({"prompt": "A night sky", "size": "landscape"}),
                await pp.generate_images(
                    {
                        "generation_id": captions["generation_id"],
                        "quantity": 2,
                        "model": "ideogram-3",
                    }
                ),
                await pp.generate_images(
                    {
                        "prompt": "Same style",
                        "style_images": [style["media_id"]],
                        "model": "gpt-image-1.5",
                    }
                ),
            ]
            return [j | await pp.get_image_generation(j["image_generation_id"]) for j in jobs]

    text, post, reference = api.run(scenario)
    assert [j["credits_used"] for j in (text, post, reference)] == [5, 12, 14]
    assert text["size"] == "landscape" and len(text["images"]) == 1
    assert len(post["images"]) == 2
    image = reference["images"][0]
    assert set(image) == {"media_id", "url", "thumbnail_url", "width", "height"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"prompt": "x", "model": "gpt-image-1.5", "size": "feed"}, "does not support size 'feed'"),
        ({"prompt": "x", "quantity": 5}, "quantity must be an integer from 1 to 4"),
        ({"prompt": "x", "size": "huge"}, "size must be one of"),
        ({"size": "square"}, "prompt is required unless generation_id is given"),
    ],
)
def test_invalid_image_requests_are_refused(api: Api, body: dict[str, Any], message: str) -> None:
    async def scenario(api: Api) -> None:
        async with api.clients() as p:
            await p.require_powerpost().generate_images(body)

    with pytest.raises(ApiError) as caught:
        api.run(scenario)
    assert caught.value.status == 400 and message in caught.value.message


def test_post_draft_publish_lifecycle_and_no_second_publish(api: Api) -> None:
    async def scenario(api: Api) -> tuple[dict[str, Any], ...]:
        async with api.clients() as p:
            pp = p.require_powerpost()
            job = await pp.generate_content(
                {
                    "prompt": "Spring sale",
                    "research_mode": "regular",
                    "post_types": ["instagram-feed", "x-post"],
                }
            )
            post = await pp.create_post(
                job["generation_id"],
                [{"post_type": "instagram-feed"}, {"post_type": "x-post", "content": "Own words"}],
            )
            published = await pp.publish_post(post["post_id"])
            final = await pp.get_post(post["post_id"])
            with pytest.raises(ApiError) as again:
                await pp.publish_post(post["post_id"])
            return post, published, final, {"error": again.value}

    post, published, final, again = api.run(scenario)
    assert post["post_id"].startswith("post-") and post["status"] == "draft"
    contents = {i["post_type"]: i["content"] for i in post["items"]}
    assert "Spring sale" in contents["instagram-feed"] and contents["x-post"] == "Own words"
    assert published["status"] == "publishing" and published["credits_used"] == 4  # 1 + X
    assert final["status"] == "published"
    assert all(i["status"] == "posted" and i["platform_post_id"] for i in final["items"])
    assert again["error"].status == 409 and again["error"].code == "ALREADY_PUBLISHED"


def test_youtube_items_need_a_title(api: Api) -> None:
    async def scenario(api: Api) -> None:
        async with api.clients() as p:
            await p.require_powerpost().create_post(
                None, [{"post_type": "youtube-short", "content": "No title"}]
            )

    with pytest.raises(ApiError) as caught:
        api.run(scenario)
    assert caught.value.status == 400 and "title is required for YouTube" in caught.value.message


@pytest.mark.parametrize(
    ("environ", "status", "code", "hint"),
    [
        (
            {**KEYS, "POWERPOST_API_KEY": "pp_live_sk_wrong"},
            401,
            "INVALID_API_KEY",
            "POWERPOST_API_KEY",
        ),
        (
            {**KEYS, "POWERPOST_WORKSPACE_ID": "ws_somebody_else"},
            403,
            "FORBIDDEN",
            "POWERPOST_WORKSPACE_ID",
        ),
    ],
)
def test_auth_failures_name_the_variable(
    api: Api, environ: dict[str, str], status: int, code: str, hint: str
) -> None:
    async def scenario(api: Api) -> None:
        async with api.clients(environ) as p:
            await p.require_powerpost().get_post("post-anything")

    with pytest.raises(ApiError) as caught:
        api.run(scenario)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert hint in (caught.value.hint or "")


def test_a_missing_workspace_header_is_a_400(api: Api) -> None:
    async def scenario(api: Api) -> Any:
        async with api.raw() as client:
            return await client.get(
                "/powerpost/api/v1/posts/post-x", headers={"x-api-key": KEYS["POWERPOST_API_KEY"]}
            )

    response = api.run(scenario)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "x-request-id" in response.headers


def test_unknown_ids_are_404_not_found(api: Api) -> None:
    async def scenario(api: Api) -> None:
        async with api.clients() as p:
            await p.require_powerpost().get_generation("no-such-generation")

    with pytest.raises(ApiError) as caught:
        api.run(scenario)
    assert caught.value.status == 404 and caught.value.code == "NOT_FOUND"


def test_no_credits_no_platform_and_rate_limits(api_with: Any) -> None:
    api = api_with(
        CONTENTCTL_SANDBOX_BALANCE="7",
        CONTENTCTL_SANDBOX_CONNECTED="instagram",
        CONTENTCTL_SANDBOX_RATE_LIMIT="8",
    )

    async def scenario(api: Api) -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with api.clients() as p:
            pp = p.require_powerpost()
            job = await pp.generate_content(
                {
                    "prompt": "Spring sale",
                    "research_mode": "regular",
                    "post_types": ["tiktok-video"],
                }
            )
            with pytest.raises(ApiError) as broke:
                await pp.generate_content(
                    {"prompt": "Again", "research_mode": "regular", "post_types": ["tiktok-video"]}
                )
            out["402"] = broke.value
            post = await pp.create_post(job["generation_id"], [{"post_type": "tiktok-video"}])
            with pytest.raises(ApiError) as unconnected:
                await pp.publish_post(post["post_id"])
            out["422"] = unconnected.value
        async with api.raw() as raw:
            answers = [
                await raw.get(
                    "/powerpost/api/v1/account/credits",
                    headers={"x-api-key": KEYS["POWERPOST_API_KEY"]},
                )
                for _ in range(5)
            ]
        out["answers"] = answers
        return out

    out = api.run(scenario)
    assert out["402"].status == 402 and out["402"].code == "INSUFFICIENT_CREDITS"
    assert "balance is 1" in out["402"].message
    assert out["422"].status == 422 and out["422"].code == "PLATFORM_NOT_CONNECTED"
    assert "tiktok" in out["422"].message and "Connections" in (out["422"].hint or "")
    limited = out["answers"][-1]
    assert limited.status_code == 429
    error = limited.json()["error"]
    assert error["code"] == "RATE_LIMIT_EXCEEDED" and error["retryAfter"] >= 1
    assert limited.headers["x-ratelimit-limit"] == "8"
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert int(limited.headers["x-ratelimit-reset"]) > 0


def test_missing_credentials_fail_before_any_request(api: Api) -> None:
    async def scenario(api: Api) -> None:
        async with api.clients({"POSTNITRO_API_KEY": "x"}):
            pass

    before = len(api.log())
    with pytest.raises(CredentialsError):
        api.run(scenario)
    assert len(api.log()) == before


def test_a_draft_only_key_can_create_but_not_publish(api: Api) -> None:
    draft_key = {**KEYS, "POWERPOST_API_KEY": "pp_live_sk_sandbox_draft"}

    async def scenario(api: Api) -> ApiError:
        async with api.clients(draft_key) as p:
            pp = p.require_powerpost()
            post = await pp.create_post(None, [{"post_type": "x-post", "content": "Hi there"}])
            with pytest.raises(ApiError) as refused:
                await pp.publish_post(post["post_id"])
            return refused.value

    refused = api.run(scenario)
    assert refused.status == 403 and refused.code == "FORBIDDEN"
    assert "draft-only" in (refused.hint or "")


def test_uploads_beyond_the_storage_quota_are_refused(api_with: Any) -> None:
    api = api_with(CONTENTCTL_SANDBOX_STORAGE_QUOTA=str(len(PNG) + 10))

    async def scenario(api: Api) -> ApiError:
        async with api.clients() as p:
            pp = p.require_powerpost()
            await pp.upload_media(PNG, "one.png", "image", "image/png")
            with pytest.raises(ApiError) as full:
                await pp.upload_media(PNG, "two.png", "image", "image/png")
            return full.value

    full = api.run(scenario)
    assert full.status == 413 and full.code == "STORAGE_QUOTA_EXCEEDED"
