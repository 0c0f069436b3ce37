"""An LMS's xAPI side for the package tests: a State API, and Ralph, a real LRS.

Ralph (PyPI `ralph-malph`) implements the Statements API only, so the State
API is served here, in the test process, on the loopback endpoint the
package is launched with; statements requests are passed on to Ralph, which
validates and stores them. Ralph lives in a virtual environment of its own
(tests/.lrs-venv, made by tests/install-tools.sh from tests/lrs-requirements.txt),
because it pins versions of packages coursepack uses too.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlencode

from tracking_support import CORS, LoopbackServer, Reply, StateDocuments

RALPH_VENV = Path(__file__).resolve().parent / ".lrs-venv"
RALPH_PYTHON = RALPH_VENV / "bin" / "python"
XAPI_VERSION = "1.0.3"
# Ralph's filesystem backend writes its file in "create" mode, so it stores the
# first statements request and refuses every later one: run it appending.
RALPH_LAUNCHER = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Ralph:
    """Ralph's LRS in a process of its own, storing statements in `folder`."""

    USER, PASSWORD = "lms", "lms-secret"

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "statements").mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_AUTH_FILE": str(folder / "auth.json"),
            "RALPH_HISTORY_FILE": str(folder / "history.json"),
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "statements"),
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def __enter__(self) -> "Ralph":
        subprocess.run(
            [str(RALPH_VENV / "bin" / "ralph"), "auth", "-u", self.USER, "-p", self.PASSWORD, "-s", "all",
             "-M", "mailto:lms@example.org", "-w"],
            env=self.env, check=True, capture_output=True,
        )
        log = (self.folder / "ralph.log").open("wb")
        self.process = subprocess.Popen([str(RALPH_PYTHON), "-c", RALPH_LAUNCHER, str(self.port)],
                                        env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__lbheartbeat__", timeout=1):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("Ralph did not start: " + (self.folder / "ralph.log").read_text(errors="replace")[-2000:])

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def request(self, method: str, resource: str, query: dict | None = None, body: bytes | None = None,
                content_type: str | None = None) -> tuple[int, bytes]:
        url = self.url + resource + ("?" + urlencode(query) if query else "")
        credentials = base64.b64encode(f"{self.USER}:{self.PASSWORD}".encode()).decode()
        headers = {"Authorization": f"Basic {credentials}", "X-Experience-API-Version": XAPI_VERSION}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def statements(self, **query: str) -> list[dict]:
        """Every statement Ralph stored that matches the query, following its `more` links."""
        found: list[dict] = []
        status, body = self.request("GET", "statements", {**query, "limit": "100"})
        while True:
            assert status == 200, body
            page = json.loads(body)
            found.extend(page["statements"])
            if not page.get("more"):
                return found
            more = page["more"].split("?", 1)[1]
            status, body = self.request("GET", "statements?" + more)


class XapiLms:
    """An LMS that launches xAPI content (the launch link's parameters), with its LRS:
    the State API served here, statements passed on to Ralph.

    It answers on its own loopback port, so the content talks to it across
    origins, as to a real LMS; hence the CORS answers."""

    def __init__(self, server: LoopbackServer, ralph: Ralph, activity_id: str):
        self.server = server
        self.ralph = ralph
        self.auth = "Basic " + base64.b64encode(b"launch:" + uuid.uuid4().hex.encode()).decode()
        self.actor = {"objectType": "Agent", "name": "Lee Learner",
                      "account": {"homePage": "https://lms.example.org", "name": "learner-" + uuid.uuid4().hex[:8]}}
        self.registration = str(uuid.uuid4())
        self.activity_id = activity_id
        self.state = StateDocuments()
        self.requests: list[tuple[str, str, dict, dict]] = []  # method, path, query, headers
        self.posts: list[tuple[int, int]] = []  # each statements POST: how many statements, Ralph's status
        # Launch parameters the LMS made up and expects back on every request; not Ralph's business.
        self.echoed: dict[str, str] = {}
        self.lock = threading.Lock()
        server.handlers.append(self.handle)

    @property
    def endpoint(self) -> str:
        return self.server.url("/lrs/")

    def launch_url(self, content_url: str, **parameters: str | None) -> str:
        """The launch link; a parameter given as None is left out."""
        query = {
            "endpoint": self.endpoint,
            "auth": self.auth,
            "actor": json.dumps(self.actor),
            "registration": self.registration,
            "activity_id": self.activity_id,
            **parameters,
        }
        return content_url + "?" + urlencode({k: v for k, v in query.items() if v is not None})

    def handle(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply | None:
        if not path.startswith("/lrs/"):
            return None
        if method == "OPTIONS":
            return Reply(status=204, headers=CORS)
        with self.lock:
            self.requests.append((method, path, query, headers))
        if headers.get("authorization") != self.auth or headers.get("x-experience-api-version") != XAPI_VERSION:
            return Reply(status=401, body=b'{"error": "bad credentials or version"}', headers=CORS)
        resource = path[len("/lrs/"):]
        if resource == "activities/state":
            with self.lock:
                return self.state.handle(method, query, body)
        if resource == "statements":
            passed_on = {k: v for k, v in query.items() if k not in self.echoed}
            status, answer = self.ralph.request(method, "statements", passed_on, body or None, headers.get("content-type"))
            if method == "POST":
                sent = json.loads(body)
                with self.lock:
                    self.posts.append((len(sent) if isinstance(sent, list) else 1, status))
            return Reply(status=status, body=answer, headers=CORS)
        return Reply(status=404, body=b"", headers=CORS)

    def statements(self) -> list[dict]:
        """What Ralph stored for this learner (and registration, if any), in timestamp order."""
        query = {"agent": json.dumps(self.actor)}
        if self.registration:
            query["registration"] = self.registration
        return sorted(self.ralph.statements(**query), key=lambda s: s["timestamp"])

    def document(self, state_id: str = "coursepack.state") -> dict | None:
        return self.state.get(self.activity_id, self.actor, self.registration, state_id)
