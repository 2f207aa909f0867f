"""Signed links: the one way a link in an email names a row and proves that we made it.

A token holds the row's id and a secret kept on the row, signed with SECRET_KEY (Django's
`signing`, with a timestamp) and a salt of its own per purpose, so a link made for one purpose
opens nothing else. A new secret on the row stops every link made before it; a purpose with a
`max_age` also stops after that long.
"""

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.db import models
from django.utils.crypto import constant_time_compare


@dataclass(frozen=True)
class SignedLink:
    salt: str
    # The name of the row's id inside the signed value. Links already sent carry it, so a
    # purpose keeps its name (and its salt) for good.
    id_name: str
    max_age: dt.timedelta | None = None
    key_field: str = "key"  # the row's field that holds the link's secret

    def token(self, row: models.Model) -> str:
        value = {self.id_name: row.pk, "k": getattr(row, self.key_field)}
        return signing.dumps(value, salt=self.salt)

    def find(self, token: str, rows: models.QuerySet) -> models.Model | None:
        """The row of `rows` the token was made for, while the link is in date and the row's
        secret unchanged; else None."""
        try:
            value = signing.loads(token, salt=self.salt, max_age=self.max_age)
        except signing.BadSignature:  # also SignatureExpired
            return None
        if not isinstance(value, dict) or not isinstance(value.get(self.id_name), int):
            return None
        row = rows.filter(pk=value[self.id_name]).first()
        if row is None:
            return None
        return (
            row
            if constant_time_compare(str(value.get("k")), getattr(row, self.key_field))
            else None
        )
