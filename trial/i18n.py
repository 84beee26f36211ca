"""The models' own texts in the reader's language: verbose names, help texts and choice labels.

Django names most fields after their attribute (`date_of_birth` -> "date of birth"), and the
project's ~370 fields and their history tables rarely spell a name out. Writing
`verbose_name=_("date of birth")` on each would change nothing in the database, yet add an
AlterField operation per field and per history table to the migrations (~750 of them, each
re-rendering the model graph at every `migrate`). Instead, when the apps are ready,
`translate_models()` makes each of those texts a lazy translation of itself: the English stays
what it was (and what migrations, exports and the API see), the page shows the user's language.

`model_texts()` lists the same texts, as the models hold them, for the catalog:
`manage.py messages` writes them to `trial/model_texts.py` for xgettext, so a new field or choice
becomes an untranslated entry that tests/test_translations.py reports.
"""

from collections.abc import Iterator

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, gettext_noop, override

# simple-history names its tables "historical <model>" in English only
HISTORICAL = gettext_noop("historical {}")


def _project_models() -> Iterator[type[models.Model]]:
    for model in apps.get_models():
        if model._meta.app_label in settings.PROJECT_APPS:
            yield model


def _is_history(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type")


def _choice_classes(model: type[models.Model]) -> Iterator[type[models.Choices]]:
    for attr in vars(model).values():
        if isinstance(attr, type) and issubclass(attr, models.Choices):
            yield attr


# text -> where it was found, filled by translate_models(): plain English texts only (a text that
# is already lazy comes from Django or a library, translated by their own catalogs)
_TEXTS: dict[str, list[str]] = {HISTORICAL: ["simple_history: the name of each history table"]}


def _lazy(text, where: str):
    if not isinstance(text, str) or not text:
        return text
    origins = _TEXTS.setdefault(text, [])
    if where not in origins:
        origins.append(where)
    return gettext_lazy(text)


def _lazy_choices(choices, where: str):
    lazy = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # a named group of choices
            lazy.append((_lazy(value, where), _lazy_choices(label, where)))
        else:
            lazy.append((value, _lazy(label, where)))
    return lazy


def register(texts, where: str) -> None:
    """Texts held as data rather than by a model (the protocol's criteria): into the catalog,
    translated where they are shown (`gettext(text)`)."""
    for text in texts:
        _lazy(text, where)


def model_texts() -> dict[str, list[str]]:
    """Every plain text of the project's models (English) with where it is used, in model order."""
    return _TEXTS


def translate_models() -> None:
    """Each model text becomes a lazy translation of itself (once: lazy texts are left as they are)."""
    for model in _project_models():
        opts = model._meta
        name = f"{opts.app_label}.{opts.object_name}"
        if _is_history(model):
            original = model.instance_type._meta
            where = f"{original.app_label}.{original.object_name}"
            opts.verbose_name = format_lazy(
                gettext_lazy(HISTORICAL), _lazy(original.verbose_name, where)
            )
            opts.verbose_name_plural = format_lazy(
                gettext_lazy(HISTORICAL), _lazy(original.verbose_name_plural, where)
            )
        else:
            # Django derives an unnamed plural lazily ("{}s"): its English text is the msgid
            with override(None):
                opts.verbose_name = _lazy(str(opts.verbose_name), name)
                opts.verbose_name_plural = _lazy(str(opts.verbose_name_plural), name)
        for field in opts.local_fields + opts.local_many_to_many:
            where = f"{name}.{field.name}"
            field.verbose_name = _lazy(field.verbose_name, where)
            field.help_text = _lazy(field.help_text, where)
            if field.choices:
                field.choices = _lazy_choices(field.choices, where)
        for choices in _choice_classes(model):
            for member in choices:
                member._label_ = _lazy(member._label_, f"{name}.{choices.__name__}")
