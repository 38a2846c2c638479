"""What is wrong with a set of settings, each problem named as the person wrote the setting."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SettingProblem:
    #: The setting's name as it was written (a context key, a variable or an option).
    name: str
    message: str
    #: The value as given, or None when it was missing.
    value: str | None

    def describe(self) -> str:
        got = f" (got {self.value!r})" if self.value is not None else ""
        return f"{self.name}: {self.message}{got}"


class SettingsError(ValueError):
    """Invalid settings; the message names each one as it was written."""

    def __init__(self, problems: list[SettingProblem], where: str = "", advice: str = "") -> None:
        self.problems = problems
        listed = "; ".join(problem.describe() for problem in problems)
        super().__init__(f"Invalid {where}: {listed}. {advice}" if where else listed)
