"""Fixed-window rate limits kept in the shared cache, so every web process counts together."""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


# Generous enough for a person who retries, tight enough to stop a script mailing strangers.
SIGNUP_PER_ADDRESS = Limit("signup-address", 5, 60 * 60)
SIGNUP_PER_CLIENT = Limit("signup-client", 20, 60 * 60)
CONTACT_PER_ADDRESS = Limit("contact-address", 5, 60 * 60)
CONTACT_PER_CLIENT = Limit("contact-client", 10, 60 * 60)


def client_address(request: HttpRequest) -> str:
    """The visitor's IP: the one our own proxy appended to X-Forwarded-For when behind one."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def _key(limit: Limit, identity: str, window: int) -> str:
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{limit.name}:{window}:{digest}"


def hit(limit: Limit, identity: str) -> int:
    """Count one attempt; the number of seconds to wait if it is over the limit, else 0."""
    now = time.time()
    window = int(now // limit.seconds)
    key = _key(limit, identity, window)
    cache.add(key, 0, timeout=limit.seconds + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.seconds + 60)
        count = 1
    if count <= limit.count:
        return 0
    return max(1, math.ceil((window + 1) * limit.seconds - now))


def check(request: HttpRequest, email: str, per_address: Limit, per_client: Limit) -> int:
    """Seconds to wait before trying again (0: go ahead). Both counters count every attempt."""
    waits = [hit(per_client, client_address(request))]
    if email:
        waits.append(hit(per_address, email))
    return max(waits)


def wait_words(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
