"""Downloaded artifacts: the carousel files in ``out/``, local copies of remote files.

They are not remote state: a fresh clone has none of them, and that is no change to plan.
``contentctl pull`` fetches the ones the lockfile records, free, and keeps a file only if
its bytes are the ones recorded (sha256), at the path recorded, inside ``out/``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from contentctl.config import Project
from contentctl.errors import ContentctlError
from contentctl.lockfile.records import Lockfile
from contentctl.providers.downloads import Downloads


@dataclass(frozen=True)
class Pulled:
    address: str
    path: str
    problem: str | None = None  # None: saved (or already there)


async def pull(
    project: Project, lock: Lockfile, downloads: Downloads, addresses: Sequence[str]
) -> list[Pulled]:
    """Fetch the recorded files of ``addresses`` that are missing or differ."""
    out = (project.root / project.out_dir).resolve()
    pulled = []
    for address in addresses:
        record = lock.resources[address]
        download, render = record.steps.get("download"), record.steps.get("render")
        if download is None or render is None or download.status != "completed":
            continue
        sources = list(render.outputs.get("files", []))
        for i, saved in enumerate(download.outputs.get("files", [])):
            path = (project.root / str(saved.get("path", ""))).resolve()
            if not path.is_relative_to(out) or i >= len(sources):
                pulled.append(Pulled(address, str(saved.get("path")), "not a file in out/"))
                continue
            if path.is_file() and _sha256(path.read_bytes()) == saved.get("sha256"):
                continue
            shown = path.relative_to(project.root).as_posix()
            try:
                content, _mime = await downloads.fetch(str(sources[i]))
            except ContentctlError as exc:
                pulled.append(Pulled(address, shown, f"{exc.message} (the links may have expired)"))
                continue
            if _sha256(content) != saved.get("sha256"):
                pulled.append(Pulled(address, shown, "the remote file is not the one recorded"))
                continue
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            except OSError as exc:
                pulled.append(Pulled(address, shown, f"cannot save it: {exc.strerror or exc}"))
                continue
            pulled.append(Pulled(address, shown))
    return pulled


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
