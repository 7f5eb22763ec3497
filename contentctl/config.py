"""``contentctl.yaml``: the project's configuration (kind: Project).

Secrets never live here: API keys come from the environment only (see providers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from contentctl.errors import DiagnosticsError, Location, UsageError
from contentctl.load.parse import parse_documents
from contentctl.model import Diagnostic, Document
from contentctl.validate.cache import ValidCache, checked
from contentctl.validate.schema import PROJECT_SCHEMA

CONFIG_FILE = "contentctl.yaml"
LOCKFILE = "contentctl.lock"
STATE_DIR = ".contentctl"

DEFAULT_BASE_URLS = {
    "powerpost": "https://powerpost.ai/api/v1",
    "postnitro": "https://embed-api.postnitro.ai",
}
BASE_URL_VARIABLES = {"powerpost": "POWERPOST_BASE_URL", "postnitro": "POSTNITRO_BASE_URL"}


@dataclass(frozen=True)
class Polling:
    """How an asynchronous job is polled. Defaults follow the providers' guidance."""

    initial_delay: float = 2.0
    interval: float = 3.0
    backoff: float = 1.3
    max_interval: float = 15.0
    timeout: float = 600.0


@dataclass(frozen=True)
class Retries:
    """Retries of requests the API refused or never received (never of one that may have
    been accepted): exponential backoff with full jitter, capped, within a time budget.

    Generous on purpose: a refusal is safe to retry, and an apply that gives up makes a
    person run it again; an outage of a few minutes is waited out.
    """

    attempts: int = 20
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_rate_limit_wait: float = 300.0
    give_up_after: float = 300.0  # seconds of retrying one request before reporting it


@dataclass(frozen=True)
class ProviderSettings:
    base_url: str
    timeout: float = 60.0
    polling: Polling = field(default_factory=Polling)
    retries: Retries = field(default_factory=Retries)


@dataclass(frozen=True)
class Prices:
    """Credit prices used for estimates; what the API reports after the fact wins."""

    captions_regular: float = 6
    captions_deep: float = 8
    captions_per_image: float = 1
    image: Mapping[str, float] = field(
        default_factory=lambda: {
            "flux2-flex": 5,
            "ideogram-3": 6,
            "nano-banana-2": 6,
            "gpt-image-1.5": 14,
        }
    )
    publish: float = 1
    publish_x_surcharge: float = 3
    carousel_import_slide: float = 1
    carousel_ai_slide: float = 2
    carousel_ai_default_slides: int = 8
    # Not documented by PowerPost ("depends on model, duration and audio"): placeholders
    # to set from the dashboard; the credits_used the API reports are what is recorded.
    video_per_second: Mapping[str, float] = field(
        default_factory=lambda: {"kling-3.0-pro": 6, "veo-3.1": 10, "runway-gen-4.5": 5}
    )
    video_audio_per_second: float = 1


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    content_dirs: tuple[str, ...] = ("content",)
    out_dir: str = "out"
    vars: Mapping[str, Any] = field(default_factory=dict)
    var_files: tuple[str, ...] = ()
    parallelism: int = 4
    providers: Mapping[str, ProviderSettings] = field(default_factory=dict)
    prices: Prices = field(default_factory=Prices)
    moved: tuple[tuple[str, str], ...] = ()  # (from, to): renames that keep remote objects
    removed: tuple[str, ...] = ()  # addresses to stop tracking on purpose
    max_credits: float | None = None  # refuse plans that cost more
    allow_publish: bool = False  # let non-interactive applies publish
    # Shared template folders (spec.templates), resolved, each inside the repository.
    template_dirs: tuple[Path, ...] = ()

    @property
    def lockfile_path(self) -> Path:
        return self.root / LOCKFILE

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def provider(self, name: str) -> ProviderSettings:
        return self.providers.get(name) or ProviderSettings(DEFAULT_BASE_URLS[name])


