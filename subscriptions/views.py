import json

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trials.models import ConditionGroup, Trial
from trials.nct import nct_id_in

from . import ratelimit, tasks
from .forms import SubscribeForm, with_current_field_names
from .models import Subscriber, Subscription
from .responses import invalid_link, over_limit, private


@require_POST
def subscribe(request):
    data = with_current_field_names(request.POST)
    nct_id = nct_id_in(data.get("trial", ""))
    trial = Trial.objects.published().filter(nct_id=nct_id).first() if nct_id else None
    group = ConditionGroup.objects.filter(slug=data.get("group", "")).first()
    form = SubscribeForm(data, trial=trial, group=group)
    context = {"form": form, "trial": trial, "group": group}
    if not form.is_valid():
        return render(request, "subscriptions/subscribe.html", context, status=400)
    if form.cleaned_data["website"]:
        # A bot filled in the hidden field: it sees what a person sees, and nothing is stored.
        return render(request, "subscriptions/check_inbox.html")
    refused = over_limit(
        request, ratelimit.SIGNUP_PER_CLIENT, "subscriptions/subscribe.html", context
    )
    if refused:
        return refused
    followed = form.followed()
    args = (
        form.cleaned_data["email"],
        followed["trial"].pk if "trial" in followed else None,
        followed["group"].pk if "group" in followed else None,
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
        return invalid_link(request, "confirmation")
    if request.method == "POST":
        subscription.confirm()
        messages.success(request, f"Thank you. You will get updates {_about(subscription)}.")
        return redirect("subscriptions:manage", token=subscription.subscriber.manage_token)
    context = {"subscription": subscription, "about": _about(subscription)}
    return private(render(request, "subscriptions/confirm.html", context))


def _about(subscription: Subscription) -> str:
    if subscription.trial_id:
        return f"when study {subscription.trial.nct_id} changes"
    return f"when new studies for {subscription.group.name} are added"


@require_http_methods(["GET", "POST"])
def manage(request, token: str):
    subscriber = Subscriber.from_manage_token(token)
    if subscriber is None:
        return invalid_link(request, "manage")
    if request.method == "POST":
        return _manage_action(request, subscriber, token)
    subscriptions = subscriber.subscriptions.select_related("trial", "group")
    context = {
        "subscriber": subscriber,
        "token": token,
        "subscriptions": [
            {"subscription": s, "about": _about(s), "url": _target_path(s)} for s in subscriptions
        ],
    }
    return private(render(request, "subscriptions/manage.html", context))


def _target_path(subscription: Subscription) -> str:
    if subscription.trial_id:
        return subscription.trial.get_absolute_url()
    return subscription.group.get_absolute_url()


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
        return invalid_link(request, "manage")
    if request.method == "POST":
        subscriber.delete_data()
        messages.success(request, "We deleted your email address and everything we held about it.")
        return redirect("trials:home")
    context = {"subscriber": subscriber, "token": token}
    return private(render(request, "subscriptions/delete.html", context))


@require_safe
def export(request, token: str):
    subscriber = Subscriber.from_manage_token(token)
    if subscriber is None:
        return invalid_link(request, "manage")
    body = json.dumps(subscriber.export(), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-email-updates.json"'
    return private(response)


@csrf_exempt  # RFC 8058: mail providers POST here without cookies; the signed link authorises.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Stop every update. The link can do nothing else (it opens no manage page); links in
    emails sent before unsubscribe links had their own key carry the manage key, and work too."""
    subscriber = Subscriber.from_unsubscribe_token(token) or Subscriber.from_manage_token(token)
    if subscriber is None:
        return invalid_link(request, "unsubscribe")
    done = request.method == "POST"
    if done:
        subscriber.subscriptions.all().delete()
    # 200 after the POST too, not a redirect: one-click senders do not follow redirects.
    context = {"subscriber": subscriber, "done": done}
    return private(render(request, "subscriptions/unsubscribe.html", context))
