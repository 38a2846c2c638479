"""Fixtures shared by every test that needs the local AWS stand-ins or the real handler."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from localdev.lambda_runtime import LocalLambdaContext, cold_start_handler_module, emitted_metrics, json_lines
from localdev.services import LocalAws, local_aws


@pytest.fixture
def local() -> Iterator[LocalAws]:
    """The Bedrock emulator and moto server on free loopback ports, stopped after the test."""
    with local_aws() as services:
        yield services


@dataclass
class Invocation:
    result: dict[str, Any] | None
    error: Exception | None
    #: Every JSON line the invocation wrote to stdout: Powertools log lines and EMF metric blobs.
    lines: list[dict[str, Any]]
    #: What the context's clock had left when the handler returned (Lambda would have cut it at 0).
    seconds_left: float

    @property
    def metrics(self) -> dict[str, float]:
        return emitted_metrics(self.lines)

    def kind_metrics(self, kind: str) -> dict[str, float]:
        return emitted_metrics(self.lines, kind)

    @property
    def metric_blobs(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if "_aws" in line]

    def logs(self, message: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line.get("message") == message]

    def logged_arns(self, message: str) -> list[str]:
        """Every ARN the lines with `message` name, whether one a line (`jobArn`) or a batch a
        line (`jobArns`, whose `count` must match)."""
        arns: list[str] = []
        for line in self.logs(message):
            if "jobArns" in line:
                assert line["count"] == len(line["jobArns"])
                arns.extend(line["jobArns"])
            else:
                arns.append(line["jobArn"])
        return arns


Invoker = Callable[..., Invocation]


@pytest.fixture
def invoke(local: LocalAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Invoker:
    """Cold-start the real handler with the given settings and invoke it once with `event`."""

    def run(event: Any, timeout_seconds: float = 900.0, **settings: str) -> Invocation:
        for name, value in local.function_environment(**settings).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        handler = cold_start_handler_module()
        result: dict[str, Any] | None = None
        error: Exception | None = None
        context = LocalLambdaContext(timeout_seconds)
        try:
            result = handler.lambda_handler(event, context)
        except Exception as raised:  # the invocation's error is what Lambda would report
            error = raised
        seconds_left = context.get_remaining_time_in_millis() / 1000
        return Invocation(result, error, json_lines(capsys.readouterr().out), seconds_left)

    return run
