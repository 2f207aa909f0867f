"""The one place that knows what an NCT ID (a ClinicalTrials.gov study number) looks like."""

import re

from django.core.validators import RegexValidator

NCT_ID = "NCT[0-9]{8}"  # to build patterns with
NCT_ID_PATTERN = f"^{NCT_ID}$"
_NCT_ID = re.compile(NCT_ID_PATTERN)

validate_nct_id = RegexValidator(
    NCT_ID_PATTERN, "An NCT ID is “NCT” followed by eight digits, like NCT07509034."
)


def is_nct_id(text: str) -> bool:
    """Whether `text` is an NCT ID exactly as the registry writes it: “NCT” and eight digits."""
    return _NCT_ID.match(text) is not None and len(text) == 11


def nct_id_in(text: str) -> str | None:
    """The NCT ID `text` spells, whatever its case and outer spaces, else None."""
    text = text.strip().upper()
    return text if is_nct_id(text) else None
