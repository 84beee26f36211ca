import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from trial.models import DoseLevel, Site, SiteRole, Study


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.LazyFunction(lambda: make_password(None))  # unusable: tests force_login


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study
        django_get_or_create = ("registry_id",)

    registry_id = "NCT05734898"
    title = "NKG2D CAR-NK cells in relapsed/refractory AML"
    sponsor = "Zhejiang University"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    study = factory.SubFactory(StudyFactory)
    code = factory.Sequence(lambda n: f"{n % 100:02d}")
    name = factory.LazyAttribute(lambda o: f"Hospital {o.code}")
    country = "CN"


class SiteRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteRole

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)
    role = SiteRole.Role.COORDINATOR


class DoseLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoseLevel

    study = factory.SubFactory(StudyFactory)
    number = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda o: f"level {o.number}")
    cells_per_kg_million = factory.LazyAttribute(lambda o: 2 * o.number)
    is_placeholder = True
