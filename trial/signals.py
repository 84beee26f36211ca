"""Cache invalidation only (no business logic here): a change of a site role, through any
path, clears its user's cached roles (`trial.selectors.active_roles`)."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import SiteRole
from .selectors import role_cache_key


@receiver(post_save, sender=SiteRole)
@receiver(post_delete, sender=SiteRole)
def _forget_cached_roles(sender, instance, **kwargs):
    key = role_cache_key(instance.user_id)
    cache.delete(key)
    # again once committed: a request between this write and its commit may have cached the
    # roles as they were
    transaction.on_commit(lambda: cache.delete(key))
