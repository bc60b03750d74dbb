"""Load and validate the knowledge base from `knowledge/`, naming file, line and key on error."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from bot.content.groups import Access, GroupKnowledge, PeerGroup
from bot.content.knowledge import (
    AmountCalculator,
    Category,
    Command,
    Entry,
    EntryKind,
    Facet,
    FacetRule,
    FollowupRules,
    KnowledgeBase,
    Source,
    TeamCommand,
)
from bot.content.local import (
    LANDS,
    Coverage,
    LocalKnowledge,
    LocalService,
    Office,
    OfficeRun,
    ServiceKind,
)
from bot.datafiles.texts import Texts
from bot.datafiles.yamlsource import (
    LocatedDict,
    LocatedList,
    Problem,
    ProblemsError,
    line_at,
    load_yaml,
)
from bot.events import EventKind
from bot.flows.calculators import Parameters, parse_parameters
from bot.flows.figures import figure_names
from bot.flows.graph import check_flow
from bot.flows.loader import check_amount_ranges, parse_flow
from bot.flows.model import Flow
from bot.flows.placeholders import PLACEHOLDERS
from bot.language.crisis_data import (
    CrisisConcept,
    CrisisCue,
    CrisisData,
    CrisisLevel,
    CrisisRule,
    CrisisScope,
)
from bot.language.crisis_model import CrisisModel, load_model
from bot.language.normalize import words
from bot.language.redact import NameLists, default_name_lists, load_name_lists, with_vocabulary
from bot.language.smalltalk import SmalltalkIntent
from bot.places.model import Point


@cache
def _schema(root: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "schemas" / f"{name}.schema.json").read_text("utf-8"))
    return data


class _Collector:
    """Collects problems while loading, so one run reports all of them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def add(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def load(self, path: Path, schema: str) -> LocatedDict | None:
        """Load `path` and validate it against `schema`; None if it is unusable."""
        import jsonschema  # here: a start from the knowledge cache does without its import time

        try:
            document = load_yaml(path)
        except ProblemsError as exc:
            self.problems.extend(exc.problems)
            return None
        validator = jsonschema.Draft202012Validator(_schema(self.root, schema))
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
            self.add(path, line_at(document, error.absolute_path), f"{where}: {error.message}")
        if errors or not isinstance(document, LocatedDict):
            return None
        return document

    def regexes(
        self, path: Path, node: Any, key: str, compile_: Callable[[str], re.Pattern[str]]
    ) -> tuple[re.Pattern[str], ...]:
        """Compile the pattern list `node[key]`, reporting each broken pattern."""
        compiled = []
        items = node.get(key, [])
        for index, pattern in enumerate(items):
            try:
                compiled.append(compile_(pattern))
            except re.error as exc:
                self.add(path, items.line_of(index), f"{key}[{index}]: invalid pattern: {exc}")
        return tuple(compiled)


def _entry(doc: LocatedDict, path: Path) -> Entry:
    return Entry(
        id=doc["id"],
        title=doc["title"].strip(),
        category=doc["category"],
        kind=EntryKind(doc.get("kind", "answer")),
        flow=doc.get("flow"),
        questions=tuple(q.strip() for q in doc["questions"]),
        keywords=tuple(doc.get("keywords", ())),
        answer=doc["answer"].strip(),
        legal_basis=tuple(doc.get("legal_basis", ())),
        sources=tuple(Source(s["title"], s["url"]) for s in doc["sources"]),
        reviewed=date.fromisoformat(doc["reviewed"]),
        related=tuple(doc["related"]),
        path=path,
        question_lines=tuple(doc["questions"].item_lines),
        followups={Facet(k): str(v).strip() for k, v in dict(doc.get("followups", {})).items()},
    )


def _load_entries(c: _Collector, faq_dir: Path) -> tuple[dict[str, Entry], dict[str, LocatedDict]]:
    entries: dict[str, Entry] = {}
    docs: dict[str, LocatedDict] = {}
    paths = sorted(faq_dir.glob("*.yaml"))
    if not paths:
        c.add(faq_dir, 1, "no FAQ entries found (expected faq/<id>.yaml files)")
    for path in paths:
        doc = c.load(path, "faq")
        if doc is None:
            continue
        if doc["id"] in entries:
            other = entries[doc["id"]].path
            c.add(path, doc.line_of("id"), f"id '{doc['id']}' already used in {other}")
            continue
        if path.stem != doc["id"]:
            c.add(
                path, doc.line_of("id"), f"id '{doc['id']}' must equal the file name '{path.stem}'"
            )
        try:
            date.fromisoformat(doc["reviewed"])
        except ValueError:
            c.add(path, doc.line_of("reviewed"), f"reviewed: '{doc['reviewed']}' is not a date")
            continue
        entries[doc["id"]] = _entry(doc, path)
        docs[doc["id"]] = doc
    return entries, docs


def _crisis_concepts(c: _Collector, path: Path, doc: Any) -> dict[str, CrisisConcept]:
    """Read the concepts and check that every rule names one of them."""
    concepts = {
        concept_id: CrisisConcept(
            concept_id,
            first=(raw.get("first") or "").strip() or None,
            entry=raw.get("entry"),
        )
        for concept_id, raw in dict(doc.get("concepts") or {}).items()
    }
    for index, raw in enumerate(doc["rules"]):
        if raw["concept"] not in concepts:
            line = doc["rules"].line_of(index)
            message = f"rules[{index}] ({raw['id']}): concept '{raw['concept']}' not in concepts:"
            c.add(path, line, message)
    return concepts


def _check_crisis_entries(
    c: _Collector, root: Path, crisis: CrisisData | None, entries: dict[str, Entry]
) -> None:
    for concept in crisis.concepts.values() if crisis is not None else ():
        if concept.entry is not None and concept.entry not in entries:
            message = f"concepts.{concept.id}.entry: no entry '{concept.entry}'"
            c.add(root / "crisis.yaml", 1, message)


def _load_crisis(c: _Collector, root: Path) -> CrisisData | None:
    path = root / "crisis.yaml"
    doc = c.load(path, "crisis")
    if doc is None:
        return None
    cues = {
        cue_id: CrisisCue(cue_id, c.regexes(path, doc["cues"], cue_id, re.compile))
        for cue_id in doc["cues"]
    }
    rules = []
    for index, raw in enumerate(doc["rules"]):
        for key in ("all", "unless", "min_hits"):
            for name in raw.get(key, ()):
                if name not in cues:
                    line = doc["rules"].line_of(index)
                    c.add(path, line, f"rules[{index}] ({raw['id']}): {key}: no cue '{name}'")
        rules.append(
            CrisisRule(
                id=raw["id"],
                level=CrisisLevel(raw["level"]),
                concept=raw["concept"],
                all=tuple(raw["all"]),
                unless=tuple(raw.get("unless", ())),
                min_hits={k: int(v) for k, v in dict(raw.get("min_hits", {})).items()},
                scope=CrisisScope(raw.get("scope", "window")),
            )
        )
    return CrisisData(
        vocabulary=tuple(doc["vocabulary"]),
        spellings=dict(doc.get("spellings", {})),
        cues=cues,
        rules=tuple(sorted(rules, key=lambda r: r.level is not CrisisLevel.CRISIS)),
        title=doc["reply"]["title"].strip(),
        first=doc["reply"]["first"].strip(),
        text=doc["reply"]["text"].strip(),
        concern=doc["concern"]["text"].strip(),
        concepts=_crisis_concepts(c, path, doc),
        model=_load_crisis_model(c, root / "crisis_model.json"),
    )


def _load_crisis_model(c: _Collector, path: Path) -> CrisisModel | None:
    try:
        return load_model(path)
    except OSError as exc:
        c.add(path, 1, f"cannot read the crisis model ({exc.strerror}); run `make crisis-model`")
    except (ValueError, KeyError, TypeError) as exc:
        c.add(path, 1, f"not a valid crisis model: {exc}")
    return None


def _load_smalltalk(c: _Collector, root: Path) -> tuple[SmalltalkIntent, ...]:
    path = root / "smalltalk.yaml"
    doc = c.load(path, "smalltalk")
    if doc is None:
        return ()
    return tuple(
        SmalltalkIntent(
            id=raw["id"],
            patterns=c.regexes(path, raw, "patterns", re.compile),
            reply=raw["reply"].strip(),
        )
        for raw in doc["intents"]
    )


@dataclass(frozen=True)
class _Commands:
    """The commands of commands.yaml: the parents', the counsellors' and the staff's."""

    parents: tuple[Command, ...] = ()
    counsellors: tuple[TeamCommand, ...] = ()
    staff: tuple[TeamCommand, ...] = ()


def _load_commands(c: _Collector, root: Path) -> _Commands:
    doc = c.load(root / "commands.yaml", "commands")
    if doc is None:
        return _Commands()
    parents = tuple(
        Command(
            name=raw["name"],
            event=EventKind(raw["event"]),
            description=raw["description"].strip(),
            aliases=tuple(raw.get("aliases", ())),
            menu=bool(raw.get("menu", True)),
        )
        for raw in doc["commands"]
    )

    def team(key: str) -> tuple[TeamCommand, ...]:
        return tuple(
            TeamCommand(raw["name"], raw["description"].strip(), raw["help"].strip())
            for raw in doc.get(key) or ()
        )

    return _Commands(parents, team("counsellors"), team("staff"))


def _load_followups(c: _Collector, root: Path) -> FollowupRules:
    path = root / "followups.yaml"
    doc = c.load(path, "followups")
    if doc is None:
        return FollowupRules(60, 14, {})
    facets = {
        Facet(name): FacetRule(
            label=raw["label"], patterns=c.regexes(path, raw, "patterns", re.compile)
        )
        for name, raw in doc["facets"].items()
    }
    generic = frozenset(w for word in doc["generic"] for w in words(str(word)))
    return FollowupRules(int(doc["max_age_minutes"]), int(doc["max_words"]), facets, generic)


def _load_amounts(
    c: _Collector, root: Path, entries: Mapping[str, Entry]
) -> dict[str, AmountCalculator]:
    path = root / "amounts.yaml"
    doc = c.load(path, "amounts")
    if doc is None:
        return {}
    found = {}
    for entry_id, raw in doc["calculators"].items():
        line = doc["calculators"].line_of(entry_id)
        if entry_id not in entries:
            c.add(path, line, f"calculators: no FAQ entry '{entry_id}'")
        elif raw["placeholder"] not in PLACEHOLDERS:
            c.add(path, line, f"calculators.{entry_id}: unknown placeholder '{raw['placeholder']}'")
        else:
            found[entry_id] = AmountCalculator(raw["placeholder"], bool(raw.get("count_is_enough")))
    return found


def _check_entry_links(
    c: _Collector,
    entries: Mapping[str, Entry],
    docs: Mapping[str, LocatedDict],
    category_ids: set[str] | None,
) -> None:
    """Check each entry's category and related ids (category_ids None: categories unreadable)."""
    for entry_id, entry in entries.items():
        doc = docs[entry_id]
        if category_ids is not None and entry.category not in category_ids:
            c.add(entry.path, doc.line_of("category"), f"unknown category '{entry.category}'")
        for index, related in enumerate(entry.related):
            if related not in entries:
                line = doc["related"].line_of(index)
                c.add(entry.path, line, f"related[{index}]: no entry with id '{related}'")
            elif related == entry_id:
                c.add(entry.path, doc["related"].line_of(index), "an entry cannot relate to itself")


def _load_flows(
    c: _Collector, root: Path, entries: Mapping[str, Entry], years: tuple[Parameters, ...]
) -> dict[str, Flow]:
    flows: dict[str, Flow] = {}
    for path in sorted((root / "flows").glob("*.yaml")):
        doc = c.load(path, "flow")
        if doc is None:
            continue
        flow = parse_flow(doc, path)
        problems = check_flow(flow, doc, set(entries), figure_names(years))
        problems += check_amount_ranges(flow, years)
        c.problems.extend(problems)
        if not problems:
            flows[flow.id] = flow
    flow_ids = {p.stem for p in (root / "flows").glob("*.yaml")}
    for entry in entries.values():
        if entry.kind is EntryKind.FLOW and entry.flow not in flow_ids:
            c.add(entry.path, 1, f"flow '{entry.flow}' does not exist in flows/")
    return flows


def _load_calculators(c: _Collector, root: Path) -> tuple[Parameters, ...]:
    found = []
    paths = sorted((root / "calculators").glob("*.yaml"))
    if not paths:
        c.add(
            root / "calculators",
            1,
            "no calculator figures found (expected calculators/<year>.yaml)",
        )
    for path in paths:
        doc = c.load(path, "calculators")
        if doc is None:
            continue
        params = parse_parameters(doc)
        # The Unterhaltsvorschuss is the Mindestunterhalt minus the full Kindergeld (§ 2 UVG).
        for uv, mu in zip(params.uvg, params.mindestunterhalt, strict=False):
            if uv.amount != mu.amount - params.kindergeld:
                line = doc["unterhaltsvorschuss"].line_of("by_age")
                c.add(
                    path,
                    line,
                    f"UVG {uv.amount} for ages {uv.lowest}–{uv.highest} is not "
                    f"Mindestunterhalt {mu.amount} minus Kindergeld {params.kindergeld}",
                )
        found.append(params)
    return tuple(found)


def _load_names(c: _Collector, root: Path, entries: Mapping[str, Entry]) -> NameLists | None:
    """Load the redaction's name lists with the entries' words as their vocabulary.

    Redaction never masks a word the knowledge base uses ("Beistandschaft", "Düsseldorfer").
    A knowledge base of one's own without names.yaml gets the shipped lists.
    """
    path = root / "names.yaml"
    try:
        lists = load_name_lists(path) if path.exists() else default_name_lists()
    except ProblemsError as exc:
        c.problems.extend(exc.problems)
        return None
    texts = [t for e in entries.values() for t in (e.title, e.answer, *e.questions, *e.keywords)]
    return with_vocabulary(lists, texts)


def _load_texts(c: _Collector, root: Path) -> tuple[Texts, Texts]:
    """Load the parents' wordings (texts.yaml) and the staff desk's (staff.yaml).

    A file that cannot be used has its problems collected (so loading fails) and yields no
    wordings. A malformed {placeholder} in a staff wording is reported here: otherwise it
    would fail only when a staff member reaches it.
    """
    texts_doc = c.load(root / "texts.yaml", "texts")
    staff_path = root / "staff.yaml"
    staff_doc = c.load(staff_path, "staff")
    staff: LocatedDict = staff_doc["texts"] if staff_doc is not None else LocatedDict()
    for key, text in staff.items():
        try:
            list(string.Formatter().parse(text))
        except ValueError as exc:
            c.add(staff_path, staff.line_of(key), f"texts/{key}: malformed placeholder: {exc}")
    texts = texts_doc["texts"] if texts_doc is not None else {}
    return Texts(dict(texts)), Texts(dict(staff))


def _load_phrasings(
    c: _Collector, root: Path, entries: Mapping[str, Entry]
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Load the questions in other languages (`phrasings/<code>.yaml`), by language and entry.

    Only the meaning index reads them. A file must be named after its language, and every entry
    it names must exist.
    """
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for path in sorted((root / "phrasings").glob("*.yaml")):
        doc = c.load(path, "phrasings")
        if doc is None:
            continue
        if doc["language"] != path.stem:
            c.add(path, doc.line_of("language"), f"language '{doc['language']}' in {path.name}")
            continue
        listed: LocatedDict = doc["entries"]
        for entry_id in listed:
            if entry_id not in entries:
                c.add(path, listed.line_of(entry_id), f"entries/{entry_id}: no such FAQ entry")
        found[path.stem] = {k: tuple(v) for k, v in listed.items() if k in entries}
    return found


def _load_offices(
    c: _Collector, root: Path, entries: Mapping[str, Entry]
) -> tuple[tuple[Office, ...], frozenset[str]]:
    """Load the public offices, and the entries whose answers offer „Stelle in meiner Nähe"."""
    path = root / "offices.yaml"
    doc = c.load(path, "offices")
    if doc is None:
        return (), frozenset()
    offer: LocatedList = doc["offer_under"]
    for index, entry_id in enumerate(offer):
        if entry_id not in entries:
            c.add(path, offer.line_of(index), f"offer_under: no such FAQ entry '{entry_id}'")
    offices = tuple(
        Office(
            raw["id"],
            raw["name"],
            raw["what"],
            OfficeRun(raw["run_by"]),
            raw["how"],
            raw["finder"],
            tuple(raw["legal_basis"]),
            raw["source"],
        )
        for raw in doc["offices"]
    )
    return offices, frozenset(offer)


def _whom_problems(raw: LocatedDict, entries: Mapping[str, Entry]) -> list[tuple[str, str]]:
    """Return unknown Länder and topics of a place or group, as (key, message) pairs."""
    cover: LocatedDict = raw["coverage"]
    found = [("coverage", f"unknown Land {x}") for x in cover.get("lands", []) if x not in LANDS]
    return found + [("topics", f"unknown topic {t}") for t in raw["topics"] if t not in entries]


def _radius_problems(raw: LocatedDict) -> list[tuple[str, str]]:
    """Return the problem of a radius without the coordinates it is measured from."""
    if "radius_km" in raw["coverage"] and "coordinates" not in raw:
        return [("coverage", "radius_km needs coordinates")]
    return []


def _coverage(raw: LocatedDict) -> Coverage:
    """Build the coverage of a checked place or group."""
    cover: LocatedDict = raw["coverage"]
    return Coverage(
        nationwide=cover.get("nationwide", False),
        lands=tuple(cover.get("lands", ())),
        districts=tuple(cover.get("districts", ())),
        postcodes=tuple(cover.get("postcodes", ())),
        radius_km=cover.get("radius_km"),
    )


def _point(raw: LocatedDict) -> Point | None:
    """Return the coordinates of a checked place or group, if it has them."""
    point = raw.get("coordinates")
    return Point(point["lat"], point["lon"]) if point else None


def _service_problems(raw: LocatedDict, entries: Mapping[str, Entry]) -> list[tuple[str, str]]:
    """Return what the schema cannot check of a directory entry, as (key, message) pairs."""
    found = _whom_problems(raw, entries)
    if "url" not in raw and "phone" not in raw:
        found.append(("id", "needs a url or a phone"))
    found += _radius_problems(raw)
    try:
        checked = date.fromisoformat(raw["checked"])
    except ValueError:
        found.append(("checked", f"checked: '{raw['checked']}' is not a date"))
    else:
        if checked > date.today():
            found.append(("checked", f"checked: {checked} is in the future"))
    return found


def _service(
    c: _Collector, path: Path, raw: LocatedDict, entries: Mapping[str, Entry]
) -> LocalService | None:
    """Build one directory entry; None (with its problems reported) when it is unusable."""
    problems = _service_problems(raw, entries)
    for key, message in problems:
        c.add(path, raw.line_of(key), f"services/{raw['id']}: {message}")
    if problems:
        return None
    return LocalService(
        id=raw["id"],
        name=raw["name"],
        kind=ServiceKind(raw["kind"]),
        topics=tuple(raw["topics"]),
        coverage=_coverage(raw),
        url=raw.get("url"),
        phone=raw.get("phone"),
        address=raw.get("address"),
        point=_point(raw),
        hours=raw.get("hours"),
        languages=tuple(raw.get("languages", ())),
        accessibility=raw.get("accessibility"),
        source=raw["source"],
        checked=date.fromisoformat(raw["checked"]),
        file=path,
        line=raw.line,
    )


def _load_local(
    c: _Collector, root: Path, entries: Mapping[str, Entry]
) -> tuple[tuple[LocalService, ...], tuple[LocalService, ...]]:
    """Load the association's directory (`local/*.yaml`): the real places and the examples.

    Returns:
        The places parents are shown, and those of files marked `example: true` (never shown).

    """
    real: list[LocalService] = []
    examples: list[LocalService] = []
    first: dict[str, Path] = {}
    for path in sorted((root / "local").glob("*.yaml")):
        doc = c.load(path, "local")
        if doc is None:
            continue
        items: LocatedList = doc["services"]
        for index, raw in enumerate(items):
            if raw["id"] in first:
                c.add(
                    path,
                    items.line_of(index),
                    f"services/{raw['id']}: id also in {first[raw['id']].name}",
                )
                continue
            first[raw["id"]] = path
            service = _service(c, path, raw, entries)
            if service is not None:
                (examples if doc.get("example") else real).append(service)
    return tuple(real), tuple(examples)


def _group_problems(raw: LocatedDict, entries: Mapping[str, Entry]) -> list[tuple[str, str]]:
    """Return what the schema cannot check of a peer group, as (key, message) pairs."""
    return _whom_problems(raw, entries) + _radius_problems(raw)


def _group(raw: LocatedDict, path: Path) -> PeerGroup:
    """Build one peer group from its checked YAML mapping."""
    return PeerGroup(
        id=raw["id"],
        title=raw["title"],
        for_whom=raw["for_whom"],
        topics=tuple(raw["topics"]),
        languages=tuple(raw["languages"]),
        coverage=_coverage(raw),
        point=_point(raw),
        access=Access(raw["access"]),
        rules=tuple(raw["rules"]),
        rhythm=raw.get("rhythm"),
        welcome=raw["welcome"],
        file=path,
        line=raw.line,
    )


def _load_groups(c: _Collector, root: Path, entries: Mapping[str, Entry]) -> GroupKnowledge:
    """Load the peer groups (`groups.yaml`); a missing file means no groups."""
    path = root / "groups.yaml"
    if not path.exists():
        return GroupKnowledge()
    doc = c.load(path, "groups")
    if doc is None:
        return GroupKnowledge()
    offer: LocatedList = doc["offer_under"]
    for index, entry_id in enumerate(offer):
        if entry_id not in entries:
            c.add(path, offer.line_of(index), f"offer_under: no such FAQ entry '{entry_id}'")
    groups: list[PeerGroup] = []
    items: LocatedList = doc["groups"]
    for index, raw in enumerate(items):
        problems = _group_problems(raw, entries)
        if any(g.id == raw["id"] for g in groups):
            problems.append(("id", "id twice"))
        for key, message in problems:
            c.add(
                path,
                raw.line_of(key) if key in raw else items.line_of(index),
                f"groups/{raw['id']}: {message}",
            )
        if not problems:
            groups.append(_group(raw, path))
    return GroupKnowledge(tuple(groups), frozenset(offer))


def _load_near(
    c: _Collector, root: Path, entries: Mapping[str, Entry]
) -> tuple[LocalKnowledge, GroupKnowledge]:
    """Load what is about places: the offices, the directory and the peer groups."""
    local = LocalKnowledge(*_load_offices(c, root, entries), *_load_local(c, root, entries))
    return local, _load_groups(c, root, entries)


def _lists(mapping: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Return a mapping of word lists with tuples (the knowledge base is immutable)."""
    return {key: tuple(values) for key, values in mapping.items()}


def load_knowledge(root: Path) -> KnowledgeBase:
    """Load and validate the whole knowledge base.

    Cross-file rules (duplicate phrasings, message length) are in `frontends.checks`.

    Args:
        root: The `knowledge/` directory.

    Returns:
        The knowledge base.

    Raises:
        ProblemsError: With every problem found, each as `file:line: message`.

    """
    c = _Collector(root)
    entries, docs = _load_entries(c, root / "faq")
    categories_doc = c.load(root / "categories.yaml", "categories")
    synonyms_doc = c.load(root / "synonyms.yaml", "synonyms")
    stopwords_doc = c.load(root / "stopwords.yaml", "stopwords")
    texts, staff_texts = _load_texts(c, root)
    crisis = _load_crisis(c, root)
    _check_crisis_entries(c, root, crisis, entries)
    smalltalk = _load_smalltalk(c, root)
    calculators = _load_calculators(c, root)
    flows = _load_flows(c, root, entries, calculators)
    raw_categories = categories_doc["categories"] if categories_doc is not None else []
    categories = tuple(Category(raw["id"], raw["label"]) for raw in raw_categories)
    category_ids = {cat.id for cat in categories} if categories_doc is not None else None
    _check_entry_links(c, entries, docs, category_ids)
    commands = _load_commands(c, root)
    followups = _load_followups(c, root)
    amounts = _load_amounts(c, root, entries)
    names = _load_names(c, root, entries)
    phrasings = _load_phrasings(c, root, entries)
    near = _load_near(c, root, entries)
    if c.problems or crisis is None or synonyms_doc is None or stopwords_doc is None:
        raise ProblemsError(c.problems)
    return KnowledgeBase(
        entries=entries,
        categories=categories,
        synonyms=_lists(synonyms_doc["synonyms"]),
        abbreviations=_lists(synonyms_doc.get("abbreviations") or {}),
        stopwords=tuple(stopwords_doc["stopwords"]),
        crisis=crisis,
        smalltalk=smalltalk,
        texts=texts,
        staff_texts=staff_texts,
        names=names,
        flows=flows,
        calculators=calculators,
        commands=commands.parents,
        counsellor_commands=commands.counsellors,
        staff_commands=commands.staff,
        followups=followups,
        amounts=amounts,
        other_phrasings=phrasings,
        local=near[0],
        groups=near[1],
    )
