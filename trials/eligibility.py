"""The registrant's eligibility criteria, split into what lets people in and what keeps them out."""

import re


class Eligibility:
    """The registrant's criteria text split into inclusion and exclusion lists where it allows."""

    _heading = re.compile(
        r"^\s*(?:key\s+|main\s+|major\s+)?(?P<kind>inclusion|exclusion)(?:\s+criteria)?\s*:?\s*$",
        re.I,
    )
    _bullet = re.compile(r"^\s*(?:[-*•·]|\d{1,3}[.)]|[a-z][.)])\s+", re.I)
    # The registry's text is Markdown-like: “\<8 years” means “<8 years”.
    _escape = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~=])")

    def __init__(self, inclusion: list[str], exclusion: list[str], text: str):
        self.inclusion = inclusion
        self.exclusion = exclusion
        self.text = text

    @property
    def is_split(self) -> bool:
        return bool(self.inclusion or self.exclusion)

    @classmethod
    def from_text(cls, text: str) -> "Eligibility":
        inclusion: list[str] = []
        exclusion: list[str] = []
        current: list[str] | None = None
        text = cls._escape.sub(r"\1", text or "")
        for line in text.splitlines():
            heading = cls._heading.match(line)
            if heading:
                current = inclusion if heading["kind"].lower() == "inclusion" else exclusion
                continue
            item = line.strip()
            if current is None or not item:
                continue
            if cls._bullet.match(line) or not current:
                current.append(cls._bullet.sub("", line).strip())
            else:
                current[-1] = f"{current[-1]} {item}"
        if not (inclusion or exclusion):
            return cls([], [], text)
        return cls(inclusion, exclusion, text)
