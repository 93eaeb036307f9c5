"""The benchmark command (`manage.py bench_dealreg`) on a tiny size: it fills the test database and prints its
figures. The numbers themselves are not checked: it is a benchmark, not a timed test."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dealreg.models import Account, Registration

KEYS = {
    "conflict_check_p50_ms",
    "conflict_check_p95_ms",
    "registrations",
    "accounts",
    "generate_s",
    "submit_p95_ms",
}


@pytest.mark.django_db(transaction=True)
def test_tiny_run_prints_every_figure():
    out = StringIO()
    call_command(
        "bench_dealreg", "--no-scratch", "--accounts", "50", "--registrations", "200", "--samples", "5", stdout=out
    )
    figures = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert set(figures) >= KEYS
    assert figures["registrations"] == "200"
    assert figures["accounts"] == "50"
    for key in ("conflict_check_p50_ms", "conflict_check_p95_ms", "submit_p95_ms"):
        assert float(figures[key]) >= 0
    assert Account.objects.count() == 50
    # The generated rows carry the match keys the models would compute.
    for registration in Registration.objects.exclude(partner__name="Bench Prober")[:20]:
        name_key, domain = registration.name_key, registration.domain
        registration.refresh_match_keys()
        assert (registration.name_key, registration.domain) == (name_key, domain)


@pytest.mark.django_db
def test_no_scratch_refuses_a_database_that_is_not_a_test_one(monkeypatch):
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "NAME", "prm")
    with pytest.raises(CommandError, match="Refusing"):
        call_command("bench_dealreg", "--no-scratch", "--registrations", "10", stdout=StringIO())