def load_project(root: Path, environ: Mapping[str, str] | None = None) -> Project:
    """Read and validate ``contentctl.yaml``; base URLs may come from the environment."""
    environ = environ or {}
    path = root / CONFIG_FILE
    if not path.is_file():
        raise UsageError(
            f"no {CONFIG_FILE} in {root}",
            hint="run contentctl in a content repository, or point at one with -C DIR",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc
    documents, diagnostics = parse_documents(text, CONFIG_FILE)
    if not diagnostics and len(documents) != 1:
        diagnostics.append(
            Diagnostic(
                Location(CONFIG_FILE, 1, 1), f"expected one YAML document, found {len(documents)}"
            )
        )
    if not diagnostics:
        cache = ValidCache(root / STATE_DIR / "cache" / "valid-config.json")
        diagnostics = checked(documents[0], PROJECT_SCHEMA, cache)
        cache.save()
    if diagnostics:
        raise DiagnosticsError(diagnostics)
    data = documents[0].data
    spec: dict[str, Any] = data.get("spec") or {}
    template_dirs, problems = template_libraries(root, spec.get("templates", ()), documents[0])
    if problems:
        raise DiagnosticsError(problems)
    providers = {}
    for name, default_url in DEFAULT_BASE_URLS.items():
        settings: dict[str, Any] = (spec.get("providers") or {}).get(name) or {}
        base_url = environ.get(BASE_URL_VARIABLES[name]) or settings.get("base_url") or default_url
        providers[name] = ProviderSettings(
            base_url=base_url.rstrip("/"),
            timeout=float(settings.get("timeout", 60.0)),
            polling=replace(Polling(), **settings.get("polling", {})),
            retries=replace(Retries(), **settings.get("retries", {})),
        )
    prices = spec.get("prices") or {}
    default_prices = Prices()
    if "image" in prices:
        prices = {**prices, "image": {**default_prices.image, **prices["image"]}}
    if "video_per_second" in prices:
        prices = {
            **prices,
            "video_per_second": {**default_prices.video_per_second, **prices["video_per_second"]},
        }
    return Project(
        root=root,
        name=data["metadata"]["name"],
        content_dirs=tuple(spec.get("content", ("content",))),
        out_dir=spec.get("out_dir", "out"),
        vars=spec.get("vars") or {},
        var_files=tuple(spec.get("var_files", ())),
        moved=tuple((m["from"], m["to"]) for m in spec.get("moved", ())),
        removed=tuple(r["address"] for r in spec.get("removed", ())),
        max_credits=(spec.get("budget") or {}).get("max_credits"),
        allow_publish=bool(spec.get("allow_publish", False)),
        template_dirs=template_dirs,
        parallelism=spec.get("parallelism", 4),
        providers=providers,
        prices=replace(
            default_prices,
            **{k: v for k, v in prices.items() if k in {f.name for f in fields(Prices)}},
        ),
    )


def template_libraries(
    root: Path, declared: Sequence[str], document: Document
) -> tuple[tuple[Path, ...], list[Diagnostic]]:
    """``spec.templates``: shared template folders, relative to the project, each an existing
    folder inside the repository (never beyond it: a pull request could otherwise render
    any file of the runner into a plan comment)."""
    from contentctl.repository import top

    repository = top(root)
    limit = repository or root.resolve()
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for index, entry in enumerate(declared):
        where = document.positions.of(("spec", "templates", index))
        folder = (root / entry).resolve()
        if Path(entry).is_absolute() or not folder.is_relative_to(limit):
            hint = (
                "shared templates must live in this repository; name the folder relative "
                "to contentctl.yaml, e.g. ../shared/templates"
                if repository
                else "outside a git repository a project reaches no further than itself: "
                "run `git init` at the top of the repository that holds the library"
            )
            problems.append(
                Diagnostic(
                    where,
                    f"template library {entry!r} is outside the repository ({limit})",
                    hint=hint,
                )
            )
        elif not folder.is_dir():
            problems.append(
                Diagnostic(
                    where,
                    f"template library {entry!r} is not a folder ({folder} does not exist)",
                    hint="create it, or fix the path (relative to contentctl.yaml)",
                )
            )
        else:
            found.append(folder)
    return tuple(found), problems
