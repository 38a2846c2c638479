"""The organization run: its accounts, its results in S3, its start and its report."""
