from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..seo import json_for_script, medical_trial

register = template.Library()


@register.simple_tag
def medical_trial_jsonld(trial, locations):
    """The trial's schema.org data as a JSON-LD block (data, not script: the CSP allows it)."""
    data = mark_safe(json_for_script(medical_trial(trial, locations)))  # noqa: S308 - escaped above
    return format_html('<script type="application/ld+json">{}</script>', data)
