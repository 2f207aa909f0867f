"""Conditions by their plain names, and the condition groups patients recognise and follow."""

from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from plain.names import everyday_name

from ..masking import MasksRegistryText


class ConditionGroup(models.Model):
    """A group of conditions patients recognise, such as “Solid tumors”, that people can follow."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "condition group"
        verbose_name_plural = "condition groups"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("trials:group", args=[self.slug])


class Condition(MasksRegistryText, models.Model):
    """A condition by its plain (usually MeSH) name, shared across trials."""

    name = models.CharField(max_length=255, unique=True)
    mesh_id = models.CharField("MeSH ID", max_length=20, blank=True)
    groups = models.ManyToManyField(
        ConditionGroup, related_name="conditions", blank=True, verbose_name="condition groups"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def everyday_name(self) -> str:
        """What patients call it: “slipped (herniated) disc” for a disc displacement."""
        return everyday_name(self.name)

    @property
    def has_other_medical_name(self) -> bool:
        """Whether the medical term says more than the everyday name, so pages show both."""
        return self.everyday_name.casefold() != self.name.casefold()
