"""TODO(recruitment): being written."""

__all__: list[str] = []
