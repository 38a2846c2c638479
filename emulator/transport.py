"""The HTTP plumbing: a threaded keep-alive server on 127.0.0.1, routing, and the service lifecycle.

Three protocols share the port, as AWS endpoints would not: Bedrock's and AgentCore's rest-json
(the operation is in the method and path; emulator/kinds/routes.py for AgentCore's), the
Resource Groups Tagging API's JSON 1.1 (``POST /`` with the operation in ``X-Amz-Target``) and
STS's query protocol for GetCallerIdentity alone (emulator.identity). A request carrying ``X-Amz-Target`` is JSON 1.1, and so are its
reply's content type and error shape.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote

from emulator.contract import TAGGING_CONTENT_TYPE, TAGGING_OPERATIONS, TAGGING_TARGET_PREFIX
from emulator.identity import STS_CONTENT_TYPE, answer_sts, is_sts_query
from emulator.kinds.routes import SIGNING_NAMES, kind_route, signing_name
from emulator.wire import ApiError

_FLAT_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/evaluation-jobs"): "ListEvaluationJobs",
    ("POST", "/evaluation-jobs"): "CreateEvaluationJob",
    ("POST", "/evaluation-jobs/batch-delete"): "BatchDeleteEvaluationJob",
    ("POST", "/tagResource"): "TagResource",
    ("POST", "/untagResource"): "UntagResource",
    ("POST", "/listTagsForResource"): "ListTagsForResource",
}

_TARGETS = {f"{TAGGING_TARGET_PREFIX}.{op}": op for op in TAGGING_OPERATIONS}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    body: bytes
    #: The X-Amz-Target header: set only for JSON 1.1 requests.
    target: str | None = None
    #: The Authorization header (SigV4: its credential scope names the access key and Region).
    authorization: str | None = None

    @property
    def json_1_1(self) -> bool:
        return self.target is not None

    @property
    def credential_scope(self) -> tuple[str, str] | None:
        """(access key id, Region) of a SigV4-signed request, or None when it is not signed."""
        found = _CREDENTIAL.search(self.authorization or "")
        return None if found is None else (found["key"], found["region"])

    @property
    def signing_name(self) -> str | None:
        found = _CREDENTIAL.search(self.authorization or "")
        return None if found is None else found["service"]


#: SigV4: "AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...".
_CREDENTIAL = re.compile(r"Credential=(?P<key>[^/\s,]+)/\d{8}/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]*)")


def route(request: Request) -> tuple[str, str | None] | None:
    """(operation, decoded jobIdentifier label) for a request, or None for an unknown route."""
    method, path = request.method, request.path
    if request.target is not None:
        op = _TARGETS.get(request.target) if (method, path) == ("POST", "/") else None
        return None if op is None else (op, None)
    found = _evaluation_route(method, path) or kind_route(method, path)
    signed = request.signing_name
    if found is not None and signed in SIGNING_NAMES and signed != signing_name(found[0]):
        return None  # the other service's endpoint has no such route
    return found


def _evaluation_route(method: str, path: str) -> tuple[str, str | None] | None:
    op = _FLAT_ROUTES.get((method, path))
    if op is not None:
        return (op, None)
    # botocore percent-encodes the whole ARN into one path segment (':' and '/' included).
    parts = path.split("/")
    if method == "GET" and len(parts) == 3 and parts[1] == "evaluation-jobs" and parts[2]:
        return ("GetEvaluationJob", unquote(parts[2]))
    if method == "POST" and len(parts) == 4 and parts[1] == "evaluation-job" and parts[3] == "stop":
        return ("StopEvaluationJob", unquote(parts[2]))
    return None


class HttpService:
    """Serves `_serve` (the API) and `_admin` (paths under /_emulator/) on 127.0.0.1 in a thread."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def _serve(self, request: Request) -> tuple[int, str]:
        raise NotImplementedError

    def _admin(self, method: str, path: str, query: str, body: bytes) -> tuple[int, str]:
        raise NotImplementedError

    def _caller(self, request: Request) -> tuple[str, str]:
        """(account, Region) a request acts in."""
        raise NotImplementedError

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("emulator already started")
        self._server = _Server(("127.0.0.1", self.port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},  # stop() waits up to one poll interval
            name=f"bedrock-emulator-{self._server.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return f"http://127.0.0.1:{self._server.server_port}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Benchmarks open many keep-alive connections at once; the default backlog of 5 resets them.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], service: HttpService) -> None:
        self.service = service
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn, a reverse DNS lookup that can hang
        # for seconds on a machine without network.
        TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def track(self, conn: socket.socket, alive: bool) -> None:
        with self._conns_lock:
            if alive:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def close_connections(self) -> None:
        # Keep-alive connections would otherwise keep being served by their threads after stop().
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-reply (timeouts, Ctrl-C) are routine, not worth a traceback.
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # http.server's own replies (send_error for a malformed request line, 100-continue) write
    # headers and body separately; with Nagle on, such a keep-alive reply waits ~40 ms for the
    # client's delayed ACK. _send below avoids it by writing once, but keep both safeguards.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _handle(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            self._send_error(ApiError("ValidationException", "Invalid Content-Length header."))
            return
        body = self.rfile.read(length) if length > 0 else b""
        path, _, query = self.path.partition("?")
        request = Request(
            self.command,
            path,
            query,
            body,
            self.headers.get("X-Amz-Target"),
            self.headers.get("Authorization"),
        )
        service = self.server.service
        if is_sts_query(self.command, path, body, request.target):
            status, xml = answer_sts(body, service._caller(request)[0])
            self._send(status, xml.encode(), content_type=STS_CONTENT_TYPE)
            return
        try:
            if path.startswith("/_emulator/"):
                status, payload = service._admin(self.command, path, query, body)
            else:
                status, payload = service._serve(request)
        except ApiError as err:
            self._send_error(err, request.json_1_1)
            return
        except Exception as exc:  # a bug must still produce a parseable reply
            code = "InternalServiceException" if request.json_1_1 else "InternalServerException"
            self._send_error(ApiError(code, f"Emulator error: {exc!r}", 500), request.json_1_1)
            return
        self._send(status, payload.encode(), request.json_1_1)

    def _send_error(self, err: ApiError, json_1_1: bool = False) -> None:
        # JSON 1.1 errors carry their code in the body only (no x-amzn-ErrorType header: the
        # reply headers recorded in aws/aws-cli#8109 have none).
        error_type = None if json_1_1 else err.code
        self._send(err.status, err.body(json_1_1).encode(), json_1_1, error_type)

    def _send(
        self,
        status: int,
        body: bytes,
        json_1_1: bool = False,
        error_type: str | None = None,
        content_type: str | None = None,
    ) -> None:
        lines = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
            f"x-amzn-RequestId: {uuid.uuid4()}",
            f"Content-Type: {content_type or (TAGGING_CONTENT_TYPE if json_1_1 else 'application/json')}",
            f"Content-Length: {len(body)}",
        ]
        if error_type is not None:
            lines.append(f"x-amzn-ErrorType: {error_type}")
        if self.close_connection:
            lines.append("Connection: close")
        # One write per reply: half the syscalls of send_response/end_headers/write.
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
