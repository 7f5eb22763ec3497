"""GitHub's REST API, as much of it as the plan comment uses: pull requests, their issue
comments (paginated with ``Link`` headers), creating and editing comments, each token with
the permissions of the job it was minted for. Every request is recorded.

One handler, two ways in: ``httpx.MockTransport(api)`` for unit tests, or ``api.serve()``,
an HTTP server on 127.0.0.1 that a workflow step's contentctl reaches over the wire.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

LIMIT = 65_536  # GitHub: "body is too long (maximum is 65536 characters)"
PULL = re.compile(r"^/repos/([^/]+/[^/]+)/pulls/(\d+)$")
COMMENTS = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
COMMENT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")
LABEL = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/labels/([^/]+)$")
COMMIT_PULLS = re.compile(r"^/repos/([^/]+/[^/]+)/commits/([0-9a-f]{40})/pulls$")


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: Mapping[str, str]
    body: Any
    token: str | None


@dataclass
class Token:
    login: str
    permissions: Mapping[str, str]  # e.g. {"pull-requests": "write"}, as a job declares


@dataclass
class FakeGitHub:
    repository: str = "acme/content"
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, Token] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The current commit of a branch (the bare remote's): a pull request's head follows its
    # branch, as on GitHub, when a workflow pushes to it. None: heads stay as opened.
    branch_head: Callable[[str], str] | None = None

    def grant(
        self, token: str, permissions: Mapping[str, str], login: str = "github-actions[bot]"
    ) -> None:
        """A token with a job's ``permissions:`` (GitHub mints GITHUB_TOKEN from them)."""
        self.tokens[token] = Token(login, dict(permissions))

    def open_pull(self, number: int, head_sha: str, branch: str, head_repo: str = "") -> None:
        self.pulls[number] = {
            "number": number,
            "state": "open",
            "head": {
                "sha": head_sha,
                "ref": branch,
                "repo": {"full_name": head_repo or self.repository},
            },
            "base": {"ref": "main", "repo": {"full_name": self.repository}},
        }

    def label(self, number: int, name: str) -> None:
        """Someone adds a label to the pull request."""
        labels = self.pulls[number].setdefault("labels", [])
        if name not in [label["name"] for label in labels]:
            labels.append({"name": name})

    def merge(self, number: int, merge_sha: str) -> None:
        """The merge button: the pull request is closed, merged as ``merge_sha``."""
        self.pulls[number].update(state="closed", merged=True, merge_commit_sha=merge_sha)

    def add_comment(self, number: int, body: str, login: str) -> dict[str, Any]:
        comment = {
            "id": 1000 + len(self.comments),
            "issue": number,
            "body": body,
            "user": {"login": login, "type": "Bot" if login.endswith("[bot]") else "User"},
            "html_url": f"https://github.com/{self.repository}/pull/{number}"
            f"#issuecomment-{1000 + len(self.comments)}",
        }
        self.comments.append(comment)
        return comment

    def of(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments if c["issue"] == number]

    # ---- the API ---------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            return self._handle(request)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        self.requests.append(Recorded(request.method, path, dict(request.url.params), body, token))
        granted = self.tokens.get(token or "")
        if granted is None:
            return _error(401, "Bad credentials")
        if request.headers.get("accept") != "application/vnd.github+json":
            return _error(415, "Unsupported 'Accept' header")
        label = LABEL.match(path)
        if request.method == "DELETE" and label is not None:
            if label[1] != self.repository or int(label[2]) not in self.pulls:
                return _error(404, "Not Found")
            if not _allows(granted.permissions, "pull-requests", "write"):
                return _error(403, "Resource not accessible by integration")
            labels = self.pulls[int(label[2])].setdefault("labels", [])
            name = urllib.parse.unquote(label[3])
            if name not in [x["name"] for x in labels]:
                return _error(404, "Label does not exist")
            labels[:] = [x for x in labels if x["name"] != name]
            return httpx.Response(200, json=labels)
        commit = COMMIT_PULLS.match(path)
        if request.method == "GET" and commit is not None:
            if commit[1] != self.repository:
                return _error(404, "Not Found")
            if not _allows(granted.permissions, "contents", "read"):
                return _error(403, "Resource not accessible by integration")
            # GitHub: the pull requests a commit belongs to, merged ones by their merge commit.
            found = [
                p
                for p in self.pulls.values()
                if commit[2] in (p.get("merge_commit_sha"), p["head"]["sha"])
            ]
            return httpx.Response(200, json=found)
        routes = (
            ("GET", PULL, self._pull, "pull-requests", "read"),
            ("GET", COMMENTS, self._list, "pull-requests", "read"),
            ("POST", COMMENTS, self._create, "pull-requests", "write"),
            ("PATCH", COMMENT, self._edit, "pull-requests", "write"),
        )
        for method, pattern, handler, scope, level in routes:
            match = pattern.match(path)
            if request.method != method or match is None:
                continue
            if match[1] != self.repository:
                return _error(404, "Not Found")
            if not _allows(granted.permissions, scope, level):
                return _error(403, "Resource not accessible by integration")
            return handler(request, int(match[2]), body, granted)
        return _error(404, "Not Found")

    def _pull(self, _request: httpx.Request, number: int, _body: Any, _t: Token) -> httpx.Response:
        if number not in self.pulls:
            return _error(404, "Not Found")
        pull = self.pulls[number]
        if self.branch_head is not None:
            pull["head"]["sha"] = self.branch_head(pull["head"]["ref"])
        return httpx.Response(200, json=pull)

    def _list(self, request: httpx.Request, number: int, _body: Any, _t: Token) -> httpx.Response:
        params = request.url.params
        per_page = min(int(params.get("per_page", 30)), 100)
        page = int(params.get("page", 1))
        found = self.of(number)
        chunk = found[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(found):
            following = request.url.copy_merge_params({"page": str(page + 1)})
            headers["Link"] = f'<{following}>; rel="next"'
        return httpx.Response(200, json=chunk, headers=headers)

    def _create(
        self, _request: httpx.Request, number: int, body: Any, token: Token
    ) -> httpx.Response:
        if number not in self.pulls:
            return _error(404, "Not Found")
        problem = _invalid(body)
        if problem:
            return _error(422, problem)
        return httpx.Response(201, json=self.add_comment(number, body["body"], token.login))

    def _edit(
        self, _request: httpx.Request, comment_id: int, body: Any, token: Token
    ) -> httpx.Response:
        found = next((c for c in self.comments if c["id"] == comment_id), None)
        if found is None:
            return _error(404, "Not Found")
        if found["user"]["login"] != token.login:
            return _error(403, "Resource not accessible by integration")
        problem = _invalid(body)
        if problem:
            return _error(422, problem)
        found["body"] = body["body"]
        return httpx.Response(200, json=found)

    # ---- over HTTP -------------------------------------------------------------------

    @contextmanager
    def serve(self) -> Iterator[str]:
        """This API on 127.0.0.1; yields its base URL (for GITHUB_API_URL)."""
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = httpx.Request(
                    self.command,
                    f"http://{self.headers.get('Host')}{self.path}",
                    headers=dict(self.headers),
                    content=self.rfile.read(length),
                )
                response = api(request)
                payload = response.read()
                self.send_response(response.status_code)
                for name, value in response.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_DELETE = _any

            def log_message(self, *_args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, name="fake-github")
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def _allows(permissions: Mapping[str, str], scope: str, level: str) -> bool:
    granted = permissions.get(scope, "none")
    return granted == "write" or (level == "read" and granted == "read")


def _invalid(body: Any) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("body"), str):
        return 'Invalid request. "body" wasn\'t supplied.'
    if len(body["body"]) > LIMIT:
        return f"Validation Failed: body is too long (maximum is {LIMIT} characters)"
    return None


def _error(status: int, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"message": message, "documentation_url": "https://docs.github.com/rest"}
    )
