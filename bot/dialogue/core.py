"""The dialogue core: (state, event) → replies, new state and actions. Pure; no I/O."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from bot.callbacks import Press, SubscribePress, decode
from bot.clock import utc_now
from bot.config import Config
from bot.content.association import association_values
from bot.content.knowledge import EntryKind, KnowledgeBase
from bot.dialogue.amounts import Amounts
from bot.dialogue.flowsteps import FlowSteps
from bot.dialogue.followups import Followups
from bot.dialogue.foreign import ForeignLines
from bot.dialogue.groups import GroupBoard, GroupFinder
from bot.dialogue.local import LocalHelp
from bot.dialogue.meaning import Meaning, Nearest, by_meaning, helped
from bot.dialogue.model import (
    AskQuestion,
    Button,
    CaseInProgress,
    ChangeSubscription,
    CommentCase,
    EndCase,
    ExportData,
    Outcome,
    OutcomeKind,
    RecordUnanswered,
    Reply,
    Rows,
    ShowEvents,
    State,
    button,
)
from bot.dialogue.notice import privacy_notice
from bot.dialogue.presses import Presses
from bot.dialogue.views import Views
from bot.events import Event, EventKind
from bot.flows.figures import figure_values
from bot.language.crisis import Assessment, CrisisGuard
from bot.language.crisis_data import CrisisLevel
from bot.language.crisis_meaning import MeaningVerdict
from bot.language.languages import Detected, LanguageDetector, LanguageGuess, NearestEntries
from bot.language.matcher import Decision, Matcher, Verdict, documents_from
from bot.language.normalize import clean_input, loose, words
from bot.language.redact import redact
from bot.language.smalltalk import Smalltalk
from bot.places.gazetteer import Gazetteer

NO_QUESTION_INTENT = "keine-frage"
_FLOW_PRESSES = {Press.FLOW_START, Press.FLOW_OPTION, Press.FLOW_CONTROL}
# Presses that would start a hand-over or (go on with) a flow: during a case they only say
# that she is already connected.
_LEAVE_CASE = {Press.HANDOFF, Press.FLOWS, *_FLOW_PRESSES}
# Emoji that say „I am sad" when they are the whole message (newcomer D30), and the characters
# that may join or vary them („☹️" is ☹ with a variation selector).
_SAD_EMOJI = frozenset("😢😭💔😞😔😟😥😿😩😫🥺☹🙁😓😪")
_EMOJI_JOINERS = frozenset("\ufe0f\u200d")
# The entry a crisis or concern of a concept leads to (beside the hotlines and the counsellor).
_ANSWERED = {OutcomeKind.ANSWER, OutcomeKind.FLOW, OutcomeKind.HANDOFF}


class Dialogue:
    """Decides every reply of the bot; front ends only render and perform actions."""

    def __init__(
        self,
        kb: KnowledgeBase,
        config: Config,
        clock: Callable[[], date] = date.today,
        now: Callable[[], datetime] = utc_now,
        detector: LanguageDetector | None = None,
        nearest: NearestEntries | None = None,
        places: Gazetteer | None = None,
    ) -> None:
        """Build matcher, crisis guard, smalltalk and flows from the knowledge base.

        Args:
            kb: The validated knowledge base.
            config: Limits and matcher bands.
            clock: Today's date, for ages from birth dates and the year's figures.
            now: The current time, for the age of the context of follow-up questions.
            detector: Tells the language of a text; None reads every text as German.
            nearest: The entries nearest in meaning to a text, best first (a sentence
                encoder, issue 19), asked where `handle` gets none (the sync front ends);
                None: texts are matched by their words only.
            places: Postcodes and towns for „Hilfe vor Ort"; None: the place data is not
                installed, and the bot says so where a place would be needed.

        """
        self.config = config
        self.nearest = nearest
        self._clock, self._now, self._detector, self._places = clock, now, detector, places
        # Which peer groups take members now: bound by the wiring once the groups' use case
        # has asked Telegram for their links (None: no groups configured).
        self.board: GroupBoard | None = None
        self.reload(kb)

    def reload(self, kb: KnowledgeBase) -> None:
        """Answer from a (changed) knowledge base from now on: every part is rebuilt from it.

        The console calls it after staff taught a phrasing. It runs between two events on the
        one event loop, so no event sees half of the old and half of the new knowledge.
        """
        config, clock, now = self.config, self._clock, self._now
        detector, places = self._detector, self._places
        self.kb = kb
        self.texts = kb.texts
        self.matcher = Matcher(documents_from(kb.entries.values()), kb.normalizer(), config.matcher)
        known = frozenset(w for e in kb.entries.values() for q in e.questions for w in words(q))
        self.crisis = CrisisGuard(kb.crisis, known_words=known)
        self.languages = LanguageGuess(detector, known) if detector is not None else None
        self.smalltalk = Smalltalk(kb.smalltalk)
        self.flows = FlowSteps(
            kb,
            clock,
            answer=lambda state, entry_id: self.views.answer(state, kb.entries[entry_id]),
            service_rows=lambda: self.views.service_rows(),
        )
        association = association_values(config.association, kb.texts)
        self.views = Views(
            kb,
            self._flow_buttons,
            now,
            lambda: figure_values(self.flows.engine.parameters(clock())) | association,
            counselling=config.counselling is not None,
        )
        self.presses = Presses(kb, self.views, self.flows.menu, config.counselling is not None)
        self.flows.handoff = self.presses.handoff
        self.followups = Followups(kb, self.views, self.matcher, now)
        self.amounts = Amounts(kb, self.views, self.matcher, self.flows.engine, clock)
        self.foreign = ForeignLines(kb.texts, self.views)
        answers = frozenset(w for e in kb.entries.values() for w in words(e.answer))
        vocabulary = known | answers | frozenset(kb.stopwords)
        self.local = LocalHelp(kb, self.views, places, vocabulary, clock)
        if self.local.available:
            self.views.local_row = self.local.button_row
            self.flows.local_rows = self.local.button_row
        self.groups = GroupFinder(kb, self.views, lambda: self.board)
        self.views.groups_row = self._groups_row
        self.local.for_groups = self.groups.listing

    def _groups_row(self, entry_id: str | None) -> Rows:
        """Return „👥 Gruppen finden" for the menu (None) or an entry that offers it, if open."""
        offers = entry_id is None or entry_id in self.kb.groups.offer_under
        return self.groups.button_row(entry_id) if offers and self.groups.offered() else ()

    def _flow_buttons(self, entry_id: str) -> list[Button]:
        return [self.flows.start_button(f) for f in self.flows.offers(entry_id)]

    def handle(
        self,
        state: State,
        event: Event,
        case: CaseInProgress | None = None,
        nearest: Nearest | None = None,
        meaning: MeaningVerdict | None = None,
    ) -> Outcome:
        """Decide the bot's reaction to one event.

        Args:
            state: The parent's state before the event.
            event: What the parent did.
            case: Her open case, if any: what would start a hand-over or a flow then only
                says that she is already connected (newcomer D12).
            nearest: The entries nearest in meaning to the text of `to_encode(event)`, as the
                use case's encoder found them off the event loop; None: none known.
            meaning: The crisis meaning signal's verdict on her text, computed by the use case
                off the event loop; None without encoder.

        Returns:
            Replies to send, the new state and the actions to perform.

        """
        if event.kind is not EventKind.TEXT:
            # The parent moved on: the next text is no rating comment or question any more, nor
            # her place (a location answers the question itself; „📍" asks it again).
            state = replace(state, comment_case=None, question_event=None)
            if event.kind is not EventKind.LOCATION:
                state = replace(state, awaiting_place=None)
        if case is not None and self._leaves_case(event):
            return self.views.info(state, self.views.connected_line(case))
        return self._remind_of_flow(self._handle(state, event, nearest, meaning))

    def to_encode(self, event: Event) -> str | None:
        """Return the text to match by meaning: a typed message; else None.

        The use case encodes it off the event loop and passes the nearest entries to `handle`:
        a message in another language is matched by them, a German one by its words, helped by
        them where the words are unsure.
        """
        if event.kind is not EventKind.TEXT:
            return None
        text = clean_input(event.text, self.config.max_message_chars)
        return text or None

    def _leaves_case(self, event: Event) -> bool:
        """Tell whether an event would start a hand-over or a flow (pointless during a case)."""
        if event.kind is EventKind.COUNSEL:
            return True
        pressed = decode(event.text) if event.kind is EventKind.BUTTON else None
        if pressed is None:
            return False
        if pressed.press is Press.ENTRY:
            # With counsellors, the contact entry leads to the consent step.
            entry = self.kb.entries.get(pressed.args[0])
            handoff = entry is not None and entry.kind is EntryKind.HANDOFF
            return handoff and self.presses.counselling
        return pressed.press in _LEAVE_CASE

    def _remind_of_flow(self, outcome: Outcome) -> Outcome:
        """Add „Sie sind noch mitten im Ablauf …" once per interruption of a flow.

        Not under every further message (newcomer D12): the reminder comes again only after
        the parent has touched the flow. Not under the consent step either, which is a step
        away from the flow she chose herself, nor under the hotlines.
        """
        state = outcome.state
        if state.flow is None or outcome.kind is OutcomeKind.FLOW:
            return replace(outcome, state=replace(state, flow_paused=False))
        if state.flow_paused or outcome.kind in {OutcomeKind.CRISIS, OutcomeKind.HANDOFF}:
            return outcome
        resume = self.flows.resume_reply(state)
        if resume is None:
            return outcome
        paused = replace(state, flow_paused=True)
        return replace(outcome, replies=(*outcome.replies, resume), state=paused)

    def _handle(
        self,
        state: State,
        event: Event,
        nearest: Nearest | None,
        meaning: MeaningVerdict | None,
    ) -> Outcome:
        t, views = self.texts, self.views
        match event.kind:
            case EventKind.START:
                return views.menu(State(), f"{t('welcome')}\n\n{t('privacy_note')}")
            case EventKind.HELP:
                return views.info(state, t("help"), views.service_rows())
            case EventKind.TOPICS:
                return views.menu(state)
            case EventKind.PRIVACY:
                notice = privacy_notice(self.texts, self.config.privacy)
                return views.info(state, notice, views.service_rows())
            case EventKind.EXPORT:
                return Outcome(OutcomeKind.INFO, (), state, (ExportData(),))
            case EventKind.DELETE:
                yes = button(t("button_delete_yes"), Press.DELETE, "y")
                no = button(t("button_delete_no"), Press.DELETE, "n")
                return views.info(state, t("delete_confirm"), ((yes, no),))
            case EventKind.COUNSEL:
                return self.presses.handoff(state)
            case EventKind.END_CASE:
                return Outcome(OutcomeKind.INFO, (), state, (EndCase(),))
            case EventKind.GROUPS:
                return self.groups.start(state, self.local.available)
            case EventKind.EVENTS:
                return Outcome(OutcomeKind.INFO, (), state, (ShowEvents(),))
            case EventKind.SUBSCRIBE:
                return Outcome(OutcomeKind.INFO, (), state, (ChangeSubscription(None),))
            case EventKind.UNSUBSCRIBE:
                choice = SubscribePress.STOP.value
                return Outcome(OutcomeKind.INFO, (), state, (ChangeSubscription(choice),))
            case EventKind.NON_TEXT if event.text.strip():
                # A photo with a caption (newcomer D30): answer the words, and say first that
                # the picture itself was not looked at, so no one thinks a Bescheid was checked.
                answered = self.text(state, event.text, event.language, meaning=meaning)
                note = Reply(t("non_text_caption"))
                return replace(answered, replies=(note, *answered.replies))
            case EventKind.NON_TEXT:
                return views.info(state, t("non_text"), views.service_rows()[1:])
            case EventKind.UNKNOWN_COMMAND:
                menu = (c for c in self.kb.commands if c.menu)
                listed = "\n".join(f"/{c.name} – {c.description}" for c in menu)
                return views.info(state, t("command_unknown", commands=listed))
            case EventKind.BUTTON:
                return self.press(state, event.text)
            case EventKind.LOCATION if event.location is not None:
                return self.local.location(state, *event.location)
            case EventKind.LOCATION:
                return self.stale(state)
            case EventKind.TEXT:
                return self.text(state, event.text, event.language, nearest, meaning)
        raise AssertionError(f"unhandled event kind {event.kind}")  # pragma: no cover

    def crisis_reply(
        self,
        state: State,
        text: str,
        case: CaseInProgress | None = None,
        meaning: MeaningVerdict | None = None,
        hint: str | None = None,
    ) -> Outcome | None:
        """Return the hotline reply if a text shows danger (also while a case is open).

        Args:
            state: The parent's state.
            text: Her message.
            case: Her open case, if any: the reply then says who reads along instead of
                offering the hand-over again.
            meaning: The crisis meaning signal's verdict on her text (None: not asked).
            hint: Her phone's language: it helps tell whether the text is German, whose
                threshold for the meaning signal differs, exactly as `text` does.

        """
        return self.crisis_check(state, text, case, meaning, hint)[1]

    def crisis_check(
        self,
        state: State,
        text: str,
        case: CaseInProgress | None = None,
        meaning: MeaningVerdict | None = None,
        hint: str | None = None,
    ) -> tuple[Assessment, Outcome | None]:
        """Return the guard's verdict on a text and, for a crisis, the hotline reply.

        The same as `crisis_reply` (same arguments), for callers that also need the level of
        a text that is no crisis (a concern is counted in the peer groups).
        """
        cleaned = clean_input(text, self.config.max_message_chars)
        if meaning is not None and cleaned and self._language(cleaned, hint) is not None:
            meaning = meaning.in_other_language()
        assessment = self.crisis.assess(cleaned, meaning)
        if assessment.level is not CrisisLevel.CRISIS:
            return assessment, None
        return assessment, replace(self._crisis(state, assessment, case), assessment=assessment)

    def text_of(self, key: str, **fields: object) -> str:
        """Return a fixed wording (for the use cases' own replies)."""
        return self.texts(key, **fields)

    def stale(self, state: State) -> Outcome:
        """React to a button that is stale, unknown or forged: say so and show the menu."""
        return self.views.stale(state)

    def press(self, state: State, data: str) -> Outcome:
        """React to a button press; anything not understood is treated as stale."""
        pressed = decode(data)
        if pressed is None:
            return self.stale(state)
        outcome: Outcome | None
        if pressed.press is Press.LOCAL:
            outcome = self.local.ask(state, pressed.args[0])
        elif pressed.press is Press.GROUPS:
            fresh = replace(state, awaiting_place=None)
            outcome = self.groups.start(fresh, self.local.available, pressed.args[0])
        elif pressed.press in _FLOW_PRESSES:
            outcome = self.flows.press(replace(state, awaiting_place=None), pressed)
        else:
            outcome = self.presses.handle(replace(state, awaiting_place=None), pressed)
        return outcome if outcome is not None else self.stale(state)

    def text(
        self,
        state: State,
        raw: str,
        hint: str | None = None,
        nearest: Nearest | None = None,
        meaning: MeaningVerdict | None = None,
    ) -> Outcome:
        """Answer a free-text message: crisis guard, flow step, smalltalk, context, then FAQ.

        Args:
            state: The parent's state.
            raw: Her message as she sent it.
            hint: The language of her phone, if known: a message in another language gets a
                line in hers before the German reply.
            nearest: The entries nearest to it in meaning, if the caller knows them.
            meaning: The crisis meaning signal's verdict on her message (None: not asked).

        """
        limit = self.config.max_message_chars
        text = clean_input(raw, limit)
        prefix: tuple[Reply, ...] = ()
        if len(raw.strip()) > limit:
            prefix = (Reply(self.texts("truncated_note", limit=limit)),)
        detected = self._language(text, hint)
        if detected is not None and meaning is not None:
            meaning = meaning.in_other_language()
        assessment = self.crisis.assess(text, meaning) if text else Assessment(CrisisLevel.NONE)
        comment_for, question_for = state.comment_case, state.question_event
        state = replace(state, comment_case=None, question_event=None)
        if assessment.level is CrisisLevel.CRISIS:
            state = replace(state, awaiting_place=None)
            outcome = self._crisis(state, assessment)
            if assessment.learned:
                # A learned signal errs more often than a rule: hotlines first, then the
                # normal answer, so a false alarm costs the parent one scroll.
                usual = self._understand(state, text, self._meaning(text, detected, nearest))
                outcome = replace(
                    usual, kind=OutcomeKind.CRISIS, replies=(*outcome.replies, *usual.replies)
                )
            outcome = self.foreign.wrap(outcome, detected)
        elif comment_for is not None and text:
            outcome = self._comment(state, comment_for, text)
        elif question_for is not None and text:
            reply = Reply(self.texts("event_question_thanks"), buttons=self.views.menu_rows())
            action = AskQuestion(question_for, redact(text, self.kb.names))
            outcome = Outcome(OutcomeKind.INFO, (reply,), state, (action,))
        elif (local := self.local.text(state, text)) is not None:
            outcome = local
        else:
            state = replace(state, awaiting_place=None)
            outcome = self._understand(state, text, self._meaning(text, detected, nearest))
            outcome = self.local.for_message(outcome, text)
            if assessment.level is CrisisLevel.CONCERN:
                outcome = self._with_concern(outcome, assessment, text)
            outcome = self.foreign.wrap(outcome, detected)
        return replace(outcome, replies=(*prefix, *outcome.replies), assessment=assessment)

    def _language(self, text: str, hint: str | None) -> Detected | None:
        """Return the language of a text not in German; None for German or without a detector."""
        return self.languages.of(text, hint) if self.languages is not None and text else None

    def _meaning(
        self, text: str, detected: Detected | None, nearest: Nearest | None
    ) -> Meaning | None:
        """Return the entries nearest in meaning to a text (those the knowledge base has).

        The caller's (the bot encodes off the event loop) or else those of `self.nearest` (the
        sync front ends may block); None when neither knows them.
        """
        if nearest is None and self.nearest is not None and text:
            nearest = self.nearest(text)
        known = [(i, cosine) for i, cosine in nearest or () if i in self.kb.entries]
        return Meaning(known, foreign=detected is not None) if known else None

    def _comment(self, state: State, number: int, text: str) -> Outcome:
        """Pass the rating comment on (redacted) and thank the parent."""
        reply = Reply(self.texts("case_comment_thanks"), buttons=self.views.menu_rows())
        return Outcome(
            OutcomeKind.INFO, (reply,), state, (CommentCase(number, redact(text, self.kb.names)),)
        )

    def _understand(self, state: State, text: str, meaning: Meaning | None = None) -> Outcome:
        """Answer text that is not a crisis, in the order that respects context."""
        return (
            self._sad(state, text)
            or self._in_flow(state, text)
            or self._unmatched(state, text, meaning)
            or self.followups.answer(state, text)
            or self.amounts.answer(state, text)
            or self._faq(state, text, meaning)
        )

    def _crisis(
        self, state: State, assessment: Assessment, case: CaseInProgress | None = None
    ) -> Outcome:
        """Show the hotlines first, then a person to talk to and, for violence, the entry on it."""
        # During a case her messages already reach the team: no second hand-over button.
        rows = self.views.service_rows()[:1] if case is None else ()
        data = self.kb.crisis
        entry = self.kb.entries.get(data.entry_for(assessment.concept) or "")
        if entry is not None:
            rows += ((button(entry.title, Press.ENTRY, entry.id),),)
        text = f"{data.reply_text(assessment.concept)}\n\n{self.views.counsel_line(case)}"
        reply = Reply(text, title=data.title, buttons=rows)
        return Outcome(OutcomeKind.CRISIS, (reply,), state)

    def _asks_more(self, text: str, assessment: Assessment) -> bool:
        """Tell whether a heavy message asks something beyond the distress it expresses."""
        rest = loose(" ".join(words(text)))
        for fragment in assessment.matched:
            rest = rest.replace(fragment, " ")
        ranked = self.matcher.rank(rest, limit=1)
        return bool(ranked) and ranked[0].score >= self.config.matcher.clarify_score

    def _with_concern(self, outcome: Outcome, assessment: Assessment, text: str) -> Outcome:
        """Add one line of help to an answer; without a real question, answer the fitting entry."""
        if outcome.kind not in _ANSWERED or not self._asks_more(text, assessment):
            entry_id = self.kb.crisis.entry_for(assessment.concept) or "psychische-belastung"
            entry = self.kb.entries[entry_id]
            outcome = self.views.answer(outcome.state, entry, 100.0, (entry.id,))
        line = f"{self.kb.crisis.concern} {self.views.counsel_line()}"
        note = Reply(line, buttons=self.views.service_rows()[:1])
        return replace(outcome, replies=(*outcome.replies, note))

    def _in_flow(self, state: State, text: str) -> Outcome | None:
        """Let a flow step take the text; a confident question at an input step is answered."""
        asks = self.smalltalk.match(text) is None if text else False
        if asks and self.flows.awaits_input(state) and not self.flows.accepts(state, text):
            faq = self._faq(state, text)
            if faq.kind in _ANSWERED and faq.score >= self.config.matcher.answer_score:
                return faq
        return self.flows.text(state, text)

    def _sad(self, state: State, text: str) -> Outcome | None:
        """Meet a message of nothing but sad emoji with warmth and a person to talk to (D30)."""
        signs = {c for c in text if not c.isspace()} - _EMOJI_JOINERS
        if not signs or not signs <= _SAD_EMOJI:
            return None
        reply = Reply(
            f"{self.texts('sad_emoji')} {self.views.counsel_line()}",
            buttons=self.views.service_rows()[:1],
        )
        return Outcome(OutcomeKind.SMALLTALK, (reply,), state)

    def _unmatched(self, state: State, text: str, meaning: Meaning | None = None) -> Outcome | None:
        """Answer text that is empty, has no words, is smalltalk or asks nothing.

        A text in a script the words cannot read (Cyrillic, Arabic) is smalltalk („Спасибо")
        or else matched by meaning, where the entries nearest to it are known.
        """
        rows = self.views.service_rows()[1:]
        if not text:
            return self.views.info(state, self.texts("empty_input"), rows)
        intent = self.smalltalk.match(text)
        if not words(text) and intent is None:
            if meaning is not None and meaning.foreign:
                decided = self._by_meaning(state, text, meaning.nearest)
                if decided is not None:
                    return decided
            has_letters = any(unicodedata.category(ch).startswith("L") for ch in text)
            key = "other_language" if has_letters else "no_words"
            return replace(self.views.info(state, self.texts(key), rows), kind=OutcomeKind.FALLBACK)
        if intent is None:
            return None
        if intent.id == NO_QUESTION_INTENT:
            rows = self.views.menu_rows()
        return Outcome(OutcomeKind.SMALLTALK, (Reply(intent.reply, buttons=rows),), state)

    def _faq(self, state: State, text: str, meaning: Meaning | None = None) -> Outcome:
        """Match the FAQ: answer, answer with alternatives, ask „Meinten Sie…?", or fall back.

        A text in another language is matched by the entries nearest in meaning first (its
        German-looking words mislead: „but" is the Bildungspaket's abbreviation), by its words only
        where none is near; a German one is decided by its words, helped by meaning where they
        are unsure (`bot.dialogue.meaning`).
        """
        matcher = self.matcher
        ranked = matcher.rank_message(text, limit=max(self.config.matcher.max_candidates, 3))
        decision = matcher.decide_ranked(ranked, matcher.known_share(text))
        if meaning is not None and meaning.foreign:
            decided = self._by_meaning(state, text, meaning.nearest)
            if decided is not None:
                return decided
        elif meaning is not None and not meaning.foreign:
            most = self.config.matcher.max_candidates
            words = decision
            decision = helped(words, meaning.nearest, self.config.encoder, most)
            if decision != words:
                return replace(self._decided(state, text, decision), by_meaning=True)
        return self._decided(state, text, decision)

    def _decided(self, state: State, text: str, decision: Decision) -> Outcome:
        """Carry out a decision: answer (with alternatives), „Meinten Sie …?", or fallback."""
        ids = tuple(c.id for c in decision.candidates)
        best = decision.best
        score = best.score if best else 0.0
        if decision.verdict is Verdict.ANSWER and best is not None:
            return self.presses.answer(state, self.kb.entries[best.id], score, ids)
        if decision.verdict is Verdict.ANSWER_WITH_ALTERNATIVES and best is not None:
            outcome = self.presses.answer(state, self.kb.entries[best.id], score, ids)
            others = self.views.alternatives(state, text, ids[1:])
            new_state = replace(outcome.state, pending_question=redact(text, self.kb.names))
            return replace(outcome, replies=(*outcome.replies, others), state=new_state)
        if decision.verdict is Verdict.CLARIFY:
            return self._clarify(state, text, ids, score)
        reply = Reply(self.texts("fallback"), buttons=self.views.service_rows())
        return Outcome(
            OutcomeKind.FALLBACK,
            (reply,),
            replace(state, pending_question=None),
            (RecordUnanswered(redact(text, self.kb.names)),),
            score=score,
            candidates=ids,
        )

    def _clarify(self, state: State, text: str, ids: tuple[str, ...], score: float) -> Outcome:
        """Ask „Meinten Sie …?" with one button per entry and one for „none of these"."""
        rows = tuple((button(self.kb.entries[i].title, Press.ENTRY, i),) for i in ids)
        rows += ((button(self.texts("button_none"), Press.NONE_OF_THESE),),)
        reply = Reply(self.texts("clarify_intro"), buttons=rows)
        new_state = replace(state, pending_question=redact(text, self.kb.names))
        return Outcome(OutcomeKind.CLARIFY, (reply,), new_state, score=score, candidates=ids)

    def _by_meaning(self, state: State, text: str, nearest: Nearest) -> Outcome | None:
        """Answer or offer the entries nearest in meaning; None when none is near enough."""
        most = self.config.matcher.max_candidates
        decision = by_meaning(nearest, self.config.encoder, most)
        if decision is None:
            return None
        return replace(self._decided(state, text, decision), by_meaning=True)

    def ask(
        self,
        text: str,
        hint: str | None = None,
        meaning: MeaningVerdict | None = None,
        nearest: Nearest | None = None,
    ) -> Outcome:
        """Classify one question statelessly (for `elternlotse ask` and evaluation)."""
        return self.text(State(), text, hint, nearest, meaning)
