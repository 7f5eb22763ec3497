"""One exception tree for everything contentctl tells a user.

Core code raises these; only the command line (``commands/group.py``) turns them into messages
and exit codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contentctl.model import Diagnostic


@dataclass(frozen=True)
class Location:
    """A place in a user's file; line and column are 1-based."""

    file: str
    line: int | None = None
    col: int | None = None
    origin: str | None = None  # e.g. the campaign instance a rendered document belongs to

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)


class ContentctlError(Exception):
    """Base of every error a user may see. ``hint`` says what to do about it."""

    exit_code = 1

    def __init__(
        self, message: str, *, hint: str | None = None, location: Location | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location


class UsageError(ContentctlError):
    """The command line or the project layout is wrong."""


class ConfigError(ContentctlError):
    """``contentctl.yaml`` or the environment is wrong."""


class CredentialsError(ConfigError):
    """An API key or workspace id is missing; names the variable to set."""


class DiagnosticsError(ContentctlError):
    """Manifests have problems; carries every one of them, found in one run."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in manifests")
        self.diagnostics = list(diagnostics)


class LockfileError(ContentctlError):
    """The lockfile cannot be read or written."""


class LeaseHeldError(ContentctlError):
    """Another apply holds the lease on this lockfile."""


class ApprovalError(ContentctlError):
    """Apply needs an approval that was not given."""


class ApiError(ContentctlError):
    """A provider answered with an error, or could not be reached.

    Carries what a user needs to act: which resource and step, the HTTP status and
    the API's own code.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        code: str | None = None,
        hint: str | None = None,
        retry_after: float | None = None,
        envelope: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        self.provider = provider
        self.status = status
        self.code = code
        self.retry_after = retry_after
        # The answer carried the API's own error envelope: the API itself refused, as
        # opposed to a gateway or proxy in front of it that cannot know what happened.
        self.envelope = envelope
        self.address: str | None = None
        self.step: str | None = None

    def __str__(self) -> str:
        where = f"{self.address} [{self.step}]: " if self.address else ""
        status = (
            f" (HTTP {self.status}{' ' + self.code if self.code else ''})" if self.status else ""
        )
        return f"{where}{self.provider}: {self.message}{status}"


class PossiblySubmittedError(ApiError):
    """A paid request may have reached the API but no answer came back.

    Never retried blindly: the next apply reconciles it instead.
    """


class JobFailedError(ApiError):
    """An asynchronous job finished with status failed."""


class PollTimeout(ApiError):
    """The job is still running when our patience ran out; it stays recorded as pending."""


class StalePlanError(ContentctlError):
    """The saved plan no longer describes what apply would do."""


class NotSentError(ContentctlError):
    """A request was not sent because the run is stopping; nothing reached the API."""


class Interrupted(ContentctlError):
    """The user interrupted the run; what was submitted is recorded."""

    exit_code = 130
