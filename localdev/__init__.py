"""Local stand-ins for AWS (the Bedrock emulator and moto server) shared by the tests and the demo."""
