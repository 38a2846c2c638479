"""The other kinds' routes, from their URI templates, and which endpoint serves each operation.

Bedrock's and AgentCore's paths do not overlap, so the path alone finds the operation; the
SigV4 signing name (the credential scope's service) then tells which endpoint a client meant:
a request signed for ``bedrock`` reaches only Bedrock's operations, one signed for
``bedrock-agentcore`` only AgentCore's, as each real endpoint knows only its own.
"""

from __future__ import annotations

from urllib.parse import unquote

from emulator.kinds.contract import AGENTCORE_SIGNING_NAME, BATCH_EVALUATION_OPERATIONS, KIND_OPERATIONS

_FLAT = {(method, uri): op for op, (method, uri, _) in KIND_OPERATIONS.items() if "{" not in uri}
# (method, the path before the label, operation) of the templates that end in one label.
_LABELED = [
    (method, uri[: uri.index("{")], op) for op, (method, uri, _) in KIND_OPERATIONS.items() if "{" in uri
]
#: The signing names of the rest-json endpoints the port stands in for.
SIGNING_NAMES = ("bedrock", AGENTCORE_SIGNING_NAME)


def kind_route(method: str, path: str) -> tuple[str, str | None] | None:
    """(operation, decoded label or None) of one of the other kinds, or None."""
    op = _FLAT.get((method, path))
    if op is not None:
        return (op, None)
    for route_method, prefix, op in _LABELED:
        label = path[len(prefix) :]
        if method == route_method and path.startswith(prefix) and label and "/" not in label:
            return (op, unquote(label))
    return None


def signing_name(op: str) -> str:
    """The signing name of the endpoint serving rest-json operation `op`."""
    return AGENTCORE_SIGNING_NAME if op in BATCH_EVALUATION_OPERATIONS else "bedrock"
