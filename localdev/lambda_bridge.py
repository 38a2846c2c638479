"""moto's Lambda, bridged: each registered function's handler runs in this process.

moto would run functions in Docker, which this machine lacks; the bridge imports the handler
afresh (a cold start) and invokes it one invocation at a time, with the environment the
template gives the function (its LAMBDA_TASK_ROOT the function's own asset).
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from moto.awslambda.models import LambdaFunction

from janitor import SERVICE_NAME
from localdev.lambda_runtime import LocalLambdaContext
from localdev.services import ACCOUNT_ID, REGION, environment


def cold_start(module_name: str) -> ModuleType:
    """Import a handler module afresh, as a new Lambda execution environment would."""
    sys.modules.pop(module_name, None)
    logging.Logger.manager.loggerDict.pop(SERVICE_NAME, None)
    return importlib.import_module(module_name)


@dataclass
class BridgedFunction:
    arn: str
    module: ModuleType
    variables: dict[str, str]


class LambdaBridge:
    """moto's Lambda, invoking each registered function's handler in this process.

    One invocation at a time in all (a process has one environment, and each function's
    variables are set for its invocation): the run is serial, its outcome the same.
    """

    def __init__(self) -> None:
        self.functions: dict[str, BridgedFunction] = {}
        #: What the functions wrote to stdout (their log group, on AWS): JSON log lines, EMF.
        self.logs = io.StringIO()
        self._one_at_a_time = threading.Lock()

    def register(self, name: str, handler: str, variables: Mapping[str, str]) -> None:
        module_name = handler.rsplit(".", 1)[0]
        with environment(dict(variables)), redirect_stdout(self.logs):
            module = cold_start(module_name)
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
        self.functions[name] = BridgedFunction(arn, module, dict(variables))

    def _invoke(self, function: BridgedFunction, body: bytes, response_headers: dict[str, str]) -> bytes:
        event = json.loads(body) if body else {}
        name = function.arn.rsplit(":", 1)[-1]
        with self._one_at_a_time, environment(function.variables), redirect_stdout(self.logs):
            context = LocalLambdaContext(function_name=name, invoked_function_arn=function.arn)
            try:
                result = function.module.lambda_handler(event, context)
            except Exception as error:  # Lambda reports an unhandled error this way
                response_headers["x-amz-function-error"] = "Unhandled"
                result = {"errorType": type(error).__name__, "errorMessage": str(error)}
        return json.dumps(result).encode()

    @contextmanager
    def installed(self) -> Iterator[LambdaBridge]:
        original = LambdaFunction.invoke
        bridge = self

        def invoke(self: LambdaFunction, body: Any, request_headers: Any, response_headers: Any) -> Any:
            function = bridge.functions.get(self.function_name)
            if function is None:
                return original(self, body, request_headers, response_headers)
            return bridge._invoke(function, body, response_headers)

        LambdaFunction.invoke = invoke  # type: ignore[method-assign]
        try:
            yield self
        finally:
            LambdaFunction.invoke = original  # type: ignore[method-assign]
