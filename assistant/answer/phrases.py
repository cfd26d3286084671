"""Phrases cut from the reports' own words, for the subject of a sentence: an activity from a bullet, a label
for a figure. Pure functions over Sudachi morphemes.

A phrase is cut at morpheme boundaries so that it ends in a noun: 「自動通話録音機を116台貸与（…）」 →
「自動通話録音機の貸与」 (object + の + the サ変 noun that acts on it), 「防犯ブザーの貸与(新小学1年生…) 2,045件」 →
「防犯ブザーの貸与」 (up to the first figure). A cut that is not a clean noun phrase (a case particle without a
later predicate, a particle at its end) is not used: the measure's name, verbatim, is said instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from assistant.retrieval.tokenize import Morph

Morphemes = Callable[[str], list[Morph]]

# Brackets and what they hold: a note inside a phrase (「(新小学1年生及び新中学1年生)」, 「【交通対策課所管】」).
_BRACKETS = re.compile(r"\([^()]{0,80}\)|（[^（）]{0,80}）|【[^【】]{0,40}】|\[[^\[\]]{0,40}\]")
# Case particles that leave a phrase waiting for its predicate; より too (「センターより提供」 is a fragment), and
# にて, the reports' written に/で.
_CASE = frozenset({"に", "を", "が", "で", "から", "へ", "より", "にて"})
# サ変 nouns that say when, not what is done: 「実施予定」 is done by 実施.
_NOT_ACTIONS = frozenset({"予定", "継続中", "検討中"})
# A phrase that says nothing was done (「…情報なし」, 「該当なし」) names no activity.
_NEGATIONS = ("なし", "無し", "中止")


def says_nothing_done(text: str) -> bool:
    """A bullet that reports nothing done (「…の影響で中止」, 「…情報なし」): no evidence that an activity is held."""
    return text.rstrip("。 ").endswith(_NEGATIONS)


def asks_about_nothing_done(question: str) -> bool:
    """「講習会は中止になったの？」: the question itself asks whether nothing was done."""
    return any(word in question for word in _NEGATIONS)


# Verbs that make 「Nに…」 a modifier of the noun after them.
_ADNOMINAL = frozenset({"関する", "対する", "係る", "因る", "よる", "おける", "於ける"})
# Formal nouns that end a clause rather than name a thing (「守るための」, 「…すること」).
_FORMAL = frozenset({"ため", "こと", "もの", "ところ", "よう", "中", "際"})
_TOPIC = frozenset({"は", "も"})
# Conjunctions that join two nouns into one object: 「障がい者施設利用者及び保護者に対する説明」.
_CONJUNCTIONS = frozenset({"及び", "並びに"})
# Longest phrase worth a subject; a longer cut is a sentence, better named by its measure. 40 keeps
# 「「女性に対する暴力をなくす運動」に合わせたDV防止普及啓発パネル展の実施」 (35), the longest name-like bullet of
# both seeds; the next longer ones are sentences.
MAX_PHRASE_CHARS = 40
# An object this short (確認, 支援) is a generic action noun that says what is done only with its means.
BARE_OBJECT_CHARS = 2
# A bare object, right after a particle, with a note of words (no figure) in brackets before its を.
_NOTED_OBJECT = re.compile(rf"(?<=[とをにで])([^\W\d]{{1,{BARE_OBJECT_CHARS}}})\(([^()\d]{{2,20}})\)を")
# Verbs whose object is itself the action (「植栽の剪定を行った」); 図る only with these, since its object is
# more often a goal (「防犯性の向上を図った」, 「電気料金等の削減を図った」) than a thing done (「相談室の周知を図る」).
_DOING = frozenset({"行う"})
_DONE_WITH_HAKARU = frozenset({"周知", "連携", "調整"})
# Count nouns a figure's label may end in: such a label names a figure, not an activity.
_COUNT_ENDINGS = ("件数", "数", "距離", "回数", "人数", "台数", "累計")


def strip_notes(text: str) -> str:
    """The text without its bracketed notes (「(新小学1年生及び新中学1年生)」, 「【交通対策課所管】」)."""
    for _ in range(3):  # nested brackets, innermost first
        text = _BRACKETS.sub("", text)
    return text


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lstrip("・").strip()
    for _ in range(3):  # nested brackets, innermost first
        text = _BRACKETS.sub("", text)
    return text.split("。")[0].strip()


def is_noun_phrase(morphs: Sequence[Morph]) -> bool:
    """Ends in a noun; no topic particle, no のの, no case particle without a predicate after it, no verb
    ending (ます, です) and no question word."""
    if not morphs or not (morphs[-1].noun or morphs[-1].pos[0] == "接尾辞" or morphs[-1].surface == "」"):
        return False
    pending_case = pending_before = False
    previous = ""
    for m in morphs:
        if m.particle and m.surface in _TOPIC:
            return False
        if m.surface == "の" and previous == "の":
            return False
        if m.pos[0] == "助動詞" and m.surface in ("ます", "です", "でしょう"):
            return False
        if m.pos[0] == "代名詞" or m.pos[0] == "副詞":
            return False
        if m.particle and m.surface in _CASE:
            pending_before, pending_case = pending_case, True
        elif m.pos[0] in ("動詞", "形容詞"):
            pending_case = False
        elif m.surface == "の" and previous in _CASE:
            pending_case = pending_before  # 「声かけ等での確認」: with の the particle modifies the noun after it
        previous = m.surface
    return not pending_case


def _units(morphs: Sequence[Morph]) -> list[Morph]:
    """Morphemes with each 「…」 quote as one noun, so a quoted name (「悪質な訪問販売お断り」) stays whole."""
    out: list[Morph] = []
    quote: list[Morph] = []
    for m in morphs:
        if m.surface == "「" and not quote:
            quote = [m]
        elif quote:
            quote.append(m)
            if m.surface == "」":
                out.append(Morph("".join(q.surface for q in quote), ("名詞", "普通名詞", "一般"), "", ""))
                quote = []
        else:
            out.append(m)
    return out + quote


def _noun_run_before(morphs: Sequence[Morph], end: int) -> int:
    """Start of the noun run (with の between nouns: 防犯ブザーの貸与) that ends just before ``end``; ``end``
    itself when the run would start inside a word (「まなびあひ出前講座」 split by the dictionary) or at a
    counter (「2台の防犯カメラ」)."""
    start = end
    while start > 0:
        m = morphs[start - 1]
        nominal = m.noun or m.pos[0] in ("接尾辞", "接頭辞") or m.surface == "・" or _inside_run(morphs, start - 1)
        if m.surface in _FORMAL or (nominal and start > 1 and morphs[start - 2].number):
            break
        if nominal:
            start -= 1
        elif _na_adjective(morphs, start - 1):
            start -= 2  # 「多面的な支援」: the adjective says which 支援
        elif m.surface == "の" and start > 1 and start < end:
            before = morphs[start - 2]
            if not (before.noun or before.pos[0] == "接尾辞" or before.surface == "」"):
                break
            start -= 1
        else:
            break
    if start > 0 and not _boundary(morphs[start - 1]):
        return end
    # 「薬物に関するセーフティー教室」, 「DVによる被害」: an adnominal 「Nに関する」 belongs to the name.
    particle = _adnominal_particle(morphs, start)
    if particle > 0:
        outer = _noun_run_before(morphs, particle)
        if outer < particle:
            return outer
    return start


def _adnominal_particle(morphs: Sequence[Morph], start: int) -> int:
    """Where the に/と of an adnominal 「Nに関する」 ending just before ``start`` stands, else -1. Sudachi reads
    おける as おけ + る (「公園緑地における定期的な巡回」), so that pair counts as one verb."""
    verb = start - 1
    if verb >= 1 and morphs[verb].surface == "る" and morphs[verb - 1].dictionary == "おく":
        verb -= 1
    ok = verb >= 2 and (morphs[verb].dictionary in _ADNOMINAL or morphs[verb].surface == "おけ")
    return verb - 1 if ok and morphs[verb - 1].surface in ("に", "と") else -1


def _inside_run(morphs: Sequence[Morph], k: int) -> bool:
    """A word at ``k`` that joins two nouns into one run: a verb's 連用形 compounding with the noun after it
    (「高齢者等見守り協定」: 見守り is no relative clause, which takes 見守る), or 及び between nouns
    (「障がい者施設利用者及び保護者」)."""
    m = morphs[k]
    nouns_around = k > 0 and k + 1 < len(morphs) and morphs[k - 1].noun and morphs[k + 1].noun
    compound = m.pos[0] == "動詞" and m.pos[5].startswith("連用形") and k + 1 < len(morphs) and morphs[k + 1].noun
    return compound or (m.surface in _CONJUNCTIONS and nouns_around)


def _na_adjective(morphs: Sequence[Morph], k: int) -> bool:
    """The な at ``k`` joins a 形状詞 to the noun after it (「多面的な支援」, 「定期的な巡回」)."""
    return k > 0 and morphs[k].surface == "な" and morphs[k - 1].pos[2] == "形状詞可能"


def _boundary(m: Morph) -> bool:
    """A morpheme a noun run may follow: a particle, punctuation, or the verb of a relative clause
    (「…を訴えるポスター・標語」); a one-kana verb is a dictionary split inside a name (「まなびあひ」)."""
    if m.particle or m.pos[0] in ("補助記号", "空白", "助動詞"):
        return True
    return m.pos[0] in ("動詞", "形容詞") and len(m.surface) > 1


def _object_and_action(morphs: Sequence[Morph]) -> str:
    """「XをN台貸与」 / 「Xを…で実施した」 → 「Xの貸与」 / 「Xの実施」: a を-object and the サ変 noun that ends its
    clause (up to the next を). An object of another verb first (「子ども達を薬害から守る…」) is skipped. Of several,
    the sentence's main action wins over a means (「機会を利用して、出前講座を実施予定」: 出前講座の実施)."""
    marks = [i for i, m in enumerate(morphs) if m.surface == "を" and m.particle]
    found: list[tuple[bool, str]] = []
    for k, i in enumerate(marks):
        phrase = _clause_action(morphs, i, marks[k + 1] if k + 1 < len(marks) else len(morphs))
        if phrase:
            found.append((phrase[0], phrase[1]))
    main = [phrase for means, phrase in found if not means]
    return (main or [phrase for _, phrase in found] or [""])[0]


