"""doanet: see README.md (not yet implemented; tracked in the project's issues)."""
