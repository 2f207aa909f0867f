"""Import ClinicalTrials.gov API v2 study records, and record every change to them.

The parts, each doing one thing:

- `sources`: reading files, directories (every *.json below), search responses, lists, JSON
  Lines and standard input; `api`: reading the registry's API page by page.
- `fields`: typed reading of a record's JSON with messages that say where a value was;
  `sections`: one mapper per registry module; `mapping`: a whole record to a `Study`.
- `catalog`: the condition and condition group rows; `storing`: writing trials and versions.
- `running`: batches, worker processes, counts and failures.

How a run goes:

- A record whose bytes hash the same as those last stored for its trial is skipped unread, and
  one whose mapped facts hash the same as what is stored writes nothing: rerunning an import
  only reads.
- A new trial gets version 1 (“NEW”). New trials are inserted a hundred to a transaction; if
  that transaction fails, it is rolled back whole and its records are stored one by one.
- A changed trial is stored in a transaction of its own, under a row lock, and gets the next
  version (“CHANGED”) holding the field-level diff of the two snapshots (trials/changes.py).
- Every write names the trials it touched through `trials.signals.trials_changed`; nothing
  here knows about cached pages.

Versions are the durable record of what changed: the history page, the feeds and the update
emails read them after the import is done. Editorial fields (headline, plain-language text,
publication) are never written by an update.
"""

from .api import ApiError, iter_api, iter_pages, query_params
from .catalog import Catalog
from .mapping import map_study
from .records import CREATED, UNCHANGED, UPDATED, Counts, Failure, Item, Raw, RecordError, Study
from .running import import_api, import_in_parallel, import_items, import_paths
from .sources import iter_path, parse
from .storing import store, store_new

__all__ = [
    "CREATED",
    "UNCHANGED",
    "UPDATED",
    "ApiError",
    "Catalog",
    "Counts",
    "Failure",
    "Item",
    "Raw",
    "RecordError",
    "Study",
    "import_api",
    "import_in_parallel",
    "import_items",
    "import_paths",
    "iter_api",
    "iter_pages",
    "iter_path",
    "map_study",
    "parse",
    "query_params",
    "store",
    "store_new",
]
