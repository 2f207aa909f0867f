import re

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.views.decorators.http import require_GET

from subscriptions.forms import SubscribeForm

from .models import NCT_ID_PATTERN, ConditionCategory, Trial

TRIALS_PER_PAGE = 20


def _listed(trials):
    """What a list of trials needs, fetched in a fixed number of queries."""
    return trials.prefetch_related("conditions", "categories")


def get_visible_trial(request, nct_id: str) -> Trial:
    trials = Trial.objects.visible_to(request.user).prefetch_related(
        "categories", "conditions", "contacts", "locations"
    )
    return get_object_or_404(trials, nct_id=nct_id)


@require_GET
def home(request):
    categories = ConditionCategory.objects.all()
    recent = _listed(Trial.objects.published().recently_updated())[:6]
    return render(request, "trials/home.html", {"categories": categories, "recent": recent})


@require_GET
def trial_list(request):
    trials = _listed(Trial.objects.published().recently_updated())
    page = Paginator(trials, TRIALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "trials/trial_list.html", {"page": page})


@require_GET
def trial_detail(request, nct_id: str):
    canonical = nct_id.upper()
    if not re.fullmatch(NCT_ID_PATTERN, canonical):
        raise Http404("No trial has that NCT ID.")
    if canonical != nct_id:
        return redirect("trials:detail", nct_id=canonical, permanent=True)
    trial = get_visible_trial(request, canonical)
    contacts = list(trial.contacts.all())
    locations = list(trial.locations.all())
    contacts_by_location: dict[int, list] = {}
    for contact in contacts:
        contacts_by_location.setdefault(contact.location_id, []).append(contact)
    for location in locations:
        location.site_contacts = contacts_by_location.get(location.id, [])
    context = {
        "trial": trial,
        "category": trial.primary_category,
        "study_contacts": contacts_by_location.get(None, []),
        "locations": locations,
        "eligibility": trial.eligibility,
        "form": SubscribeForm(trial=trial),
    }
    return render(request, "trials/trial_detail.html", context)


@require_GET
def category_detail(request, slug: str):
    category = get_object_or_404(ConditionCategory, slug=slug)
    trials = _listed(category.trials.published().recently_updated())
    page = Paginator(trials, TRIALS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"category": category, "page": page, "form": SubscribeForm(category=category)}
    return render(request, "trials/category_detail.html", context)


@require_GET
def static_page(request, page: str):
    try:
        return render(request, f"pages/{page}.html")
    except TemplateDoesNotExist:
        raise Http404 from None


def page_not_found(request, exception):
    return render(request, "404.html", status=404)
