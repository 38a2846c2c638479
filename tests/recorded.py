"""The recorded-shape fixtures in tests/data/recorded/ and a way to compare JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parent / "data" / "recorded"


def recorded(name: str) -> dict[str, Any]:
    """A fixture's JSON body, e.g. ``recorded("list_evaluation_jobs")``."""
    data = json.loads((RECORDED / f"{name}.json").read_text())
    assert isinstance(data, dict)
    return data


def shape_of(value: Any) -> Any:
    """Member names and JSON types, values dropped: {"a": [1]} -> {"a": ["array", "number"]}.

    The elements of an array must share one shape, which stands for all of them.
    """
    if isinstance(value, dict):
        return {key: shape_of(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes = [shape_of(item) for item in value]
        assert all(shape == shapes[0] for shape in shapes), f"mixed shapes in an array: {shapes}"
        return ["array", shapes[0] if shapes else "empty"]
    if isinstance(value, bool):  # before int: json booleans are ints in Python
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    assert value is None, f"not JSON: {value!r}"
    return "null"
