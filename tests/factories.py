import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from partners.models import Partner, PartnerMembership
from prm.models import CHANNEL_MANAGERS_GROUP, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class ChannelManagerFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def channel_manager_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get_or_create(name=CHANNEL_MANAGERS_GROUP)[0])


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partner {n} Ltd")
    type = Partner.Type.VAR
    status = Partner.Status.ACTIVE

    @factory.post_generation
    def agreement_accepted(obj, create, extracted, **kwargs):
        """The company accepted the current agreement, so the agreement gate lets its people in.
        PartnerFactory(agreement_accepted=False) for one that has not."""
        if create and extracted is not False:
            from partners.models import AgreementAcceptance, AgreementVersion

            version = AgreementVersion.objects.filter(is_current=True).first()
            if version is not None:
                AgreementAcceptance.objects.get_or_create(
                    partner=obj, version=version, defaults={"signer_name": "Signer for tests"}
                )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerMembership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = PartnerMembership.Role.SALES
