"""One adapter per AWS service the run calls, and the one place for client configuration."""
