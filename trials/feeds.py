"""RSS and Atom: new trials in each condition group, and the changes to each trial.

Feed readers render titles and descriptions as HTML, and registry text can hold markup
(`<script>`, `<img onerror=…>`): every feed here escapes its titles, descriptions and summaries
once more, in its feed type, so what a reader shows is the text and never live markup.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from .changes import posts_results
from .models import ConditionGroup, Trial, TrialVersion
from .nct import nct_id_in

FEED_LENGTH = 30


def _escaped(value):
    return None if value is None else escape(value)


class _EscapedText:
    """Escapes the feed's and each item's title and description as they are added."""

    def __init__(self, title, link, description, *args, subtitle=None, **kwargs):
        super().__init__(
            _escaped(title),
            link,
            _escaped(description),
            *args,
            subtitle=_escaped(subtitle),
            **kwargs,
        )

    def add_item(self, title, link, description, *args, **kwargs):
        super().add_item(_escaped(title), link, _escaped(description), *args, **kwargs)


class EscapedRssFeed(_EscapedText, Rss201rev2Feed):
    pass


class _HtmlTitles:
    """Writes Atom titles and subtitles as type="html", which is what their escaping means."""

    def __init__(self, handler):
        self._handler = handler

    def addQuickElement(self, name, contents=None, attrs=None):  # noqa: N802 - SAX's name
        if name in ("title", "subtitle"):
            attrs = {**(attrs or {}), "type": "html"}
        self._handler.addQuickElement(name, contents, attrs)

    def __getattr__(self, name):
        return getattr(self._handler, name)


class EscapedAtomFeed(_EscapedText, Atom1Feed):
    def add_root_elements(self, handler):
        super().add_root_elements(_HtmlTitles(handler))

    def add_item_elements(self, handler, item):
        super().add_item_elements(_HtmlTitles(handler), item)


class NewTrialsFeed(Feed):
    """Trials newly published in one condition group, newest first."""

    description_template = None
    feed_type = EscapedRssFeed

    def get_object(self, request, slug: str):
        return get_object_or_404(ConditionGroup, slug=slug)

    def title(self, group: ConditionGroup) -> str:
        return f"New clinical trials: {group.name}"

    def link(self, group: ConditionGroup) -> str:
        return group.get_absolute_url()

    def description(self, group: ConditionGroup) -> str:
        return f"Clinical trials for {group.name.lower()} as we add them, in plain language."

    def items(self, group: ConditionGroup):
        return (
            group.trials.published()
            .order_by("-first_seen_at", "-id")
            .only(
                *("nct_id", "headline", "generated_headline", "brief_title"),
                *("plain_summary", "generated_summary", "registry_summary"),
                *("first_seen_at", "status", "phase"),
            )[:FEED_LENGTH]
        )

    def item_title(self, trial: Trial) -> str:
        return trial.title

    def item_description(self, trial: Trial) -> str:
        facts = [trial.get_status_display()]
        if trial.phase:
            facts.append(trial.get_phase_display())
        summary = trial.summary
        if len(summary) > 500:
            summary = summary[:499].rstrip() + "…"
        return f"{' · '.join(facts)}. {summary}".strip()

    def item_pubdate(self, trial: Trial):
        return trial.first_seen_at

    def item_guid(self, trial: Trial) -> str:
        return trial.nct_id

    item_guid_is_permalink = False


class NewTrialsAtomFeed(NewTrialsFeed):
    feed_type = EscapedAtomFeed
    subtitle = NewTrialsFeed.description


class TrialChangesFeed(Feed):
    """Each recorded version of one trial's registry record, in plain words."""

    feed_type = EscapedRssFeed

    def get_object(self, request, nct_id: str):
        return get_object_or_404(Trial.objects.published(), nct_id=nct_id_in(nct_id) or "")

    def title(self, trial: Trial) -> str:
        return f"Changes to {trial.nct_id}: {trial.title}"

    def link(self, trial: Trial) -> str:
        return trial.get_absolute_url()

    def description(self, trial: Trial) -> str:
        return f"What changed in the registry record of {trial.nct_id}, in plain words."

    def items(self, trial: Trial):
        return trial.versions.select_related("trial").order_by("-number")[:FEED_LENGTH]

    def item_title(self, version: TrialVersion) -> str:
        if version.kind == TrialVersion.Kind.NEW:
            return f"{version.trial.nct_id} first seen"
        if posts_results(version.changes or []):
            return f"{version.trial.nct_id} posted its results (version {version.number})"
        return f"{version.trial.nct_id} changed (version {version.number})"

    def item_description(self, version: TrialVersion) -> str:
        return version.in_words()

    def item_link(self, version: TrialVersion) -> str:
        return reverse("trials:history", args=[version.trial.nct_id]) + f"#version-{version.number}"

    def item_pubdate(self, version: TrialVersion):
        return version.seen_at

    def item_guid(self, version: TrialVersion) -> str:
        return f"{version.trial.nct_id}-version-{version.number}"

    item_guid_is_permalink = False


class TrialChangesAtomFeed(TrialChangesFeed):
    feed_type = EscapedAtomFeed
    subtitle = TrialChangesFeed.description
