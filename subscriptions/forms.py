from django import forms

from trials.forms import with_current_names
from trials.models import ConditionGroup, Trial
from trials.nct import nct_id_in

from .addresses import validate_public_email


class PublicEmailField(forms.EmailField):
    """An address we can mail across the internet (not root@localhost, a@[127.0.0.1])."""

    default_validators = [validate_public_email]


class SubscribeForm(forms.Form):
    """Sign up for updates about one trial or about new trials in a condition group."""

    FOLLOW_TRIAL = "trial"
    FOLLOW_GROUP = "group"

    email = PublicEmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    follow = forms.ChoiceField(label="What would you like to hear about?", widget=forms.RadioSelect)
    trial = forms.CharField(widget=forms.HiddenInput, required=False)
    group = forms.CharField(widget=forms.HiddenInput, required=False)
    consent = forms.BooleanField(
        label="I agree to the terms of use",
        error_messages={"required": "Please agree to the terms of use so we can send you updates."},
    )
    # Left empty by people; bots fill it in. Hidden with CSS and from assistive technology.
    website = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, trial: Trial | None = None, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if trial is not None:
            self.fields["trial"].initial = trial.nct_id
            choices.append((self.FOLLOW_TRIAL, "When this study changes"))
            group = group or trial.primary_group
        if group is not None:
            self.fields["group"].initial = group.slug
            choices.append((self.FOLLOW_GROUP, f"When new studies for {group.name} are added"))
        self.fields["follow"].choices = choices
        if choices:
            self.fields["follow"].initial = choices[0][0]

    def clean_trial(self) -> Trial | None:
        given = self.cleaned_data.get("trial") or ""
        if not given.strip():
            return None
        try:
            return Trial.objects.published().get(nct_id=nct_id_in(given) or "")
        except Trial.DoesNotExist:
            raise forms.ValidationError("That study is not available.") from None

    def clean_group(self) -> ConditionGroup | None:
        slug = self.cleaned_data.get("group") or ""
        if not slug:
            return None
        try:
            return ConditionGroup.objects.get(slug=slug)
        except ConditionGroup.DoesNotExist:
            raise forms.ValidationError("That condition group is not available.") from None

    def clean(self):
        cleaned = super().clean()
        follow = cleaned.get("follow")
        if follow == self.FOLLOW_TRIAL and not cleaned.get("trial"):
            self.add_error("follow", "Choose what you would like to hear about.")
        if follow == self.FOLLOW_GROUP and not cleaned.get("group"):
            self.add_error("follow", "Choose what you would like to hear about.")
        return cleaned

    def followed(self) -> dict:
        """The one thing chosen, as Subscription fields: {"trial": …} or {"group": …}."""
        if self.cleaned_data["follow"] == self.FOLLOW_TRIAL:
            return {"trial": self.cleaned_data["trial"]}
        return {"group": self.cleaned_data["group"]}


def with_current_field_names(data):
    """A sign-up as SubscribeForm names it. Pages rendered before condition groups took their
    name (and kept since, by a cache or an open tab) post `category` and `follow=category`."""
    renamed = with_current_names(data)
    if renamed is None:
        return data
    if renamed.get("follow") == "category":
        renamed["follow"] = SubscribeForm.FOLLOW_GROUP
    return renamed
