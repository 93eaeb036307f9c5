"""What insights tells the lower apps through their registries (tier requirement providers)."""


def register() -> None:
    pass
