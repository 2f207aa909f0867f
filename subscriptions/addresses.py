"""Email addresses visitors give us: which we accept, and which count as the same person.

Pure functions: no models, so forms, rate limits and tests share them.
"""

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

NOT_PUBLIC = (
    "Please use an email address on the public internet, such as name@example.org: "
    "we cannot deliver to this one."
)

# Top-level names that never reach the public internet: special-use names (RFC 2606, 6761,
# 6762, 8375, 9476) and the private names that networks use by custom.
_PRIVATE_TLDS = frozenset(
    {
        *("localhost", "local", "test", "invalid", "example", "internal", "alt", "onion"),
        *("arpa", "localdomain", "lan", "home", "corp", "intranet", "private"),
    }
)

# Django's own check, without its default allowance of user@localhost.
_syntax = EmailValidator(allowlist=[])

# Providers that ignore dots in the local part (ada.lovelace@ and adalovelace@ are one inbox).
_DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def validate_public_email(value: str) -> None:
    """Refuse addresses mail cannot reach across the internet: IP literals, single-label domains
    (root@localhost, nurse@intranet) and reserved or private top-level names."""
    local, at, domain = value.rpartition("@")
    domain = domain.rstrip(".").lower()
    labels = domain.split(".")
    if local and at and (domain.startswith("[") or len(labels) < 2 or labels[-1] in _PRIVATE_TLDS):
        raise ValidationError(NOT_PUBLIC, code="not_public")
    _syntax(value)


def counting_identity(email: str) -> str:
    """One string for every spelling of one inbox, for rate limits only (never for sending).

    Case does not matter, “+tags” go (ada+1@ and ada+2@ reach ada@), and Gmail ignores dots.
    """
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    domain = domain.rstrip(".")
    if domain in _DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"
