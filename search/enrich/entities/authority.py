"""The archivist's authority file: hand-made merges, renames, retypes and hides, applied at load time.

``index_dir/authority.json`` is plain, versionable JSON, an ordered list of rules::

    {"version": 1, "rules": [
      {"op": "merge",  "values": ["Sergei Lavrov", "Lavrov"], "into": "Sergey Lavrov", "type": "person"},
      {"op": "rename", "from": "S Jaishankar", "to": "Subrahmanyam Jaishankar"},
      {"op": "retype", "value": "Jordan", "to": "place"},
      {"op": "hide",   "value": "Advertisement"}
    ]}

``type`` is optional everywhere: without it a rule applies to the value in whichever type it is found.
The indexer never writes this file, so it survives every re-index; the rules apply again on each load.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path

from search.enrich.entities.lexicon import TYPES
from search.enrich.entities.merge import Group
from search.enrich.entities.names import fold

AUTHORITY_FILE = "authority.json"
OPS = ("merge", "rename", "retype", "hide")


class AuthorityError(ValueError):
    """The authority file or a rule is malformed (the message names the rule and the fix)."""


def authority_path(index_dir: Path) -> Path:
    return Path(index_dir) / AUTHORITY_FILE


def load_rules(index_dir: Path) -> list[dict[str, object]]:
    """The rules of the authority file, in order; [] if there is none."""
    path = authority_path(index_dir)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AuthorityError(f"{path}: not readable JSON ({exc}); fix or remove the file") from exc
    rules = data.get("rules", []) if isinstance(data, dict) else data
    if not isinstance(rules, list):
        raise AuthorityError(f'{path}: expected {{"version": 1, "rules": [...]}}')
    for i, rule in enumerate(rules):
        validate_rule(rule, where=f"{path} rule {i + 1}")
    return rules


def validate_rule(rule: object, where: str = "rule") -> None:
    """Raise AuthorityError unless the rule is one of the four known shapes."""
    if not isinstance(rule, dict) or rule.get("op") not in OPS:
        raise AuthorityError(f"{where}: needs an 'op' among {', '.join(OPS)}")
    op = rule["op"]
    need = {"merge": ("values", "into"), "rename": ("from", "to"), "retype": ("value", "to"), "hide": ("value",)}[op]
    for key in need:
        if not rule.get(key):
            raise AuthorityError(f"{where}: '{op}' needs '{key}'")
    if op == "retype" and rule["to"] not in TYPES:
        raise AuthorityError(f"{where}: retype 'to' must be one of {', '.join(TYPES)}")
    if rule.get("type") not in (None, *TYPES):
        raise AuthorityError(f"{where}: 'type' must be one of {', '.join(TYPES)}")


def save_rules(index_dir: Path, rules: list[dict[str, object]]) -> None:
    """Write the authority file atomically, pretty-printed so that diffs stay readable."""
    path = authority_path(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, {"version": 1, "rules": rules})


def add_rule(index_dir: Path, rule: dict[str, object]) -> None:
    """Append one rule to the authority file (validated first)."""
    validate_rule(rule)
    rules = load_rules(index_dir)
    rules.append(rule)
    save_rules(index_dir, rules)


def write_json_atomic(path: Path, data: object, compact: bool = False) -> None:
    """Write JSON to a temporary file beside ``path`` and rename it into place (``compact``: no indentation;
    a ``.gz`` path is gzip-compressed, with no timestamp, so the same data gives the same bytes)."""
    if compact:  # a machine-written file: indentation would be a third of its bytes
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(data, ensure_ascii=False, indent=1)
    payload = (text + "\n").encode("utf-8")
    if path.suffix == ".gz":
        payload = gzip.compress(payload, compresslevel=6, mtime=0)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _matches(group: Group, key: str) -> bool:
    if fold(group.canonical) == key:
        return True
    if any(fold(v) == key for (_t, v) in group.variants):
        return True
    return any(fold(a) == key for a in group.aliases)


def _find(groups: list[Group], value: str, type_: object) -> list[Group]:
    key = fold(value)
    found = [g for g in groups if (type_ is None or g.type == type_) and _matches(g, key)]
    exact = [g for g in found if fold(g.canonical) == key]
    return exact or found


def _absorb(into: Group, other: Group) -> None:
    for k, c in other.variants.items():
        into.variants[k] = into.variants.get(k, 0) + c
    into.aliases |= other.aliases | {other.canonical}
    into.hidden = into.hidden or other.hidden


def apply_rules(groups: list[Group], rules: list[dict[str, object]]) -> tuple[list[Group], list[str]]:
    """Apply the rules in order; return the new groups and one line per rule saying what it changed."""
    groups = list(groups)
    log: list[str] = []
    for rule in rules:
        op, type_ = rule["op"], rule.get("type")
        if op == "merge":
            into = str(rule["into"])
            targets = _find(groups, into, type_)
            found: list[Group] = []
            for v in rule["values"]:  # type: ignore[union-attr]
                found.extend(g for g in _find(groups, str(v), type_) if g not in found and g not in targets)
            base = targets[0] if targets else (found[0] if found else None)
            if base is None:
                log.append(f"merge into {into!r}: no such values yet (kept for later)")
                continue
            for g in targets[1:] + found:
                if g is not base:
                    _absorb(base, g)
                    groups.remove(g)
            if base.canonical != into:
                base.aliases.add(base.canonical)
                base.canonical = into
            base.aliases.discard(into)
            names = ", ".join(repr(str(v)) for v in rule["values"])  # type: ignore[union-attr]
            log.append(f"merged {names} into {into!r} ({base.type}, {base.count} documents)")
        elif op == "rename":
            old, new = str(rule["from"]), str(rule["to"])
            hit = _find(groups, old, type_)
            for g in hit:
                g.aliases.add(g.canonical)
                g.canonical = new
                g.aliases.discard(new)
            log.append(f"renamed {old!r} to {new!r} ({len(hit)} value(s))" if hit else f"rename {old!r}: not found")
        elif op == "retype":
            value, to = str(rule["value"]), str(rule["to"])
            hit = _find(groups, value, type_)
            for g in hit:
                old_type = g.type
                g.type = to
                same = [o for o in groups if o is not g and o.type == to and fold(o.canonical) == fold(g.canonical)]
                for o in same:
                    _absorb(g, o)
                    groups.remove(o)
                log.append(f"retyped {g.canonical!r} from {old_type} to {to}")
            if not hit:
                log.append(f"retype {value!r}: not found")
        elif op == "hide":
            value = str(rule["value"])
            hit = _find(groups, value, type_)
            for g in hit:
                g.hidden = True
                log.append(f"hid {g.canonical!r} ({g.type}, {g.count} documents)")
            if not hit:
                log.append(f"hide {value!r}: not found (kept for later)")
    return groups, log
