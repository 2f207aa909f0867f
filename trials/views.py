from functools import wraps

from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from core.pagecache import cached_page
from plain.linking import GlossaryLinker
from plain.results import summarise

from .forms import TrialSearchForm, search_key, with_current_names
from .models import ConditionGroup, Location, Trial, TrialResults
from .nct import is_nct_id, nct_id_in
from .ranking import ranked_ids
from .search import RESULT_LIMIT, ResultPaginator, attach_nearest_sites, load_cards
from .signals import shows_listings, shows_trial
from .sitemaps import SITEMAPS, needs_index
from .suggest import suggest

TRIALS_PER_PAGE = 20


def get_visible_trial(request, nct_id: str) -> Trial:
    trials = Trial.objects.visible_to(request.user).prefetch_related(
        "groups", "conditions", "contacts", "locations"
    )
    return get_object_or_404(trials, nct_id=nct_id)


def search_params(request) -> list[tuple[str, str]]:
    """A listing's cached copy is keyed on its search and page number, nothing else."""
    return [*search_key(request.GET), ("page", page_number(request.GET.get("page")))]


def page_number(value: str | None) -> str:
    """The page a `page` parameter leads to, as a key: numbers past the last page (no list
    has more than RESULT_LIMIT results) and below 1 (the last page too) each lead to one."""
    try:
        number = int(value or 1)
    except ValueError:
        return "1"
    return str(max(0, min(number, RESULT_LIMIT // TRIALS_PER_PAGE + 1)))


def current_parameter_names(view):
    """A search link with a parameter's old name (`category`, now `group`) is sent, for good,
    to the same address with the current name and every other parameter as it was."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        renamed = with_current_names(request.GET)
        if renamed is not None:
            return HttpResponsePermanentRedirect(f"{request.path}?{renamed.urlencode()}")
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
@cached_page(shows_listings)
def home(request):
    groups = ConditionGroup.objects.all()
    recent = Trial.objects.published().recently_updated().for_cards()[:6]
    return render(request, "trials/home.html", {"groups": groups, "recent": recent})


def _results(request, form: TrialSearchForm, trials) -> dict:
    """A page of search results, each with its nearest site, in a fixed number of queries.

    Words and places are searched through their indexes and at most RESULT_LIMIT matches are
    listed (`page.paginator.more` says when there were more); plain filtered lists are read
    in order off the listing indexes and counted up to the same limit. Words that find nothing
    are answered with the closest term that does (`suggestion`), and its trials.
    """
    q = form.cleaned_data.get("q") or ""
    page = _page(request, form, trials, q)
    suggestion = None
    if q and not page.paginator.count:
        suggestion = suggest(q, form.filter(trials, q=""))
        if suggestion:
            page = _page(request, form, trials, suggestion)
    place = form.cleaned_data.get("zip")
    country = form.cleaned_data.get("country") or ""
    attach_nearest_sites(Location.objects, page.object_list, place, country, form.nearby())
    return {
        "search_form": form,
        "page": page,
        "place": place,
        "sort": form.sort_order,
        "query_string": form.query_string(),
        "suggestion": suggestion,
        "browse_groups": ConditionGroup.objects.all() if q else [],
    }


def _page(request, form: TrialSearchForm, trials, q: str):
    trials = form.filter(trials, q=q)
    nearby = form.nearby()
    sort = form.sort_order
    if q or nearby is not None:
        if nearby is not None:
            trials = trials.within_reach(nearby)
        statuses = form.cleaned_data.get("status")
        ids, more = ranked_ids(trials, sort, nearby, q=q, statuses=statuses)
        paginator = ResultPaginator(ids, TRIALS_PER_PAGE, more=more)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = load_cards(Trial, list(page.object_list))
    else:
        paginator = ResultPaginator(trials.sorted_by(sort).for_cards(), TRIALS_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
    return page


@require_safe
@cached_page(shows_listings, params=search_params)
@current_parameter_names
def trial_list(request):
    nct_id = nct_id_in(request.GET.get("q") or "")
    if nct_id and Trial.objects.visible_to(request.user).filter(nct_id=nct_id).exists():
        return redirect("trials:detail", nct_id=nct_id)
    form = TrialSearchForm(request.GET)
    form.is_valid()
    context = _results(request, form, Trial.objects.published())
    status = 400 if form.errors else 200
    return render(request, "trials/trial_list.html", context, status=status)


def nct_id_in_capitals(view):
    """A trial's pages are addressed by its NCT ID in capitals: another spelling is sent there
    for good, and what cannot be an NCT ID is a 404."""

    @wraps(view)
    def wrapper(request, nct_id: str):
        canonical = nct_id.upper()
        if not is_nct_id(canonical):
            raise Http404("No trial has that NCT ID.")
        if canonical != nct_id:
            return redirect(request.resolver_match.view_name, nct_id=canonical, permanent=True)
        return view(request, nct_id)

    return wrapper


@require_safe
@cached_page(shows_trial)
@nct_id_in_capitals
def trial_detail(request, nct_id: str):
    trial = get_visible_trial(request, nct_id)
    contacts = list(trial.contacts.all())
    locations = list(trial.locations.all())
    contacts_by_location: dict[int, list] = {}
    for contact in contacts:
        contacts_by_location.setdefault(contact.location_id, []).append(contact)
    for location in locations:
        location.site_contacts = contacts_by_location.get(location.id, [])
    results = TrialResults.objects.filter(trial=trial).first() if trial.has_results else None
    context = {
        "results": results,
        # The editor's words win over the ones written from the numbers.
        "lay": summarise(results.parsed, status=trial.status)
        if results and not trial.plain_results
        else None,
        "trial": trial,
        "condition_group": trial.primary_group,
        "study_contacts": contacts_by_location.get(None, []),
        "locations": locations,
        "eligibility": trial.eligibility,
        # Whether a message can be passed on; the addresses themselves never reach the page.
        "can_contact": trial.is_published and any(contact.email for contact in contacts),
        # Links the first use of each glossary word in the registrant's text on this page.
        "glossary": GlossaryLinker(),
    }
    return render(request, "trials/trial_detail.html", context)


@require_safe
@cached_page(shows_trial)
@nct_id_in_capitals
def trial_history(request, nct_id: str):
    """Every recorded change to the trial's registry record, in plain words, newest first."""
    trial = get_object_or_404(Trial.objects.visible_to(request.user), nct_id=nct_id)
    context = {"trial": trial, "versions": trial.versions.order_by("-number")}
    return render(request, "trials/trial_history.html", context)


@require_safe
@cached_page(shows_listings, params=search_params)
@current_parameter_names
def group_detail(request, slug: str):
    group = get_object_or_404(ConditionGroup, slug=slug)
    form = TrialSearchForm(request.GET, group=group)
    form.is_valid()
    context = {
        **_results(request, form, Trial.objects.published()),
        "group": group,
    }
    status = 400 if form.errors else 200
    return render(request, "trials/group_detail.html", context, status=status)


@require_safe
@cached_page(shows_listings)
def condition_index(request):
    counts = Trial.objects.published().count_by_group()
    groups = list(ConditionGroup.objects.order_by("name"))
    for group in groups:
        group.trial_count = counts.get(group.pk, 0)
    return render(request, "trials/condition_index.html", {"groups": groups})


@require_safe
def sitemap(request):
    """One sitemap while every URL fits in one (50,000); an index of sitemaps after that."""
    if needs_index(SITEMAPS):
        return sitemap_views.index(request, SITEMAPS, sitemap_url_name="trials:sitemap-section")
    return sitemap_views.sitemap(request, SITEMAPS)
