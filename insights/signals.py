"""Signal receivers of insights."""
