"""A loopback endpoint that answers every request with AWS query-protocol errors (SNS's protocol).

moto cannot be told to fail, so the tests point AWS_ENDPOINT_URL_SNS here to prove that a
failure report that cannot be published is retried and then fails the invocation loudly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

#: (HTTP status, error code) pairs, as SNS sends them for throttling and for a server fault.
THROTTLED = (400, "Throttling")
SERVER_ERROR = (500, "InternalError")


class FailingEndpoint:
    """Answers request N with errors[min(N, len(errors) - 1)], after `delay_seconds`; counts the requests."""

    def __init__(self, errors: Sequence[tuple[int, str]], delay_seconds: float = 0.0) -> None:
        self.errors = list(errors)
        self.delay_seconds = delay_seconds
        self.requests = 0
        lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(endpoint.delay_seconds)
                with lock:
                    status, code = endpoint.errors[min(endpoint.requests, len(endpoint.errors) - 1)]
                    endpoint.requests += 1
                body = (
                    '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error>'
                    f"<Type>{'Sender' if status < 500 else 'Receiver'}</Type><Code>{code}</Code>"
                    f"<Message>Injected {code}</Message></Error><RequestId>failing-endpoint</RequestId></ErrorResponse>"
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FailingEndpoint:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
