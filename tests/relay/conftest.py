# The relay's messages come from the subscriptions app's addresses: its fixtures serve here too.
from tests.subscriptions.conftest import (  # noqa: F401
    _empty_cache,
    commit,
    counted_in_redis,
    group,
    smtp,
    trial,
)