def _clause_action(morphs: Sequence[Morph], i: int, stop: int) -> tuple[bool, str] | None:
    """The object of the を at ``i`` with the サ変 noun that ends its clause (up to ``stop``), and whether that
    action is a means to another; None when the clause has no such action or its object is no noun run."""
    start, obj = _object(morphs, i)
    clause = morphs[i + 1 : stop]
    if clause and _done_by(clause[0], morphs[i - 1]):
        # 「定期的に植栽の剪定を行った」: the object is the action itself (「植栽の剪定」); a bare one (広報, 調整)
        # says nothing. Ranked after an action of its own clause, as a means is.
        return (True, obj) if len(obj) > BARE_OBJECT_CHARS and not any(m.number for m in morphs[start:i]) else None
    actions = [j for j, m in enumerate(clause) if m.pos[2] == "サ変可能" and m.surface not in _NOT_ACTIONS]
    if not obj or not actions or any(m.number for m in morphs[start:i]):
        return None
    # The action that ends a clause: followed by する, a plan (予定), punctuation or the end, never by a
    # particle or noun (「シールを経済課窓口、1階受付にて配布」: 配布, not 受付; 「防止を訴える」: none).
    ends = [j for j in actions if _ends_clause(morphs, i + 1 + j)]
    if not ends or any(m.pos[0] == "動詞" and m.pos[1] != "非自立可能" for m in clause[: ends[0]]):
        return None
    at = i + 1 + ends[0]
    action, before = morphs[at].surface, morphs[at - 1]
    counted = before.pos[2] == "助数詞" or morphs[at - 2].number  # 「116台貸与」, 「3回開催」: a figure, no compound
    compound = at - 1 > i and (before.noun or before.pos[0] == "接尾辞") and not counted
    if compound and morphs[at].pos[0] == "接尾辞":
        action = before.surface + action  # 「公園灯をLED化」: 化 is LED化, not an action of its own
    elif compound:
        # 「小中学校を対象にセーフティー教室実施」: the noun compounded with the action is what is done.
        inner = _noun_run_before(morphs, at)
        obj = "".join(m.surface for m in morphs[max(inner, i + 1) : at])
    return _means(morphs, at), f"{obj}の{action}"


