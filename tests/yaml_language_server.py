"""The real yaml-language-server, the one VS Code and Neovim run, driven over stdio.

Installed from npm at a pinned version into a cache folder (once per checkout), started with
``--stdio`` and spoken to as a Language Server Protocol client: JSON-RPC messages framed by a
``Content-Length`` header. What it reports for a file is what an editor shows for it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty, Queue
from typing import Any

# 1.25 is what the issue was measured with; 2.x needs Node.js 22, CI has 20.
VERSION = "1.25.0"
TIMEOUT = 60.0  # seconds: an upper bound for a slow machine, never waited for when things work


class CannotInstall(Exception):
    """npm is missing or could not install the server (offline, no registry)."""


def install(cache: Path) -> Path:
    """The server's entry script, installed by npm into ``cache`` unless already there."""
    folder = cache / f"yaml-language-server-{VERSION}"
    script = folder / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
    if script.is_file():
        return script
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise CannotInstall("node and npm are not on PATH")
    # Into a fresh folder, moved into place when complete: an interrupted install is not reused.
    partial = cache / f"yaml-language-server-{VERSION}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    result = subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(partial),
            "--no-audit",
            "--no-fund",
            "--no-save",
            f"yaml-language-server@{VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise CannotInstall(f"npm install yaml-language-server@{VERSION} failed:\n{result.stderr}")
    try:
        partial.rename(folder)
    except OSError:  # another run installed it meanwhile
        shutil.rmtree(partial, ignore_errors=True)
    return script


def settings(schemas: dict[str, Any]) -> dict[str, Any]:
    """What an editor sends: validation on, the ``yaml.schemas`` globs, nothing fetched.

    The schema store and the Kubernetes CRD store would download catalogs; a proxy on a
    closed local port makes any other attempt fail at once instead of reaching the network.
    """
    return {
        "yaml": {
            "validate": True,
            "hover": True,
            "completion": True,
            "schemas": schemas,
            "schemaStore": {"enable": False},
            "kubernetesCRDStore": {"enable": False},
        },
        "http": {"proxy": "http://127.0.0.1:9", "proxyStrictSSL": True},
        "[yaml]": {},
        "editor": {},
    }


class Server:
    """One running yaml-language-server with a workspace folder open."""

    def __init__(self, process: subprocess.Popen[bytes], config: dict[str, Any]) -> None:
        self.process = process
        self.config = config
        self.next_id = 0
        self.versions: dict[str, int] = {}
        self.replies: dict[int, Queue[dict[str, Any]]] = {}
        self.diagnostics: dict[str, Queue[list[dict[str, Any]]]] = {}
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if not line:
                return  # the server exited
            self._handle(json.loads(stream.read(length)))

    def _handle(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method is None:  # a reply to one of our requests
            self._queue(self.replies, message["id"]).put(message)
        elif method == "textDocument/publishDiagnostics":
            params = message["params"]
            self._queue(self.diagnostics, params["uri"]).put(params["diagnostics"])
        elif "id" in message:  # the server asks: configuration, capability registrations
            result: Any = None
            if method == "workspace/configuration":
                items = message["params"]["items"]
                result = [self.config.get(item.get("section", ""), None) for item in items]
            self._send({"id": message["id"], "result": result})

    def _queue(self, queues: dict[Any, Queue[Any]], key: Any) -> Queue[Any]:
        with self.lock:
            return queues.setdefault(key, Queue())

    def request(self, method: str, params: dict[str, Any]) -> Any:
        with self.lock:
            self.next_id += 1
            ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        try:
            reply = self._queue(self.replies, ident).get(timeout=TIMEOUT)
        except Empty:
            raise AssertionError(f"yaml-language-server did not answer {method}") from None
        assert "error" not in reply, reply
        return reply.get("result")

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def open(self, path: Path, text: str | None = None) -> list[dict[str, Any]]:
        """Open ``path`` as an editor does, or type ``text`` into it if it is open already
        (unsaved), and return the diagnostics the editor then shows for it."""
        return self.open_all({path: text})[path]

    def open_all(self, files: dict[Path, str | None]) -> dict[Path, list[dict[str, Any]]]:
        """``open`` for several files at once: the server checks each 200 ms after its last
        change, so files opened together are checked together."""
        for path, text in files.items():
            self._edit(path, path.read_text(encoding="utf-8") if text is None else text)
        shown = {}
        for path in files:
            try:
                shown[path] = self._queue(self.diagnostics, path.resolve().as_uri()).get(
                    timeout=TIMEOUT
                )
            except Empty:
                raise AssertionError(f"no diagnostics published for {path}") from None
        return shown

    def _edit(self, path: Path, text: str) -> None:
        uri = path.resolve().as_uri()
        # The server caches a parsed document by its version: each edit needs a new one.
        version = self.versions.get(uri, 0) + 1
        self.versions[uri] = version
        if version == 1:
            document = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
            self.notify("textDocument/didOpen", {"textDocument": document})
        else:
            change = {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }
            self.notify("textDocument/didChange", change)

    def hover(self, path: Path, line: int, character: int) -> Any:
        """What hovering shows at a 0-based position of an opened file (None: nothing)."""
        return self.request(
            "textDocument/hover",
            {
                "textDocument": {"uri": path.resolve().as_uri()},
                "position": {"line": line, "character": character},
            },
        )


@contextmanager
def running(script: Path, workspace: Path, schemas: dict[str, Any]) -> Iterator[Server]:
    """The server started on ``workspace`` with ``yaml.schemas`` configured, ready for files."""
    process = subprocess.Popen(
        ["node", str(script), "--stdio"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    server = Server(process, settings(schemas))
    root = workspace.resolve().as_uri()
    try:
        server.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root,
                "workspaceFolders": [{"uri": root, "name": workspace.name}],
                "capabilities": {
                    "workspace": {"configuration": True, "workspaceFolders": True},
                    "textDocument": {"publishDiagnostics": {"relatedInformation": True}},
                },
            },
        )
        server.notify("initialized", {})
        server.notify("workspace/didChangeConfiguration", {"settings": server.config})
        # The server pulls the settings after that notification and applies them on its own
        # time; a code lens request is answered only once they are applied, so every file
        # opened after it is checked with them (and checked once).
        server.request("textDocument/codeLens", {"textDocument": {"uri": root + "/none.yaml"}})
        yield server
    finally:
        if process.poll() is None:
            try:
                server.request("shutdown", {})
                server.notify("exit", {})
                process.wait(timeout=10)
            except (AssertionError, OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
