"""Import every module of the function's asset and make one call with each client it creates, in
a clean interpreter, so a model trimmed from the asset cannot go unnoticed.

Run as `python -S asset_clients_runner.py ASSET_DIR OVERLAY_DIR SERVICE...` with the function's
environment (its endpoints pointed at the emulator and moto). Prints one JSON report. Standard
library only until the asset is on the path: nothing of the test environment may leak in.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from typing import Any

#: One harmless call a client of each service makes: a read, on the emulator or moto.
CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "bedrock": ("list_evaluation_jobs", {"maxResults": 1}),
    "bedrock-agentcore": ("list_batch_evaluations", {"maxResults": 1}),
    "resourcegroupstaggingapi": (
        "get_resources",
        {"ResourceARNList": ["arn:aws:bedrock:us-east-1:123456789012:evaluation-job/abcdefghij12"]},
    ),
    "s3": ("list_buckets", {}),
    "sns": ("list_topics", {}),
    "sts": ("get_caller_identity", {}),
    "organizations": ("list_roots", {}),
    "stepfunctions": ("list_state_machines", {}),
}


def main() -> None:
    asset, overlay, *services = sys.argv[1:]
    sys.path[:0] = [overlay, asset]
    import janitor

    modules = []
    for module in pkgutil.walk_packages(janitor.__path__, "janitor."):
        importlib.import_module(module.name)
        modules.append(module.name)

    import boto3
    from botocore.exceptions import ClientError

    from janitor.aws.sdk import client_config

    session = boto3.session.Session()
    calls: dict[str, str] = {}
    for service in services:
        if service not in CALLS:
            calls[service] = "no call in asset_clients_runner.CALLS: add one"
            continue
        method, arguments = CALLS[service]
        client = session.client(service, config=client_config())  # type: ignore[call-overload]
        try:
            getattr(client, method)(**arguments)
            calls[service] = "ok"
        except ClientError as error:
            # A modeled answer, parsed: the model is there (moto has no organization yet).
            calls[service] = f"ok: {error.response['Error']['Code']}"
    print(json.dumps({"modules": modules, "calls": calls, "botocore": sys.modules["botocore"].__file__}))


if __name__ == "__main__":
    main()
