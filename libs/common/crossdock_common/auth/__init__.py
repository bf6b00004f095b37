"""Authentication: bearer tokens for service APIs and the signatures of the entry points that carry none."""
