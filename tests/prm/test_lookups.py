"""Integer `__in` ignores numbers no column can hold (prm.lookups), as Django's own `exact` does: they match
nothing, on SQLite as on PostgreSQL, instead of an OverflowError."""

from partners.models import Partner


def test_out_of_range_ids_match_nothing(partner_a):
    huge = 10**25
    assert list(Partner.objects.filter(pk__in=[huge])) == []
    assert list(Partner.objects.filter(pk__in=[huge, partner_a.pk, -huge])) == [partner_a]
    assert Partner.objects.filter(seller_count__in=[huge]).count() == 0
