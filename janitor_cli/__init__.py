"""`bedrock-eval-janitor`: the janitor's selection, run by a person against their own account.

Not part of the Lambda asset. `plan` lists and selects exactly as the function does (its settings
model, its run in dry-run mode, its tag lookups) and can write the selection to a plan file;
`apply` deletes exactly a reviewed plan's jobs, re-checking each; `run` does both in one go.
"""
