from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from subscriptions import ratelimit
from subscriptions.responses import invalid_link, over_limit, private
from trials.models import Trial
from trials.nct import nct_id_in

from . import tasks
from .forms import ContactStudyForm
from .models import RelayMessage


def _contactable_trial(nct_id: str) -> Trial:
    trial = get_object_or_404(Trial.objects.published(), nct_id=nct_id_in(nct_id) or "")
    if not trial.contacts.exclude(email="").exists():
        raise Http404("This study has no contact we can pass a message to.")
    return trial


@require_POST
def contact(request, nct_id: str):
    trial = _contactable_trial(nct_id)
    form = ContactStudyForm(request.POST)
    context = {"trial": trial, "contact_form": form}
    if not form.is_valid():
        return render(request, "relay/contact.html", context, status=400)
    if form.cleaned_data["website"]:
        # A bot filled in the hidden field: it sees what a person sees, and nothing is stored.
        return render(request, "relay/check_inbox.html", {"trial": trial})
    refused = over_limit(request, ratelimit.CONTACT_PER_CLIENT, "relay/contact.html", context)
    if refused:
        return refused
    data = form.cleaned_data
    args = (trial.pk, data["email"], data["name"], data["message"], timezone.now().isoformat())
    # As for a sign-up, the worker looks the address up and sends the email.
    transaction.on_commit(lambda: tasks.compose.enqueue(*args))
    return render(request, "relay/check_inbox.html", {"trial": trial})


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    relay = RelayMessage.from_confirm_token(token)
    if relay is None:
        return invalid_link(request, "message", "relay/link_invalid.html")
    if request.method == "POST":
        if relay.confirmed_at is None and _study_has_enough_today(relay):
            context = {"relay": relay, "busy": True}
            response = private(render(request, "relay/confirm.html", context, status=429))
            response["Retry-After"] = str(60 * 60)
            return response
        if relay.confirm():
            transaction.on_commit(lambda: tasks.send.enqueue(relay.pk))
            messages.success(request, "Thank you. Your message is on its way to the study team.")
        else:
            messages.info(request, "You already confirmed this message: it was sent only once.")
        return redirect(relay.trial)
    return private(render(request, "relay/confirm.html", {"relay": relay}))


def _study_has_enough_today(relay: RelayMessage) -> bool:
    """Each study team gets a bounded number of messages through us a day, whoever sends them."""
    sent = RelayMessage.objects.for_study_in_last_day(relay.trial).count()
    return sent >= ratelimit.MESSAGES_PER_TRIAL_PER_DAY
