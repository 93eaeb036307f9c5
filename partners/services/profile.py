"""TODO(profile): being written."""

__all__: list[str] = []
