"""The trials app's models, one concept to a module; import them from here.

- conditions.py: conditions, and the condition groups patients follow
- trials.py: the trial and its queryset (the searches are trials/search.py's)
- locations.py: a trial's sites and contacts
- versions.py: each recorded state of a trial's registry record

Two models live beside the code that exists for them: posted results in trials/results/
(with the data they hold and their mapping from the registry), and the search vocabulary's
synonyms in trials/synonyms.py (with the cached vocabulary every search reads).
"""

from ..results.models import TrialResults
from ..synonyms import Synonym
from .conditions import Condition, ConditionGroup
from .locations import Contact, Location
from .trials import Trial, TrialQuerySet
from .versions import TrialVersion

__all__ = [
    "Condition",
    "ConditionGroup",
    "Contact",
    "Location",
    "Synonym",
    "Trial",
    "TrialQuerySet",
    "TrialResults",
    "TrialVersion",
]
