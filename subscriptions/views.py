import json

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from health.cache import CacheUnavailable
from trials.models import ConditionCategory, Trial
from trials.nct import nct_id_in

from . import ratelimit, tasks
from .forms import ContactStudyForm, SubscribeForm
from .models import RelayMessage, Subscriber, Subscription

BUSY_RETRY_AFTER = 60  # seconds


def _private(response: HttpResponse) -> HttpResponse:
    """Pages reached by a secret link are never cached or indexed."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def _invalid_link(request, what: str) -> HttpResponse:
    response = render(request, "subscriptions/link_invalid.html", {"what": what}, status=404)
    return _private(response)


def _busy(request, template: str, context: dict) -> HttpResponse:
    """The rate-limit counters cannot be reached: refuse for now rather than let all through."""
    response = render(request, template, {**context, "busy": True}, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


def _limited(request, template: str, context: dict, wait: int) -> HttpResponse:
    context = {**context, "wait": ratelimit.wait_words(wait)}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_POST
def subscribe(request):
    nct_id = nct_id_in(request.POST.get("trial", ""))
    trial = Trial.objects.published().filter(nct_id=nct_id).first() if nct_id else None
    category = ConditionCategory.objects.filter(slug=request.POST.get("category", "")).first()
    form = SubscribeForm(request.POST, trial=trial, category=category)
    context = {"form": form, "trial": trial, "category": category}
    if not form.is_valid():
        return render(request, "subscriptions/subscribe.html", context, status=400)
    if form.cleaned_data["website"]:
        # A bot filled in the hidden field: it sees what a person sees, and nothing is stored.
        return render(request, "subscriptions/check_inbox.html")
    try:
        wait = ratelimit.check_client(request, ratelimit.SIGNUP_PER_CLIENT)
    except CacheUnavailable:
        return _busy(request, "subscriptions/subscribe.html", context)
    if wait:
        return _limited(request, "subscriptions/subscribe.html", context, wait)
    followed = form.followed()
    args = (
        form.cleaned_data["email"],
        followed["trial"].pk if "trial" in followed else None,
        followed["category"].pk if "category" in followed else None,
        timezone.now().isoformat(),
    )
    # The same work and the same page whether the address is new, pending or already
    # subscribed: the worker looks the address up and sends the email.
    transaction.on_commit(lambda: tasks.sign_up.enqueue(*args))
    return render(request, "subscriptions/check_inbox.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    subscription = Subscription.from_confirm_token(token)
    if subscription is None:
        return _invalid_link(request, "confirmation")
    if request.method == "POST":
        subscription.confirm()
        messages.success(request, f"Thank you. You will get updates {_about(subscription)}.")
        return redirect("subscriptions:manage", token=subscription.subscriber.manage_token)
    context = {"subscription": subscription, "about": _about(subscription)}
    return _private(render(request, "subscriptions/confirm.html", context))


def _about(subscription: Subscription) -> str:
    if subscription.trial_id:
        return f"when study {subscription.trial.nct_id} changes"
    return f"when new studies for {subscription.category.name} are added"


@require_http_methods(["GET", "POST"])
def manage(request, token: str):
    subscriber = Subscriber.from_manage_token(token)
    if subscriber is None:
        return _invalid_link(request, "manage")
    if request.method == "POST":
        return _manage_action(request, subscriber, token)
    subscriptions = subscriber.subscriptions.select_related("trial", "category")
    context = {
        "subscriber": subscriber,
        "token": token,
        "subscriptions": [
            {"subscription": s, "about": _about(s), "url": _target_path(s)} for s in subscriptions
        ],
    }
    return _private(render(request, "subscriptions/manage.html", context))


def _target_path(subscription: Subscription) -> str:
    if subscription.trial_id:
        return subscription.trial.get_absolute_url()
    return subscription.category.get_absolute_url()


def _manage_action(request, subscriber: Subscriber, token: str):
    action = request.POST.get("action")
    if action == "remove":
        try:
            pk = int(request.POST.get("subscription", ""))
        except ValueError:
            pk = None
        subscription = subscriber.subscriptions.filter(pk=pk).first()
        if subscription is None:
            messages.error(request, "That subscription was already stopped.")
        else:
            about = _about(subscription)
            subscription.delete()
            messages.success(request, f"Done: you will no longer get updates {about}.")
        return redirect("subscriptions:manage", token=token)
    if action == "remove_all":
        subscriber.subscriptions.all().delete()
        messages.success(request, "Done: you will get no more update emails from us.")
        return redirect("subscriptions:manage", token=token)
    if action == "delete":  # asked on the page of its own first
        return redirect("subscriptions:delete", token=token)
    if action == "rotate":
        subscriber.rotate_keys()
        messages.success(
            request,
            "Done: the links in our earlier emails no longer work. This page has a new address: "
            "bookmark it, or use the link in our next email.",
        )
        return redirect("subscriptions:manage", token=subscriber.manage_token)
    messages.error(request, "Please choose one of the buttons on this page.")
    return redirect("subscriptions:manage", token=token)


@require_http_methods(["GET", "POST"])
def delete(request, token: str):
    """Deleting cannot be undone, so it is asked for twice: a page that says what goes, then
    its button."""
    subscriber = Subscriber.from_manage_token(token)
    if subscriber is None:
        return _invalid_link(request, "manage")
    if request.method == "POST":
        subscriber.delete_data()
        messages.success(request, "We deleted your email address and everything we held about it.")
        return redirect("trials:home")
    context = {"subscriber": subscriber, "token": token}
    return _private(render(request, "subscriptions/delete.html", context))


@require_safe
def export(request, token: str):
    subscriber = Subscriber.from_manage_token(token)
    if subscriber is None:
        return _invalid_link(request, "manage")
    body = json.dumps(subscriber.export(), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-email-updates.json"'
    return _private(response)


@csrf_exempt  # RFC 8058: mail providers POST here without cookies; the signed link authorises.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Stop every update. The link can do nothing else (it opens no manage page); links in
    emails sent before unsubscribe links had their own key carry the manage key, and work too."""
    subscriber = Subscriber.from_unsubscribe_token(token) or Subscriber.from_manage_token(token)
    if subscriber is None:
        return _invalid_link(request, "unsubscribe")
    done = request.method == "POST"
    if done:
        subscriber.subscriptions.all().delete()
    # 200 after the POST too, not a redirect: one-click senders do not follow redirects.
    context = {"subscriber": subscriber, "done": done}
    return _private(render(request, "subscriptions/unsubscribe.html", context))


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
        return render(request, "subscriptions/contact.html", context, status=400)
    if form.cleaned_data["website"]:
        return render(request, "subscriptions/contact_check_inbox.html", {"trial": trial})
    try:
        wait = ratelimit.check_client(request, ratelimit.CONTACT_PER_CLIENT)
    except CacheUnavailable:
        return _busy(request, "subscriptions/contact.html", context)
    if wait:
        return _limited(request, "subscriptions/contact.html", context, wait)
    data = form.cleaned_data
    args = (trial.pk, data["email"], data["name"], data["message"], timezone.now().isoformat())
    transaction.on_commit(lambda: tasks.compose_relay.enqueue(*args))
    return render(request, "subscriptions/contact_check_inbox.html", {"trial": trial})


@require_http_methods(["GET", "POST"])
def contact_confirm(request, token: str):
    relay = RelayMessage.from_confirm_token(token)
    if relay is None:
        return _invalid_link(request, "message")
    if request.method == "POST":
        if relay.confirmed_at is None and _study_has_enough_today(relay):
            context = {"relay": relay, "busy": True}
            response = _private(
                render(request, "subscriptions/contact_confirm.html", context, status=429)
            )
            response["Retry-After"] = str(60 * 60)
            return response
        if relay.confirm():
            transaction.on_commit(lambda: tasks.send_relay.enqueue(relay.pk))
            messages.success(request, "Thank you. Your message is on its way to the study team.")
        else:
            messages.info(request, "You already confirmed this message: it was sent only once.")
        return redirect(relay.trial)
    context = {"relay": relay}
    return _private(render(request, "subscriptions/contact_confirm.html", context))


def _study_has_enough_today(relay: RelayMessage) -> bool:
    """Each study team gets a bounded number of messages through us a day, whoever sends them."""
    sent = RelayMessage.objects.for_study_in_last_day(relay.trial).count()
    return sent >= ratelimit.MESSAGES_PER_TRIAL_PER_DAY
