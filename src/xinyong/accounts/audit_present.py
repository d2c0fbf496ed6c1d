"""How audit log entries read on the console: the actor as a person and department (not
``account:3``), the action and its object as words, the summary as labelled values (item,
department, list and state names instead of codes; Chinese as written, never ``\\u`` escapes).

Words come from texts (``auditv.*`` keys); a key without a text shows as itself in a
``<code>`` element of the page, never as a sentence of codes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.audit.models import AuditEntry
from xinyong.auth.models import Account, ApiKey
from xinyong.catalog import labels
from xinyong.core.i18n import Language, has_text, one_language, t
from xinyong.lists.config import get_config as lists_config
from xinyong.subjects.models import Department, Subject

# Summary values that are codes of a vocabulary: the field and the texts' key prefix.
VALUE_TEXTS = (
    ("kind", "kind."),
    ("kind", "desk.account_kind."),
    ("kind", "rights.kind."),
    ("ground", "rights.ground."),
    ("outcome", "rights.outcome."),
    ("outcome", "ck.feedback."),
    ("from", "ck.feedback."),
    ("to", "ck.feedback."),
    ("channel", "rights.channel."),
)
SUBJECT_CHOICES = 20  # subjects offered when a name matches several


@dataclass(frozen=True)
class Detail:
    """One value of an entry's summary: its label (or the raw key, shown as code) and text."""

    label: str
    value: str
    raw_key: bool = False


@dataclass(frozen=True)
class Row:
    """One audit entry as the viewer shows it."""

    entry: AuditEntry
    actor: str
    action: str
    action_known: bool
    obj: str
    subject: Subject | None
    details: list[Detail]


def _text(key: str, lang: Language) -> str | None:
    return t(key, lang) if has_text(key) else None


def action_label(action: str, lang: Language) -> tuple[str, bool]:
    """The action in words, and whether it is known (else the area and a generic word)."""
    exact = _text(f"auditv.act.{action}", lang)
    if exact:
        return exact, True
    parts = action.split(".")
    area = _text(f"auditv.area.{parts[0]}", lang)
    verb = _text(f"auditv.verb.{parts[-1]}", lang)
    if area and verb:
        return f"{area} · {verb}", True
    return area or t("auditv.other", lang), False


def object_label(entry: AuditEntry, lang: Language) -> str:
    """The object in words: its kind and its id."""
    kind = _text(f"auditv.obj.{entry.object_type}", lang) or t("auditv.obj.other", lang)
    return f"{kind} {entry.object_id}"


def actor_labels(session: Session, actors: Iterable[str], lang: Language) -> dict[str, str]:
    """Actor strings as people read them: a person and their department, an API client by
    name, the platform itself for jobs."""
    wanted = set(actors)
    ids = {int(a[8:]) for a in wanted if re.fullmatch(r"account:\d+", a)}
    keys = {int(a[7:]) for a in wanted if re.fullmatch(r"apikey:\d+", a)}
    departments = {d.id: d for d in session.scalars(select(Department))}

    def dept(department_id: int | None) -> str:
        d = departments.get(department_id) if department_id else None
        return (d.name_zh if lang == "zh" else d.name_en) if d else ""

    names: dict[str, str] = {}
    for account in session.scalars(select(Account).where(Account.id.in_(ids))) if ids else []:
        where = dept(account.department_id)
        names[f"account:{account.id}"] = (
            f"{account.display_name}（{where}）" if where else account.display_name
        )
    for key in session.scalars(select(ApiKey).where(ApiKey.id.in_(keys))) if keys else []:
        owner = dept(key.department_id)
        names[f"apikey:{key.id}"] = t("auditv.actor.key", lang).format(
            name=key.name, owner=owner or "—"
        )
    out = {}
    for actor in wanted:
        if actor in names:
            out[actor] = names[actor]
        elif re.fullmatch(r"(account|apikey):\d+", actor):
            out[actor] = t("auditv.actor.gone", lang)
        else:
            out[actor] = t("auditv.actor.platform", lang)
    return out


def _state(value: str, lang: Language) -> str:
    for prefix in ("list.state.", "rights.state.", "record.state."):
        if has_text(prefix + value):
            return t(prefix + value, lang)
    return value


def _department_by_key(departments: Mapping[int, Department], key: str) -> Department | None:
    if "_" not in key:
        return None
    return next((d for d in departments.values() if d.key == key), None)


def _value(key: str, value: Any, lang: Language, departments: Mapping[int, Department]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t("auditv.yes" if value else "auditv.no", lang)
    if key in ("item_code", "item") and isinstance(value, str):
        return labels.item_name(value, lang)
    if key == "department_id" and isinstance(value, int) and value in departments:
        d = departments[value]
        return d.name_zh if lang == "zh" else d.name_en
    if isinstance(value, str) and (named := _department_by_key(departments, value)):
        return named.name_zh if lang == "zh" else named.name_en
    for field, prefix in VALUE_TEXTS:
        if key == field and isinstance(value, str) and has_text(prefix + value):
            return t(prefix + value, lang)
    if key in ("from_state", "to_state", "state") and isinstance(value, str):
        return _state(value, lang)
    if key == "role" and isinstance(value, str) and has_text(f"desk.role.{value}"):
        return t(f"desk.role.{value}", lang)
    if key == "list_code" and isinstance(value, str):
        spec = lists_config().lists.get(value)
        return (spec.name.zh if lang == "zh" else spec.name.en) if spec else value
    if isinstance(value, list | tuple):
        return "、".join(_value(key, v, lang, departments) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(
            f"{_text(f'auditv.key.{k}', lang) or k}={_value(k, v, lang, departments)}"
            for k, v in value.items()
        )
    if isinstance(value, str):
        return one_language(value, lang)  # a stored reason written 中文 · English
    return str(value)


def details(
    summary: Mapping[str, Any], lang: Language, departments: Mapping[int, Department]
) -> list[Detail]:
    """The summary's values, labelled; empty values left out."""
    out = []
    for key, value in summary.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        label = _text(f"auditv.key.{key}", lang)
        shown = _value(key, value, lang, departments)
        out.append(Detail(label or key, shown, raw_key=label is None))
    return out


def rows(session: Session, entries: list[AuditEntry], lang: Language) -> list[Row]:
    """The entries as the viewer shows them."""
    actors = actor_labels(session, (e.actor for e in entries), lang)
    departments = {d.id: d for d in session.scalars(select(Department))}
    subject_ids = {e.subject_id for e in entries if e.subject_id}
    subjects = (
        {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(subject_ids)))}
        if subject_ids
        else {}
    )
    out = []
    for e in entries:
        action, known = action_label(e.action, lang)
        out.append(
            Row(
                entry=e,
                actor=actors[e.actor],
                action=action,
                action_known=known,
                obj=object_label(e, lang),
                subject=subjects.get(e.subject_id or 0),
                details=details(e.summary or {}, lang, departments),
            )
        )
    return out


def find_subjects(session: Session, text: str) -> list[Subject]:
    """Subjects a viewer means by a code (USCC, registration number…) or a name (part of)."""
    from xinyong.subjects import service as subjects_service

    text = text.strip()
    if not text:
        return []
    found = subjects_service.find_by_code(session, text)
    if found is not None:
        return [found]
    pattern = f"%{text}%"
    stmt = (
        select(Subject)
        .where(or_(Subject.name.like(pattern), Subject.uscc == text.upper()))
        .order_by(Subject.name)
        .limit(SUBJECT_CHOICES)
    )
    return list(session.scalars(stmt))
