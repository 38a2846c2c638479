"""DELETE_OUTPUTS: where a job's outputs are (pure), the bucket probe, and their removal."""
