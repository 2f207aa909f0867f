"""Fixed-window rate limits, counted where every web process counts together and where no flood
of cached pages can evict them: the "ratelimit" cache (RATELIMIT_CACHE_URL, see the README).

What is counted, and against whom:

- each client's requests to a form, an IPv6 client by its /64 (one subscriber line holds a
  whole /64, so rotating addresses inside it is one client);
- the emails sent to each address, spelled any way (case, +tags, Gmail's dots). Over that
  budget nobody is turned away: the email waits for the next window, once per sign-up or
  message. So a stranger cannot use the forms to flood an inbox, nor lock its owner out: the
  owner's own request is still confirmed within minutes of the attacker stopping;
- the messages passed on to each study team a day (counted in the database, see
  `RelayMessage.objects.for_study_in_last_day` in relay/models.py).
"""

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from .addresses import counting_identity

CACHE_ALIAS = "ratelimit"


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


# Generous enough for a person who retries, tight enough to stop a script.
SIGNUP_PER_CLIENT = Limit("signup-client", 20, 60 * 60)
CONTACT_PER_CLIENT = Limit("contact-client", 10, 60 * 60)
EMAILS_PER_ADDRESS = Limit("emails-address", 3, 15 * 60)
# Confirmed messages one trial's study team receives through us in 24 hours.
MESSAGES_PER_TRIAL_PER_DAY = 20


def _counters():
    return caches[CACHE_ALIAS]


def client_address(request: HttpRequest) -> str:
    """The visitor's IP: the one our own proxy appended to X-Forwarded-For when behind one."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def client_identity(request: HttpRequest) -> str:
    """Who a request counts against: its IPv4 address, or its IPv6 address's /64 network."""
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def _key(limit: Limit, identity: str, window: int) -> str:
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{limit.name}:{window}:{digest}"


def _window(limit: Limit, now: float) -> int:
    return int(now // limit.seconds)


def hit(limit: Limit, identity: str) -> int:
    """Count one attempt; the number of seconds to wait if it is over the limit, else 0."""
    counters = _counters()
    now = time.time()
    window = _window(limit, now)
    key = _key(limit, identity, window)
    counters.add(key, 0, timeout=limit.seconds + 60)
    try:
        count = counters.incr(key)
    except ValueError:  # expired between add and incr
        counters.set(key, 1, timeout=limit.seconds + 60)
        count = 1
    if count <= limit.count:
        return 0
    return max(1, math.ceil((window + 1) * limit.seconds - now))


def reset(limit: Limit, identity: str) -> None:
    """Forget the current window's count (for staff helping someone, and for tests)."""
    _counters().delete(_key(limit, identity, _window(limit, time.time())))


def check_client(request: HttpRequest, limit: Limit) -> int:
    """Seconds the client must wait before trying again (0: go ahead); counts this attempt."""
    return hit(limit, client_identity(request))


def email_budget(address: str, what: str) -> int:
    """Seconds to hold back one email to this address (0: send it now).

    `what` names the sign-up or message it is about: of several emails held back for one thing
    in one window, only the first is kept (the caller drops the others: -1).
    """
    wait = hit(EMAILS_PER_ADDRESS, counting_identity(address))
    if not wait:
        return 0
    window = _window(EMAILS_PER_ADDRESS, time.time())
    held = f"ratelimit:held:{window}:{hashlib.sha256(what.encode()).hexdigest()[:32]}"
    return wait if _counters().add(held, 1, timeout=EMAILS_PER_ADDRESS.seconds + 60) else -1


def wait_words(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
