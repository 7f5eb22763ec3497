"""What the emulated PostNitro refuses in a scheduled post's body (shared/api/postnitro.md §7):
extra keys, a time not in the future, designs and accounts of another workspace, and each
platform's settings."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from contentctl.sandbox.postnitro_accounts import find_account
from contentctl.sandbox.state import SandboxState

SCHEDULE_KEYS = {
    "status",
    "scheduledAt",
    "designId",
    "postContent",
    "selectedAccounts",
    "linkedinPostSettings",
    "instagramPostSettings",
    "tiktokPostSettings",
    "threadsPostSettings",
    "postSettings",
}
CAPTION_KEYS = ("common", "linkedin", "instagram", "tiktok", "facebook", "threads")
PLATFORM_POST_TYPES = {
    "linkedinPostSettings": ("carousel", "document", "image", "reel"),
    "instagramPostSettings": ("carousel", "image", "reel"),
    "tiktokPostSettings": ("carousel", "reel"),
    "threadsPostSettings": ("carousel", "image", "reel"),
}
TIKTOK_REQUIRED_BOOLS = (
    "canComment",
    "isBrandedContent",
    "isYourBrand",
    "isThirdPartyBrand",
    "isAIGeneratedContent",
)
TIKTOK_PRIVACY = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY")


def parse_time(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def check_schedule(state: SandboxState, body: Any) -> str | None:
    if not isinstance(body, dict):
        return "Body must be a JSON object"
    if set(body) - SCHEDULE_KEYS:
        return "Extra parameters passed in the body."
    if body.get("status") not in ("DRAFT", "SCHEDULED"):
        return "status must be DRAFT or SCHEDULED"
    when = parse_time(body.get("scheduledAt"))
    if when is None:
        return "scheduledAt must be an ISO-8601 date"
    if when <= state.now():
        return "scheduledAt must be in the future"
    design = body.get("designId")
    # The docs say designId may be null only for DRAFT; PostNitro's own CLI schedules
    # caption-only posts and only warns (postnitro/postnitro-agent PLATFORM_SETTINGS.md:123-125,
    # src/lib/schedule-warnings.ts:16-21). The vendor's code wins.
    if design is not None and design not in designs(state):
        return "designId does not belong to this workspace"
    content = body.get("postContent") or {}
    if not isinstance(content, dict) or set(content) - set(CAPTION_KEYS):
        return f"postContent accepts only {', '.join(CAPTION_KEYS)}"
    if design is None and not any(isinstance(v, str) and v.strip() for v in content.values()):
        return "postContent needs at least one caption when there is no designId"
    accounts = body.get("selectedAccounts") or []
    if not isinstance(accounts, list) or any(find_account(state, a) is None for a in accounts):
        return "selectedAccounts must be social account ids of this workspace"
    for key, post_types in PLATFORM_POST_TYPES.items():
        settings = body.get(key)
        if settings is None:
            continue
        if not isinstance(settings, dict) or settings.get("postType") not in post_types:
            return f"{key}.postType must be one of {', '.join(post_types)}"
    linkedin = body.get("linkedinPostSettings") or {}
    # Only a SCHEDULED document needs its title (src/lib/schedule-warnings.ts:24,
    # PLATFORM_SETTINGS.md:46): a draft can get one later.
    if linkedin.get("postType") == "document" and body["status"] == "SCHEDULED":
        title = linkedin.get("postTitle")
        if not isinstance(title, str) or not 5 <= len(title) <= 90:
            return (
                "linkedinPostSettings.postTitle must be 5 to 90 characters for scheduled documents"
            )
    instagram = body.get("instagramPostSettings")
    # A required boolean (postnitro/postnitro-agent src/lib/types.ts:271-274).
    if instagram is not None and not isinstance(instagram.get("postAsStory"), bool):
        return "instagramPostSettings needs postAsStory (a boolean)"
    tiktok = body.get("tiktokPostSettings")
    if tiktok is not None:
        missing = [k for k in TIKTOK_REQUIRED_BOOLS if not isinstance(tiktok.get(k), bool)]
        if missing:
            return f"tiktokPostSettings needs {', '.join(missing)} (booleans)"
        if tiktok.get("privacyLevel", "PUBLIC_TO_EVERYONE") not in TIKTOK_PRIVACY:
            return f"tiktokPostSettings.privacyLevel must be one of {', '.join(TIKTOK_PRIVACY)}"
    return None


def designs(state: SandboxState) -> dict[str, dict[str, Any]]:
    return {p["designId"]: p for p in state.postnitro["posts"].values()}
