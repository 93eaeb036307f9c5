"""`__in` on integer columns ignores numbers no column of that type can hold, as Django already does for `exact`,
`gt`, `lt`… (IntegerFieldOverflow): they match nothing. Without it a form choice or filter of
10000000000000000000000000 raised OverflowError on SQLite (a 500) where PostgreSQL simply found nothing.
Registered once for the whole project in PrmConfig.ready()."""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())

            def fits(value) -> bool:
                return not isinstance(value, int) or (
                    (low is None or value >= low) and (high is None or value <= high)
                )

            self.rhs = [value for value in self.rhs if fits(value)]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
