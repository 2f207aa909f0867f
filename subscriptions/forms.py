from django import forms

from trials.models import ConditionCategory, Trial
from trials.nct import nct_id_in

from .addresses import validate_public_email


class PublicEmailField(forms.EmailField):
    """An address we can mail across the internet (not root@localhost, a@[127.0.0.1])."""

    default_validators = [validate_public_email]


class SubscribeForm(forms.Form):
    """Sign up for updates about one trial or about new trials in a condition category."""

    FOLLOW_TRIAL = "trial"
    FOLLOW_CATEGORY = "category"

    email = PublicEmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    follow = forms.ChoiceField(label="What would you like to hear about?", widget=forms.RadioSelect)
    trial = forms.CharField(widget=forms.HiddenInput, required=False)
    category = forms.CharField(widget=forms.HiddenInput, required=False)
    consent = forms.BooleanField(
        label="I agree to the terms of use",
        error_messages={"required": "Please agree to the terms of use so we can send you updates."},
    )
    # Left empty by people; bots fill it in. Hidden with CSS and from assistive technology.
    website = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, trial: Trial | None = None, category=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if trial is not None:
            self.fields["trial"].initial = trial.nct_id
            choices.append((self.FOLLOW_TRIAL, "When this study changes"))
            category = category or trial.primary_category
        if category is not None:
            self.fields["category"].initial = category.slug
            choices.append(
                (self.FOLLOW_CATEGORY, f"When new studies for {category.name} are added")
            )
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

    def clean_category(self) -> ConditionCategory | None:
        slug = self.cleaned_data.get("category") or ""
        if not slug:
            return None
        try:
            return ConditionCategory.objects.get(slug=slug)
        except ConditionCategory.DoesNotExist:
            raise forms.ValidationError("That condition group is not available.") from None

    def clean(self):
        cleaned = super().clean()
        follow = cleaned.get("follow")
        if follow == self.FOLLOW_TRIAL and not cleaned.get("trial"):
            self.add_error("follow", "Choose what you would like to hear about.")
        if follow == self.FOLLOW_CATEGORY and not cleaned.get("category"):
            self.add_error("follow", "Choose what you would like to hear about.")
        return cleaned

    def followed(self) -> dict:
        """The one thing chosen, as Subscription fields: {"trial": …} or {"category": …}."""
        if self.cleaned_data["follow"] == self.FOLLOW_TRIAL:
            return {"trial": self.cleaned_data["trial"]}
        return {"category": self.cleaned_data["category"]}
