"""Django's database cache with an atomic increment.

`BaseCache.incr` reads the value and writes it back: two workers incrementing one counter at
the same moment both write the same number (the API rate limit let parallel requests through),
and the write resets the key's expiry to the default timeout. Here the row is locked for the
read and the write, and the key keeps its expiry.
"""

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils import timezone


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT expires FROM {table} WHERE cache_key = %s{lock}",
                    [self.make_and_validate_key(key, version=version)],
                )
                row = cursor.fetchone()
            value = self.get(key, self._missing_key, version=version)
            if row is None or value is self._missing_key:
                raise ValueError(f"Key '{key}' not found")
            remaining = (self._expiry(connection, row[0]) - timezone.now()).total_seconds()
            new_value = value + delta
            self.set(key, new_value, timeout=max(remaining, 0.001), version=version)
        return new_value

    @staticmethod
    def _expiry(connection, expires):
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return expires
