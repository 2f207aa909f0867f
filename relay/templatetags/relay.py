from django import template

from ..forms import ContactStudyForm

register = template.Library()


@register.inclusion_tag("relay/_contact_form.html")
def contact_form(trial) -> dict:
    """The empty form to write to the team of `trial`, for its page (the same for everyone)."""
    return {"trial": trial, "contact_form": ContactStudyForm()}
