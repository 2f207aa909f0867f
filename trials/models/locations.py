"""Where a trial runs and whom to contact: its sites and the study team's contacts."""

from django.db import models
from django.db.models import Q

from ..choices import Status
from ..masking import MASKED_EMAIL, MASKED_PHONE, MasksRegistryText

# The trial is named by its label: its module imports this one, for the searches' site queries.
TRIAL = "trials.Trial"


class Location(MasksRegistryText, models.Model):
    trial = models.ForeignKey(TRIAL, on_delete=models.CASCADE, related_name="locations")
    position = models.PositiveIntegerField(default=0)
    facility = models.CharField(max_length=500, blank=True)
    city = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=40, blank=True)
    country = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=32, choices=Status, blank=True, help_text="Recruitment status at this site."
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["trial", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="location_coordinates_paired",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.facility, self.place) if part)

    @property
    def place(self) -> str:
        """City, state, postal code and country, as a patient reads an address."""
        return ", ".join(
            part for part in (self.city, self.state, self.postal_code, self.country) if part
        )


class Contact(MasksRegistryText, models.Model):
    """A person to contact about the trial; at a location, or for the whole study when none.

    The phone number and email are private: public pages only ever show the masked forms.
    """

    class Role(models.TextChoices):
        CONTACT = "CONTACT", "Contact"
        BACKUP = "BACKUP", "Backup contact"
        PRINCIPAL_INVESTIGATOR = "PRINCIPAL_INVESTIGATOR", "Principal investigator"
        SUB_INVESTIGATOR = "SUB_INVESTIGATOR", "Sub-investigator"
        STUDY_CHAIR = "STUDY_CHAIR", "Study chair"
        STUDY_DIRECTOR = "STUDY_DIRECTOR", "Study director"

    trial = models.ForeignKey(TRIAL, on_delete=models.CASCADE, related_name="contacts")
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="contacts", null=True, blank=True
    )
    position = models.PositiveIntegerField(default=0)
    role = models.CharField(max_length=32, choices=Role, default=Role.CONTACT)
    name = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=100, blank=True)
    phone_extension = models.CharField(max_length=40, blank=True)
    email = models.EmailField(max_length=254, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name or self.get_role_display()

    @property
    def masked_phone(self) -> str:
        return MASKED_PHONE if self.phone else ""

    @property
    def masked_email(self) -> str:
        return MASKED_EMAIL if self.email else ""
