"""The words of the questionnaires Sciaticare ships (``intake/questionnaires/*.json``: the
numeric rating scales, the PEG and the RMDQ), marked for translation (pure).

The JSON files keep the English, as published; the questionnaire page shows each item, anchor
and copyright statement through ``gettext``, so a Spanish reader reads Sciaticare's own Spanish
translation (docs/i18n.md says why it is not a published validated version). Scoring reads only
linkIds and answers, never these words, so it is the same in every language.
``tests/intake/test_translated_questionnaires.py`` checks that every text in the files is here.
"""

from __future__ import annotations

from sciaticare.core.translation import gettext_noop

__all__ = ["SHIPPED_TEXTS"]

SHIPPED_TEXTS: frozenset[str] = frozenset(
    {
        gettext_noop(
            "Generic 0-10 numeric rating scale; question wording by Sciaticare. No licence is needed for a generic numeric rating scale."
        ),
        gettext_noop(
            "What number best describes your back pain today, from 0 (no pain) to 10 (pain as bad as you can imagine)?"
        ),
        gettext_noop("0 = No pain"),
        gettext_noop("10 = Pain as bad as you can imagine"),
        gettext_noop(
            "What number best describes your leg pain (sciatica) today, from 0 (no pain) to 10 (pain as bad as you can imagine)?"
        ),
        gettext_noop(
            "Item wording as published by Krebs et al., J Gen Intern Med 2009;24(6):733-738 (open-access article). Permission for reuse in a product has not been confirmed; Sciaticare uses the published wording pending that confirmation."
        ),
        gettext_noop("What number best describes your pain on average in the past week?"),
        gettext_noop(
            "What number best describes how, during the past week, pain has interfered with your enjoyment of life?"
        ),
        gettext_noop("0 = Does not interfere"),
        gettext_noop("10 = Completely interferes"),
        gettext_noop(
            "What number best describes how, during the past week, pain has interfered with your general activity?"
        ),
        gettext_noop(
            "Roland-Morris Disability Questionnaire (Roland MO, Morris RW, Spine 1983;8:141-144). Roland & Fairbank (Spine 2000;25:3115-3124) state that no permission is required from the authors or from Spine when the questionnaire is used in the published form; it is reproduced here unchanged."
        ),
        gettext_noop(
            "When you read a sentence that describes you today, put a tick against it. If the sentence does not describe you, then leave the space blank and go on to the next one. Remember, only tick the sentence if you are sure it describes you today."
        ),
        gettext_noop("I stay at home most of the time because of my back."),
        gettext_noop("I change position frequently to try and get my back comfortable."),
        gettext_noop("I walk more slowly than usual because of my back."),
        gettext_noop(
            "Because of my back I am not doing any of the jobs that I usually do around the house."
        ),
        gettext_noop("Because of my back, I use a handrail to get upstairs."),
        gettext_noop("Because of my back, I lie down to rest more often."),
        gettext_noop(
            "Because of my back, I have to hold on to something to get out of an easy chair."
        ),
        gettext_noop("Because of my back, I try to get other people to do things for me."),
        gettext_noop("I get dressed more slowly than usual because of my back."),
        gettext_noop("I only stand for short periods of time because of my back."),
        gettext_noop("Because of my back, I try not to bend or kneel down."),
        gettext_noop("I find it difficult to get out of a chair because of my back."),
        gettext_noop("My back is painful almost all the time."),
        gettext_noop("I find it difficult to turn over in bed because of my back."),
        gettext_noop("My appetite is not very good because of my back pain."),
        gettext_noop(
            "I have trouble putting on my socks (or stockings) because of the pain in my back."
        ),
        gettext_noop("I only walk short distances because of my back."),
        gettext_noop("I sleep less well because of my back."),
        gettext_noop("Because of my back pain, I get dressed with help from someone else."),
        gettext_noop("I sit down for most of the day because of my back."),
        gettext_noop("I avoid heavy jobs around the house because of my back."),
        gettext_noop(
            "Because of my back pain, I am more irritable and bad tempered with people than usual."
        ),
        gettext_noop("Because of my back, I go upstairs more slowly than usual."),
        gettext_noop("I stay in bed most of the time because of my back."),
    }
)
