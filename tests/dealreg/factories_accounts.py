"""Accounts and direct opportunities for tests (saved through the model, so the match keys are set)."""

import factory

from dealreg.models import Account, DirectOpportunity


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n} Ltd")
    website = factory.Sequence(lambda n: f"https://www.customer{n}.com")
    country = "US"


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectOpportunity

    account = factory.SubFactory(AccountFactory)
    title = factory.Sequence(lambda n: f"Platform rollout {n}")
    stage = DirectOpportunity.Stage.OPEN
