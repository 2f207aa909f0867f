import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    # Pages and rate limits live in the cache; each test starts from an empty one.
    cache.clear()
