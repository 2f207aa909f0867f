from django.shortcuts import render
from django.views.decorators.http import require_POST

from trials.models import ConditionCategory, Trial

from .forms import SubscribeForm


@require_POST
def subscribe(request):
    trial = Trial.objects.published().filter(nct_id=request.POST.get("trial", "").upper()).first()
    category = ConditionCategory.objects.filter(slug=request.POST.get("category", "")).first()
    form = SubscribeForm(request.POST, trial=trial, category=category)
    if form.is_valid() and not form.cleaned_data["website"]:
        return render(request, "subscriptions/check_inbox.html", {"form": form})
    status = 400 if form.errors else 200
    return render(
        request,
        "subscriptions/subscribe.html",
        {"form": form, "trial": trial, "category": category},
        status=status,
    )
