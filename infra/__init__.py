"""The janitor's CDK constructs, one per concern, composed by BedrockEvaluationJanitor
(janitor_construct.py), which a team's own CDK app uses and the app's JanitorStack holds.

Installed from the wheel this package is `bedrock_eval_janitor`:
`from bedrock_eval_janitor import BedrockEvaluationJanitor` (with the `cdk` extra).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .janitor_construct import BedrockEvaluationJanitor, JanitorArguments

__all__ = ["BedrockEvaluationJanitor", "JanitorArguments"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the command alone (no CDK installed) never loads aws_cdk.
    if name in __all__:
        try:
            from . import janitor_construct
        except ModuleNotFoundError as error:
            raise ModuleNotFoundError(
                f"{error}: the construct needs the CDK; install it with "
                "pip install 'bedrock-eval-janitor[cdk]'"
            ) from error
        return getattr(janitor_construct, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
