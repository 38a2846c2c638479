"""Import (and optionally invoke) the handler from a Lambda asset directory, in a clean interpreter.

Run as `python -S asset_runner.py ASSET_DIR OVERLAY_DIR HANDLER [EVENT_JSON RESULT_FILE]`: with -S no
site-packages are on the path, so everything comes from the asset, except the host builds of the
asset's compiled modules (OVERLAY_DIR), because the asset's own are built for arm64 Lambda.
Standard library only: nothing of the test environment may leak in.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import uuid


class AssetContext:
    function_name = "bedrock-evaluation-janitor"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bedrock-evaluation-janitor"
    memory_limit_in_mb = 512
    aws_request_id = str(uuid.uuid4())
    log_group_name = "/aws/lambda/bedrock-evaluation-janitor"
    log_stream_name = "asset-runner"
    _deadline = time.monotonic() + 900

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


def main() -> None:
    asset, overlay, handler = sys.argv[1:4]
    sys.path[:0] = [overlay, asset]
    module_name, _, function_name = handler.rpartition(".")
    module = importlib.import_module(module_name)
    function = getattr(module, function_name)
    import aws_lambda_powertools
    import boto3

    report = {
        "callable": callable(function),
        "module_file": module.__file__,
        "boto3_file": boto3.__file__,
        "boto3_version": boto3.__version__,
        "powertools_file": aws_lambda_powertools.__file__,
    }
    if len(sys.argv) > 5:
        report["result"] = function(json.loads(sys.argv[4]), AssetContext())
        with open(sys.argv[5], "w") as result_file:
            json.dump(report, result_file)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
