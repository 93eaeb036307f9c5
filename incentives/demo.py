"""(being built)"""


def seed_incentives(*, stdout=None) -> None:
    pass
