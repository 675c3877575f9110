"""Stack orchestrators: each composes constructs and owns nothing else."""
