from django import template
from django.utils.html import conditional_escape

from plain.linking import GlossaryLinker

register = template.Library()


@register.filter
def glossary_links(text, linker: GlossaryLinker | None):
    """Registry text with its first uses of glossary words linked (escaped either way)."""
    if not isinstance(linker, GlossaryLinker):
        return conditional_escape(text)
    return linker.link(text)
