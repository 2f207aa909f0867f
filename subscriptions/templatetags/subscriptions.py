from django import template

from ..forms import SubscribeForm

register = template.Library()


@register.inclusion_tag("subscriptions/_subscribe_form.html")
def subscribe_form(trial=None, group=None) -> dict:
    """The empty sign-up form for a page (the same for everyone): updates about `trial` or its
    condition group on a trial's page, about new trials in `group` on a group's page."""
    return {"form": SubscribeForm(trial=trial, group=group)}
