"""Entry points only: the janitor of one target, and the organization run's coordinator."""
