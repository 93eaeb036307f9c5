"""TODO(onboarding): being written."""

__all__: list[str] = []