def _done_by(verb: Morph, last: Morph) -> bool:
    """The verb after を makes the object's last noun ``last`` the action itself: 「剪定を行った」, 「周知を図る」."""
    if last.pos[2] != "サ変可能":
        return False
    return verb.dictionary in _DOING or (verb.dictionary == "図る" and last.surface in _DONE_WITH_HAKARU)


def _object(morphs: Sequence[Morph], i: int) -> tuple[int, str]:
    """Start and words of the を-object before ``i``. A bare generic object (確認, 2 characters) keeps the means
    its clause gives it with で, which での joins to it: 「声かけ等で確認を実施」 → 「声かけ等での確認」."""
    start = _noun_run_before(morphs, i)
    obj = "".join(m.surface for m in morphs[start:i])
    if i - start == 1 and len(obj) <= BARE_OBJECT_CHARS and start >= 2:
        means = morphs[start - 1]
        outer = _noun_run_before(morphs, start - 1)
        if means.surface == "で" and means.pos[1] == "格助詞" and outer < start - 1:
            return outer, "".join(m.surface for m in morphs[outer : start - 1]) + "での" + obj
    return start, obj


def _means(morphs: Sequence[Morph], j: int) -> bool:
    """The action at ``j`` is a means to another (「利用して、」, 「通して、」): する in its て-form follows."""
    rest = [m.surface for m in morphs[j + 1 : j + 3]]
    return rest[:2] == ["し", "て"] or rest[:1] == ["して"]


