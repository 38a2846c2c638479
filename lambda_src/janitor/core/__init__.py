"""Pure: the selection policy, what a delete call's answer means, error codes, the summary and report. Nothing here talks to AWS."""
