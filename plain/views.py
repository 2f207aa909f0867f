import hashlib
import string

from django.shortcuts import render
from django.views.decorators.http import require_safe

from trials import pagecache

from .glossary import DATA, by_letter


@require_safe
def glossary(request):
    """Every glossary entry, A to Z: the same bytes for every visitor, so it is cached whole."""

    def render_glossary(extra: dict):
        groups = by_letter()
        present = {letter for letter, _ in groups}
        letters = [(letter, letter in present) for letter in string.ascii_uppercase]
        context = {"groups": groups, "letters": letters, **extra}
        return render(request, "plain/glossary.html", context)

    # The entries only change with a release: their digest names the cached page.
    digest = hashlib.sha256(DATA.read_bytes()).hexdigest()[:16]
    return pagecache.serve(request, f"page:v3:glossary:{digest}", [], render_glossary)