def _ends_clause(clause: Sequence[Morph], j: int) -> bool:
    after = clause[j + 1] if j + 1 < len(clause) else None
    if after is not None and after.pos[0] == "接尾辞" and j + 2 < len(clause):
        after = clause[j + 2]  # 「HP掲載等による周知」: 等 then に, no clause ends at 掲載
    return after is None or after.surface == "予定" or not (after.particle or after.noun)


def _head_run(morphs: Sequence[Morph]) -> tuple[str, bool, bool]:
    """The words before the first figure or comma, as a noun phrase, and whether the cut is clean: it ends the
    text or stops at a space (「防犯ブザーの貸与 2,045件」), rather than cutting a list (「都立高校、自治会…」)."""
    end, stop = 0, None
    for i, m in enumerate(morphs):
        if m.number or (m.pos[0] in ("補助記号", "空白") and m.surface not in ("・", "「", "」")):
            stop = m
            break
        end = i + 1
    cut = list(morphs[:end])
    trimmed = False
    while cut and not (cut[-1].noun or cut[-1].pos[0] == "接尾辞" or cut[-1].surface == "」"):
        cut.pop()
        trimmed = True
    clean = stop is None or stop.pos[0] == "空白"
    if not is_noun_phrase(cut):
        return "", False, False
    # A run trimmed of the predicate after it (「今後の自転車駐車場整備に向けて、…」) is a phrase too; one cut
    # straight at a comma or a figure (「市内3社と…」) is a fragment.
    return "".join(m.surface for m in cut), clean, trimmed and len(cut) > 1


def _action_toward(morphs: Sequence[Morph]) -> str:
    """A bullet that is one 「NにV(サ変)した」, named as への + the action: 「空家等対策計画策定に参画した」 →
    「空家等対策計画策定への参画」 (への, as the reports write 「自主的な防犯活動への支援」).
    Empty for any other shape."""
    at = next((k for k, m in enumerate(morphs) if m.surface == "に" and m.particle), -1)
    if at < 1 or at + 1 >= len(morphs) or morphs[at + 1].pos[2] != "サ変可能":
        return ""
    rest = morphs[at + 2 :]
    if _noun_run_before(morphs, at) != 0 or not all(
        m.pos[0] in ("動詞", "助動詞") or m.surface == "予定" for m in rest
    ):
        return ""
    return "".join(m.surface for m in morphs[:at]) + "への" + morphs[at + 1].surface


