"""What every benchmark reports of its samples."""

import statistics


def percentiles(times: list[float]) -> tuple[float, float]:
    """(p50, p95) of the samples, p95 the nearest rank."""
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95 + 0.5) - 1)]
