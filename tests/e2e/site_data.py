"""The data the browser suite serves: the demo data of `make run` (the example trial
NCT07509034 and real ClinicalTrials.gov records, among them NCT05809934 with 148 sites), and a
visitor's sign-ups for the pages that only a link from an email opens."""

from dataclasses import dataclass

from django.core.management import call_command
from django.urls import reverse

from relay.models import RelayMessage
from subscriptions.models import Subscription
from trials.models import Condition, ConditionGroup, Contact, Location, Trial

DEMO_NCT_ID = "NCT07509034"
LARGE_NCT_ID = "NCT05809934"  # 148 sites
FOLLOWED_NCT_ID = "NCT05816382"  # followed and changed by the alerts flow
RESULTS_NCT_ID = "NCT03608150"  # completed, with posted results
READER = "reader@example.org"
LEAVER = "leaving@example.org"  # unsubscribes, over and over
LOCKED_STAFF = "locked.editor"  # too many wrong passwords: sign-in is paused (django-axes)


@dataclass
class SiteData:
    demo_nct_id: str
    large_nct_id: str
    followed_nct_id: str
    results_nct_id: str
    group_slug: str
    search_term: str
    near_zip: str
    demo_title: str
    private_values: list[str]
    confirm_path: str
    manage_path: str
    delete_path: str
    unsubscribe_path: str
    contact_confirm_path: str
    database_down_url: str  # the same site, served while its database cannot be reached


def build_site_data(database_down_url: str) -> SiteData:
    call_command("load_demo", verbosity=0)
    demo = Trial.objects.get(nct_id=DEMO_NCT_ID)
    assert Location.objects.filter(trial__nct_id=LARGE_NCT_ID).count() >= 100
    assert Trial.objects.filter(nct_id=RESULTS_NCT_ID, has_results=True).exists()
    group = demo.primary_group or ConditionGroup.objects.first()

    followed = Trial.objects.get(nct_id=FOLLOWED_NCT_ID)
    pending = Subscription.sign_up(READER, trial=demo)
    confirmed = Subscription.sign_up(READER, trial=followed)
    confirmed.confirm()
    Subscription.sign_up(READER, group=group).confirm()
    leaving = Subscription.sign_up(LEAVER, trial=followed)
    leaving.confirm()
    contactable = Contact.objects.exclude(email="").values_list("trial", flat=True)
    relay = RelayMessage.compose(
        Trial.objects.published().filter(pk__in=contactable).first(),
        READER,
        name="Ada Reader",
        message="Is there a site near Baltimore?",
    )
    reader = pending.subscriber
    private = [
        value
        for contact in Contact.objects.filter(trial__in=[demo, followed])
        for value in (contact.phone, contact.email)
        if value
    ]
    assert private, "the demo data has contact details to keep private"
    assert Condition.objects.exists()
    return SiteData(
        demo_nct_id=DEMO_NCT_ID,
        large_nct_id=LARGE_NCT_ID,
        followed_nct_id=FOLLOWED_NCT_ID,
        results_nct_id=RESULTS_NCT_ID,
        group_slug=group.slug,
        search_term="small cell lung cancer",
        near_zip="20814",  # Bethesda, next to the demo trial's NIH site (20892)
        demo_title=demo.title,
        private_values=private,
        confirm_path=reverse("subscriptions:confirm", args=[pending.confirm_token]),
        manage_path=reverse("subscriptions:manage", args=[reader.manage_token]),
        delete_path=reverse("subscriptions:delete", args=[reader.manage_token]),
        unsubscribe_path=reverse(
            "subscriptions:unsubscribe", args=[leaving.subscriber.unsubscribe_token]
        ),
        contact_confirm_path=reverse("relay:confirm", args=[relay.confirm_token]),
        database_down_url=database_down_url,
    )
