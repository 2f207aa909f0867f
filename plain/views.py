import hashlib
import string

from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.pagecache import cached_page

from .glossary import DATA, by_letter

# The entries only change with a release: their digest names what the cached page shows.
GLOSSARY_DIGEST = hashlib.sha256(DATA.read_bytes()).hexdigest()[:16]


def shows_glossary(**kwargs) -> list[str]:
    return [f"glossary:{GLOSSARY_DIGEST}"]


@require_safe
@cached_page(shows_glossary)
def glossary(request):
    """Every glossary entry, A to Z: the same bytes for every visitor, so it is cached whole."""
    groups = by_letter()
    present = {letter for letter, _ in groups}
    letters = [(letter, letter in present) for letter in string.ascii_uppercase]
    return render(request, "plain/glossary.html", {"groups": groups, "letters": letters})
