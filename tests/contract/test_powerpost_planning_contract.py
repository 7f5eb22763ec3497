"""PowerPost videos and calendar entries: the client against the sandbox (powerpost.md §5.11)."""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import Api

from contentctl.errors import ApiError

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_video_generation_answers_processing_then_a_media_id(api: Api) -> None:
    async def scenario(api: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with api.clients() as p:
            pp = p.require_powerpost()
            source = await pp.upload_media(PNG, "hero.png", "image", "image/png")
            job = await pp.generate_video(
                {
                    "prompt": "A phone at dusk",
                    "duration": 5,
                    "size": "portrait",
                    "has_audio": True,
                    "source_image": source["media_id"],
                }
            )
            done = await pp.get_video_generation(job["video_generation_id"])
            post = await pp.create_post(
                None,
                [
                    {
                        "post_type": "tiktok-video",
                        "content": "Dark mode",
                        "media_ids": [done["video"]["media_id"]],
                    }
                ],
            )
            return job, done, post

    job, done, post = api.run(scenario)
    assert set(job) == {
        "video_generation_id",
        "status",
        "credits_used",
        "remaining_credits",
        "status_url",
    }
    assert job["status"] == "processing" and job["credits_used"] == 35  # (6 + 1 audio) * 5 s
    assert done["status"] == "completed"
    assert set(done["video"]) == {"media_id", "url", "thumbnail_url", "width", "height", "duration"}
    assert (done["video"]["width"], done["video"]["height"]) == (1080, 1920)
    assert post["items"][0]["media_ids"] == [done["video"]["media_id"]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"prompt": "x", "model": "veo-3.1", "duration": 5}, "duration must be 4 or 8 for veo-3.1"),
        (
            {"prompt": "x", "model": "runway-gen-4.5", "duration": 5, "has_audio": True},
            "runway-gen-4.5 does not generate audio",
        ),
        ({"prompt": "x" * 2501, "duration": 5}, "at most 2500 characters"),
        ({"prompt": "x", "duration": 5, "source_image": "nope"}, "source_image must be"),
    ],
)
def test_invalid_video_requests_are_refused(api: Api, body: dict[str, Any], message: str) -> None:
    async def scenario(api: Api) -> None:
        async with api.clients() as p:
            await p.require_powerpost().generate_video(body)

    with pytest.raises(ApiError) as caught:
        api.run(scenario)
    assert caught.value.status == 400 and caught.value.code == "VALIDATION_ERROR"
    assert message in caught.value.message


def test_calendar_entries_are_created_listed_patched_and_deleted(api: Api) -> None:
    async def scenario(api: Api) -> list[Any]:
        async with api.clients() as p:
            pp = p.require_powerpost()
            created = await pp.create_calendar_entry(
                {"title": "Launch", "scheduled_date": "2030-06-03", "platforms": ["tiktok"]}
            )
            entry_id = created["entry_id"]
            listed = await pp.calendar_entries("2030-06-01", "2030-06-30")
            patched = await pp.update_calendar_entry(
                entry_id, {"scheduled_time": "09:30", "title": "Launch day"}
            )
            await pp.delete_calendar_entry(entry_id)
            try:
                await pp.calendar_entry(entry_id)
            except ApiError as exc:
                gone = exc.status
            return [created, listed, patched, gone]

    created, listed, patched, gone = api.run(scenario)
    assert created["status"] == "planned" and created["scheduled_time"] is None
    assert [e["entry_id"] for e in listed] == [created["entry_id"]]
    assert patched["scheduled_time"] == "09:30" and patched["title"] == "Launch day"
    assert patched["scheduled_date"] == "2030-06-03"  # PATCH keeps what it is not sent
    assert gone == 404


def test_calendar_ranges_are_at_most_366_days(api: Api) -> None:
    async def scenario(api: Api) -> None:
        async with api.clients() as p:
            await p.require_powerpost().calendar_entries("2030-01-01", "2031-06-01")

    with pytest.raises(ApiError) as caught:
        api.run(scenario)
    assert caught.value.status == 400 and "366 days" in caught.value.message
