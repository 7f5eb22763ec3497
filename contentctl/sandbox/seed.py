"""What a new sandbox's PostNitro holds before anyone calls it: templates, a brand, AI
presets and connected social accounts."""

from __future__ import annotations

from typing import Any


def templates() -> list[dict[str, Any]]:
    return [
        {
            "id": "tpl_bold_headlines",
            "name": "Bold Headlines",
            "size": "1080x1350",
            "colors": ["#101828", "#F5B700"],
        },
        {
            "id": "tpl_minimal_light",
            "name": "Minimal Light",
            "size": "1080x1080",
            "colors": ["#F8FAFC", "#2563EB"],
        },
        {
            "id": "tpl_gradient_pop",
            "name": "Gradient Pop",
            "size": "1080x1350",
            "colors": ["#4C1D95", "#F472B6"],
        },
    ]


def brands() -> list[dict[str, Any]]:
    return [
        {
            "id": "brand_acme",
            "name": "Acme",
            "image": "https://example.com/acme.png",
            "handle": "@acme",
            "isCompanyDetail": False,
            "showName": True,
            "showHandle": True,
            "showImage": False,
        }
    ]


def presets() -> list[dict[str, Any]]:
    return [
        {
            "id": "preset_123",
            "socialPlatform": "linkedin",
            "tone": "professional",
            "audience": "founders",
            "language": "en",
            "slides": 5,
            "model": "sandbox-writer",
        },
        {
            "id": "preset_short",
            "socialPlatform": "instagram",
            "tone": "playful",
            "audience": "consumers",
            "language": "en",
            "slides": 3,
            "model": "sandbox-writer",
        },
    ]


def social_accounts() -> list[dict[str, Any]]:
    def account(key: str, platform: str, handle: str, kind: str) -> dict[str, Any]:
        return {
            "id": f"acct_{key}",
            "platformType": platform,
            "accountHandle": handle,
            "accountType": kind,
            "accountName": "Acme",
            "accountLogo": "https://example.com/acme.png",
            "accessTokenStatus": "active",
            "organizationId": "org_sandbox",
            "workspaceId": "ws_sandbox",
            "tokenExpiresAt": "2027-12-31T00:00:00.000Z",
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
        }

    return [
        account("linkedin_acme", "linkedin", "acme-co", "organization"),
        account("instagram_acme", "instagram", "acme", "business"),
        account("tiktok_acme", "tiktok", "acme.app", "personal"),
    ]
