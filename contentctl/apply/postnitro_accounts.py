"""The social accounts a scheduled post goes to, resolved to PostNitro's ids (free)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from contentctl.apply.runners import StepContext, Submitted
from contentctl.apply.sync_steps import SyncStep
from contentctl.errors import ContentctlError


class Accounts(SyncStep):
    """Social accounts by platform and handle, resolved to PostNitro's ids (free)."""

    paid = False

    async def submit(self, ctx: StepContext) -> Submitted:
        connected = await ctx.providers.require_postnitro().social_accounts()
        wanted: Mapping[str, Sequence[str]] = ctx.resource.spec["accounts"]
        ids = []
        for platform, handles in wanted.items():
            known = {
                str(a.get("accountHandle", "")).lstrip("@"): a for a in connected.get(platform, [])
            }
            for handle in handles:
                account = known.get(handle.lstrip("@"))
                if account is None:
                    names = ", ".join(sorted(known)) or "none"
                    raise ContentctlError(
                        f"no {platform} account {handle!r} is connected in PostNitro",
                        hint=f"connected {platform} accounts: {names}; connect accounts in "
                        "the PostNitro app",
                    )
                if account.get("accessTokenStatus", "active") != "active":
                    raise ContentctlError(
                        f"the {platform} account {handle!r} needs reconnecting in PostNitro "
                        f"(token {account.get('accessTokenStatus')})"
                    )
                ids.append(str(account["id"]))
        return Submitted(None, 0, {"account_ids": ids})
