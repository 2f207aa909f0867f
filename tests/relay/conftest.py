# The relay's messages come from the subscriptions app's addresses: its fixtures serve here too.
from tests.subscriptions.conftest import (  # noqa: F401
    commit,
    counted_in_redis,
    group,
    smtp,
    trial,
)
