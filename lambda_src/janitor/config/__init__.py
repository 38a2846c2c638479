"""The deployment's settings, an invocation's overrides and target, and their bounds."""
