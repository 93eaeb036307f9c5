"""One URL converter for every row id in the project: `<id:pk>`.

Only what can be an id of a 64-bit primary key on every database matches: 1 to 18 digits. Anything else (a
25-digit number, text, a negative number) does not match the pattern, so it is a plain 404 instead of an
OverflowError (SQLite) or a database error on the way to one.
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(int(value))


class AnyPathConverter:
    """Whatever is left of a path, newlines included (Django's `path` stops at one): the API's catch-all 404."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    register_converter(IdConverter, "id")
    register_converter(AnyPathConverter, "anypath")
