"""The run engine: list, select, look tags up, delete, within the cap and the deadline; and each target's stores."""
