"""Reading studies from files, directories, JSON Lines and standard input.

Every reader yields items (`records.Item`): where a study was and the study itself, kept as its
bytes (`Raw`) where it has bytes of its own, so that an unchanged record is never parsed.
"""

import itertools
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..nct import NCT_ID
from .records import Failure, Item, Raw

_STUDIES_KEY = re.compile(rb'(?<!\\)"studies"\s*:')
_NCT_ID_IN_JSON = re.compile(rb'"nctId"\s*:\s*"(' + NCT_ID.encode() + rb')"')


def iter_path(path: str | Path, stdin=None) -> Iterator[Item]:
    """The studies in a file, a directory (every *.json below it) or `-` (standard input)."""
    if str(path) == "-":
        yield from _iter_stream(stdin if stdin is not None else sys.stdin.buffer)
        return
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.json") if p.is_file())
        if not files:
            yield str(path), "", Failure(str(path), "", "no *.json files in this directory")
        for file in files:
            yield from iter_path(file)
        return
    try:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            with path.open("rb") as stream:
                yield from _iter_lines(str(path), stream)
            return
        data = path.read_bytes()
    except OSError as error:
        yield str(path), "", Failure(str(path), "", f"cannot be read ({error.strerror})")
        return
    yield from _iter_file(str(path), data)


def _iter_stream(stream) -> Iterator[Item]:
    """JSON Lines are read as they come, however long; anything else is read whole."""
    first = stream.readline()
    if _is_json(first):
        yield from _iter_lines("standard input", itertools.chain([first], stream))
    else:
        yield from _iter_file("standard input", first + stream.read())


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return bool(line.strip())


def _iter_file(source: str, data: bytes) -> Iterator[Item]:
    """A single study is passed on unread; search responses and lists are read here."""
    if data.lstrip().startswith(b"{") and not _STUDIES_KEY.search(data):
        yield source, "", Raw(data)
    else:
        yield from parse(source, "", data)


def _iter_lines(source: str, lines: Iterable[bytes]) -> Iterator[Item]:
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if line:
            yield source, f"line {number}", Raw(line)


def parse(source: str, position: str, data: bytes) -> Iterator[Item]:
    """The studies in JSON text: one study, a search response, a list, or JSON Lines."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        reason = f"is not UTF-8 text (byte {error.start + 1})"
        yield source, position, Failure(source, position, reason)
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data" and not position and text.lstrip().startswith("{"):
            lines = text.encode().splitlines()
            for item in _iter_lines(source, lines):
                yield from parse(*item[:2], item[2].data)
            return
        if position:  # one line of JSON Lines
            reason = f"invalid JSON at column {error.colno}: {error.msg}"
        else:
            reason = f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        yield source, position, Failure(source, position, reason)
        return
    yield from studies_in(source, position, document)


def studies_in(source: str, position: str, document: Any) -> Iterator[Item]:
    """A study, a search response ({"studies": [...]}) or a list of studies."""
    if isinstance(document, dict) and "studies" in document and "protocolSection" not in document:
        document = document["studies"]
        if not isinstance(document, list):
            yield source, position, Failure(source, position, '"studies" is not a list')
            return
    if isinstance(document, list):
        prefix = f"{position}, " if position else ""
        for number, study in enumerate(document, start=1):
            yield source, f"{prefix}record {number}", study
        return
    yield source, position, document


def nct_id_of(payload: Any) -> str | None:
    """The NCT ID a study names, read without parsing it when it is still bytes."""
    if isinstance(payload, Raw):
        found = _NCT_ID_IN_JSON.search(payload.data)
        return found[1].decode() if found else None
    try:
        nct_id = payload["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return nct_id if isinstance(nct_id, str) else None