def _note_first(text: str) -> str:
    """A bare object's note said before it, as what the object is about: 「市内3社と覚書(パトロール協力)を継続」 →
    「…とパトロール協力の覚書を継続」. Only a word of up to BARE_OBJECT_CHARS after a particle, and a note of
    words (no figures, no date): of the seeds, the 5 協定/覚書 bullets; 「研修会(3月)を」 keeps its form."""
    return _NOTED_OBJECT.sub(r"\2の\1を", unicodedata.normalize("NFKC", text))


def activity_phrase(text: str, morphemes: Morphemes) -> str:
    """The activity a bullet names, as a noun phrase of its own words; empty when none reads cleanly."""
    plain = _plain(_note_first(text))
    if not plain:
        return ""
    morphs = _units(morphemes(plain))
    head, clean, trimmed = _head_run(morphs)
    action = _object_and_action(morphs)
    whole = "" if any(m.number for m in morphs) else "".join(m.surface for m in morphs)
    toward = _action_toward(morphs)
    candidates = (head, action, toward, whole) if clean else (action, head * trimmed, toward, whole)
    for phrase in candidates:
        endings = _COUNT_ENDINGS + _NEGATIONS + tuple(_FORMAL)  # 「…を行うこと」 is a clause, not a name
        fits = 2 < len(phrase) <= MAX_PHRASE_CHARS and not phrase.endswith(endings)
        if fits and is_noun_phrase(_units(morphemes(phrase))):
            return phrase
    return ""


def figure_label(label: str, morphemes: Morphemes) -> str:
    """A figure's label from the figures table as a noun phrase (「通学路防犯カメラの設置」 of
    「通学路防犯カメラの設置(小学校)」), or empty when it does not read as one (「市内 協定を継続」)."""
    parts = [p for p in _plain(label).split(" ") if p]
    if len(parts) != 1:
        return ""
    morphs = _units(morphemes(parts[0]))
    return parts[0] if is_noun_phrase(morphs) and len(parts[0]) <= MAX_PHRASE_CHARS else ""


def is_action(phrase: str, morphemes: Morphemes) -> bool:
    """The phrase ends in a サ変 noun (貸与, 実施, 設置): something done, that 「を行っています」 can follow."""
    morphs = morphemes(phrase)
    return bool(morphs) and morphs[-1].pos[2] == "サ変可能"


def counted_after(text: str, span: str, morphemes: Morphemes) -> str:
    """What a figure counts when its bullet says it after the figure: 「三幸公園に2台の防犯カメラを設置」 →
    防犯カメラ; 「標語932点の応募」 → 応募. Empty when the figure is not followed by 「の」 and a noun."""
    plain = unicodedata.normalize("NFKC", text)
    at = plain.find(span)
    if at < 0 or not plain[at + len(span) :].startswith("の"):
        return ""
    run: list[str] = []
    for m in morphemes(plain[at + len(span) + 1 :]):
        if m.noun or (run and m.pos[0] == "接尾辞"):
            run.append(m.surface)
        else:
            break
    return "".join(run)


def first_noun_run(name: str, morphemes: Morphemes) -> str:
    """The name's opening noun run: 「CoCoパトロール隊」 of 「CoCoパトロール隊による地域パトロール」."""
    morphs = _units(morphemes(_plain(name)))
    run: list[str] = []
    for k, m in enumerate(morphs):
        # A sentence-final particle cannot stand inside a name: Sudachi misreads こがねい as こがね + い, and
        # 「こがねい安全・安心メール」 goes on past it.
        misread = m.pos[1] == "終助詞" and run and k + 1 < len(morphs) and morphs[k + 1].noun
        if m.noun or m.pos[0] in ("接尾辞", "接頭辞") or m.surface == "・" or misread:
            run.append(m.surface)
        else:
            break
    return "".join(run)
