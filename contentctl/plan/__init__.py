"""Planning: step hashes against the lockfile, credit estimates, the plan itself (diff.py)."""
