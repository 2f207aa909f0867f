from django import forms

from subscriptions.forms import PublicEmailField


class ContactStudyForm(forms.Form):
    """A patient's message to a study team, passed on after they confirm their address."""

    name = forms.CharField(label="Your name", max_length=100, strip=True)
    email = PublicEmailField(
        label="Your email",
        max_length=254,
        help_text="The study team will reply to this address. "
        "We send you a link to confirm it first.",
    )
    message = forms.CharField(
        label="Your message",
        max_length=5000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Please do not include details about your health you would not want the study "
        "team to read.",
        error_messages={"min_length": "Please write a little more (at least 10 characters)."},
    )
    consent = forms.BooleanField(
        label="I agree to the terms of use and to my message and email address being passed on",
        error_messages={
            "required": "Please agree to the terms of use so we can pass your message on."
        },
    )
    website = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, **kwargs):
        # Its own ids: the trial page also holds the sign-up form, with fields of the same names.
        kwargs.setdefault("auto_id", "contact-%s")
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Please enter your name.")
        return name
