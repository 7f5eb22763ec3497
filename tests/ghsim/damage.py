"""What a broken run cost, read from the API's side (the served sandbox's state and request
log) and from the lockfiles that survived: paid jobs accepted twice for the same step,
scheduled posts duplicated, accepted jobs no lockfile mentions, lockfiles that do not parse."""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from contentctl.errors import LockfileError
from contentctl.lockfile.read import read

PAID = ("captions", "images", "videos", "renders", "publishes")


@dataclass(frozen=True)
class Accepted:
    """One job (or object) the API accepted; ``key`` identifies the step that sent it."""

    family: str
    key: str
    remote_id: str
    credits: float = 0.0


@dataclass
class Damage:
    accepted: dict[str, int] = field(default_factory=dict)
    submitted_twice: dict[str, int] = field(default_factory=dict)  # extra jobs, by family
    schedules_duplicated: int = 0
    credits_wasted: float = 0.0
    lost: list[str] = field(default_factory=list)  # "family remote_id"
    unreadable: list[str] = field(default_factory=list)  # where an unreadable lockfile was
    cross_checks: dict[str, int] = field(default_factory=dict)

    @property
    def paid_twice(self) -> int:
        return sum(self.submitted_twice.get(f, 0) for f in PAID)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "paid_twice": self.paid_twice}


def accepted_jobs(
    state: Mapping[str, Any], requests: Iterable[Mapping[str, Any]]
) -> list[Accepted]:
    """Everything paid (and every scheduled post) the API accepted, with its step identity."""
    pp: Mapping[str, Any] = state.get("powerpost") or {}
    pn: Mapping[str, Any] = state.get("postnitro") or {}
    bodies = {r["created"]: r.get("body") or {} for r in requests if r.get("created")}
    found = [
        Accepted(
            "captions",
            f"{g['prompt']}|{','.join(g['post_types'])}|{g['research_mode']}",
            g["generation_id"],
            g["credits_used"],
        )
        for g in (pp.get("generations") or {}).values()
    ]
    for job in (pp.get("images") or {}).values():
        linked = (
            "generation"
            if bodies.get(job["image_generation_id"], {}).get("generation_id")
            else "prompt"
        )
        key = f"{job['prompt']}|{job['size']}|{job['model']}|{job['quantity']}|{linked}"
        found.append(Accepted("images", key, job["image_generation_id"], job["credits_used"]))
    for job in (pp.get("videos") or {}).values():
        key = f"{job['prompt']}|{job['model']}|{job['duration']}|{job['size']}"
        found.append(Accepted("videos", key, job["video_generation_id"], job["credits_used"]))
    for post in (pn.get("posts") or {}).values():
        found.append(Accepted("renders", str(post["requestorId"]), post["id"], post["credits"]))
    posts = pp.get("posts") or {}
    for entry in requests:
        if entry.get("route") == "/posts/{post_id}/publish" and entry.get("status") == 200:
            post = posts.get(entry["path"].split("/")[2]) or {}
            content = sorted((i["post_type"], i["content"]) for i in post.get("items", []))
            found.append(
                Accepted(
                    "publishes",
                    json.dumps(content),
                    post.get("post_id", "?"),
                    post.get("credits_used", 0),
                )
            )
    # A scheduled post publishes its design at its time. A carousel rendered twice gives the
    # second schedule a new design id, so schedules are keyed by what the design shows.
    shows = {
        p["designId"]: json.dumps([p["templateId"], p["slides"]])
        for p in (pn.get("posts") or {}).values()
    }
    for schedule in (pn.get("schedules") or {}).values():
        if schedule["status"] == "SCHEDULED":
            design = shows.get(schedule["designId"], schedule["designId"])
            found.append(
                Accepted("schedules", f"{design}|{schedule['scheduledFor']}", schedule["id"])
            )
    return found


def _extra(jobs: Iterable[Accepted]) -> tuple[dict[str, int], float]:
    groups: dict[tuple[str, str], list[Accepted]] = defaultdict(list)
    for job in jobs:
        groups[(job.family, job.key)].append(job)
    extra: dict[str, int] = defaultdict(int)
    wasted = 0.0
    for (family, _key), members in groups.items():
        if len(members) > 1:
            extra[family] += len(members) - 1
            wasted += sum(sorted(m.credits for m in members)[:-1])
    return dict(extra), wasted


def unreadable(text: str) -> str | None:
    """Why contentctl cannot read this lockfile text, or None when it can."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contentctl.lock"
        path.write_text(text, encoding="utf-8")
        try:
            read(path)
        except LockfileError as exc:
            return exc.message
    return None


def assess(
    state: Mapping[str, Any],
    requests: Sequence[Mapping[str, Any]],
    lockfiles: Sequence[tuple[str, str]],
) -> Damage:
    """``lockfiles``: (where, text) of every lockfile that survived (origin/main, artifacts)."""
    jobs = accepted_jobs(state, requests)
    paid = [j for j in jobs if j.family in PAID]
    extra, wasted = _extra(paid)
    schedules = [j for j in jobs if j.family == "schedules"]
    damage = Damage(
        accepted={f: sum(1 for j in jobs if j.family == f) for f in (*PAID, "schedules")},
        submitted_twice={f: extra.get(f, 0) for f in PAID},
        schedules_duplicated=_extra(schedules)[0].get("schedules", 0),
        credits_wasted=wasted,
    )
    texts = [text for _where, text in lockfiles]
    damage.lost = [
        f"{j.family} {j.remote_id}" for j in jobs if not any(j.remote_id in t for t in texts)
    ]
    damage.unreadable = [where for where, text in lockfiles if unreadable(text)]
    damage.cross_checks = _cross_checks(state)
    return damage


def _cross_checks(state: Mapping[str, Any]) -> dict[str, int]:
    """The same counts keyed differently: renders by what they show (not requestorId), and
    SCHEDULED posts by (designId, scheduledFor), which misses a carousel rendered twice."""
    pn: Mapping[str, Any] = state.get("postnitro") or {}
    posts = pn.get("posts") or {}
    slides = [
        Accepted("renders", json.dumps([p["templateId"], p["slides"]]), p["id"])
        for p in posts.values()
    ]
    by_design = [
        Accepted("schedules", f"{s['designId']}|{s['scheduledFor']}", s["id"])
        for s in (pn.get("schedules") or {}).values()
        if s["status"] == "SCHEDULED"
    ]
    return {
        "renders_by_slides": _extra(slides)[0].get("renders", 0),
        "schedules_by_design_id": _extra(by_design)[0].get("schedules", 0),
    }
