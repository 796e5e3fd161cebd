"""The built-in exercise library, as data: seven home exercises written by the project in its
own words, each with how to do it, how often, how many, when to stop and its source, a default
dose for a programme, and the stop rule every exercise carries (docs/clinical.md, "Exercise
alongside massage"). Pure: no Django; the words are English constants marked for translation
(core.translation), translated where they are shown.

Migration ``0002_built_in_library`` keeps its own copy of each slug, English name and ``timed``
(a migration must not change when this file does); a test checks the two agree. Nothing here
is a diagnosis or a promise: the exercises are common home exercises for back pain with or
without sciatica, to do at the dose a therapist, physiotherapist or doctor gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sciaticare.core.translation import gettext_noop

__all__ = ["BY_SLUG", "LIBRARY", "STOP_RULE", "BuiltIn", "Dose", "StopRule", "drawing_of"]


@dataclass(frozen=True)
class Dose:
    """A programme's default for one exercise: repetitions per set (0 when timed), sets per
    session, minutes per session (timed only) and sessions a day. Within the bounds a plan
    item's constraints allow (models.PlanItem)."""

    repetitions: int = 0
    sets: int = 1
    minutes: int = 0
    times_per_day: int = 1


@dataclass(frozen=True)
class StopRule:
    """The rule every exercise carries, built in or a clinic's own: when to stop and tell the
    therapist, and which new symptoms send the person to the symptom check (``check_route`` is
    its URL name)."""

    stop: str
    red_flags: str
    check_route: str
    check_words: str


#: Shown with every exercise, on every page that shows one. The red flags are the symptom
#: check's emergency signs, in its plain words.
STOP_RULE = StopRule(
    stop=gettext_noop(
        "Stop the exercise and tell your therapist if leg pain spreads further down your leg, "
        "or if numbness or weakness appears."
    ),
    red_flags=gettext_noop(
        "If you get new symptoms such as numbness around your bottom, genitals or inner "
        "thighs, new trouble passing urine or controlling your bladder or bowels, new "
        "numbness or weakness in both legs, or leg weakness that is quickly getting worse, "
        "take the symptom check now."
    ),
    check_route="check",
    check_words=gettext_noop("Take the symptom check"),
)


@dataclass(frozen=True)
class BuiltIn:
    """One exercise of the library. ``how_to`` is numbered steps; ``picture`` says in words
    what the drawing shows (its text alternative)."""

    slug: str
    name: str
    how_to: tuple[str, ...]
    how_often: str
    how_many: str
    when_to_stop: str
    sources: tuple[str, ...]
    picture: str
    dose: Dose
    timed: bool = False


# The published sources, one message each so that every exercise citing one shares it.
NG59_ACTIVE = gettext_noop(
    "NICE guideline NG59 (2016, updated 2020), recommendation 1.1: stay active and carry on "
    "with normal activities as far as possible."
)
NG59_EXERCISE = gettext_noop(
    "NICE guideline NG59 (2016, updated 2020), recommendation 1.2.1: consider an exercise "
    "programme (stretching and strengthening, aerobic, mind–body or a mix) for low back pain "
    "with or without sciatica."
)
HAYDEN = gettext_noop(
    "Hayden et al., Cochrane review 2021 (exercise for chronic low back pain): exercise "
    "probably reduces pain compared with no treatment or usual care; the average effect is "
    "small."
)
BASSON = gettext_noop(
    "Basson et al., JOSPT 2017 (a systematic review of nerve mobilisation): some benefit in "
    "low back pain; the benefit for sciatica is unclear."
)
LONG = gettext_noop(
    "Long et al., Spine 2004: some people's leg pain eases with repeated movements in one "
    "direction, here bending backwards."
)


LIBRARY: tuple[BuiltIn, ...] = (
    BuiltIn(
        slug="walking",
        name=gettext_noop("Walking"),
        how_to=(
            gettext_noop("Choose flat ground and comfortable shoes."),
            gettext_noop(
                "Walk at an easy pace for as long as is comfortable: for many people that is "
                "5 to 10 minutes at first."
            ),
            gettext_noop("Stand tall, let your arms swing and breathe normally."),
            gettext_noop(
                "Every few days, if your leg has been no worse, add 2 or 3 minutes to your walk."
            ),
        ),
        how_often=gettext_noop("Every day, or as your therapist says."),
        how_many=gettext_noop(
            "Start with the minutes that are comfortable and add a few minutes every few days."
        ),
        when_to_stop=gettext_noop(
            "Slow down or stop if leg pain builds as you walk; rest until it settles and walk a "
            "little less next time."
        ),
        sources=(NG59_ACTIVE, NG59_EXERCISE),
        picture=gettext_noop("A person walking upright, arms swinging, on flat ground."),
        dose=Dose(minutes=10),
        timed=True,
    ),
    BuiltIn(
        slug="knee-to-chest",
        name=gettext_noop("Knee-to-chest stretch"),
        how_to=(
            gettext_noop("Lie on your back on the floor or a firm bed, both knees bent."),
            gettext_noop(
                "Hold one knee with both hands and gently bring it towards your chest until "
                "you feel a mild stretch in your lower back."
            ),
            gettext_noop("Hold for 20 to 30 seconds, breathing slowly."),
            gettext_noop("Lower the leg back down and do the same with the other knee."),
        ),
        how_often=gettext_noop("Twice a day."),
        how_many=gettext_noop("3 times on each side, holding each for 20 to 30 seconds."),
        when_to_stop=gettext_noop(
            "Stop if it brings on or increases pain or tingling in your leg. A mild stretch in "
            "the back is expected; sharp pain is not."
        ),
        sources=(NG59_EXERCISE, HAYDEN),
        picture=gettext_noop(
            "A person lying on their back, one knee bent on the floor, hugging the other knee "
            "towards the chest."
        ),
        dose=Dose(repetitions=3, times_per_day=2),
    ),
    BuiltIn(
        slug="supine-piriformis-stretch",
        name=gettext_noop("Piriformis stretch, lying on your back"),
        how_to=(
            gettext_noop("Lie on your back, both knees bent and feet flat."),
            gettext_noop("Cross one ankle over the opposite knee."),
            gettext_noop(
                "Hold the thigh of the lower leg with both hands and gently draw it towards "
                "your chest until you feel a stretch deep in the buttock of the crossed leg."
            ),
            gettext_noop("Hold for 20 to 30 seconds, then change sides."),
        ),
        how_often=gettext_noop("Twice a day."),
        how_many=gettext_noop("3 times on each side, holding each for 20 to 30 seconds."),
        when_to_stop=gettext_noop(
            "Stop if you feel tingling or pain going down your leg. A stretch in the buttock is "
            "expected; sharp pain is not."
        ),
        sources=(NG59_EXERCISE, HAYDEN),
        picture=gettext_noop(
            "A person lying on their back with one ankle crossed over the other knee, drawing "
            "the legs towards the chest."
        ),
        dose=Dose(repetitions=3, times_per_day=2),
    ),
    BuiltIn(
        slug="sciatic-nerve-slider",
        name=gettext_noop("Sciatic nerve slider"),
        how_to=(
            gettext_noop("Sit upright on a firm chair, feet flat on the floor."),
            gettext_noop(
                "Slowly straighten the knee of your painful leg and pull your toes up towards "
                "you, while you tip your head back to look up."
            ),
            gettext_noop(
                "Then slowly bend the knee back down and point your toes, while you bring your "
                "chin down to look at the floor."
            ),
            gettext_noop(
                "Keep moving smoothly between the two: head and leg move together, so the nerve "
                "slides without being stretched."
            ),
        ),
        how_often=gettext_noop("2 or 3 times a day."),
        how_many=gettext_noop("10 slow, smooth movements."),
        when_to_stop=gettext_noop(
            "It should feel like a gentle movement, not a stretch. Stop if it brings on "
            "tingling, numbness or pain in your leg that lasts after you stop."
        ),
        sources=(BASSON,),
        picture=gettext_noop(
            "A person sitting on a chair, straightening one knee while looking up, then "
            "bending it while looking down."
        ),
        dose=Dose(repetitions=10, times_per_day=2),
    ),
    BuiltIn(
        slug="prone-press-up",
        name=gettext_noop("Press-up lying on your front"),
        how_to=(
            gettext_noop("Lie on your front, hands flat on the floor under your shoulders."),
            gettext_noop(
                "Keep your hips and legs relaxed on the floor and slowly straighten your arms to "
                "lift your chest, as far as is comfortable."
            ),
            gettext_noop("Hold for a moment, then slowly lower yourself back down."),
            gettext_noop(
                "If pushing up is too much, start by resting on your elbows for a minute."
            ),
        ),
        how_often=gettext_noop("3 or 4 times a day."),
        how_many=gettext_noop("10 times, slowly."),
        when_to_stop=gettext_noop(
            "Stop if leg pain spreads further down your leg, or if your leg is worse afterwards. "
            "Leg pain that eases or moves up towards your back is not a reason to stop."
        ),
        sources=(LONG,),
        picture=gettext_noop(
            "A person lying on their front, hips on the floor, pushing up on straight arms to "
            "lift the chest."
        ),
        dose=Dose(repetitions=10, times_per_day=3),
    ),
    BuiltIn(
        slug="pelvic-tilt",
        name=gettext_noop("Pelvic tilt"),
        how_to=(
            gettext_noop("Lie on your back, both knees bent and feet flat."),
            gettext_noop(
                "Tighten your tummy muscles and gently press the small of your back into the "
                "floor, tilting your pelvis up a little."
            ),
            gettext_noop("Hold for 5 seconds, breathing normally."),
            gettext_noop("Relax, and let your back return to its natural curve."),
        ),
        how_often=gettext_noop("Twice a day."),
        how_many=gettext_noop("10 times, holding each for 5 seconds."),
        when_to_stop=gettext_noop(
            "Stop if it brings on leg pain or sharp back pain. Do not hold your breath."
        ),
        sources=(NG59_EXERCISE, HAYDEN),
        picture=gettext_noop(
            "A person lying on their back, knees bent, pressing the lower back into the floor."
        ),
        dose=Dose(repetitions=10, times_per_day=2),
    ),
    BuiltIn(
        slug="cat-camel",
        name=gettext_noop("Cat–camel"),
        how_to=(
            gettext_noop(
                "Kneel on all fours, hands under your shoulders and knees under your hips."
            ),
            gettext_noop(
                "Slowly round your back up towards the ceiling and let your head drop (the cat)."
            ),
            gettext_noop("Then slowly let your back sag a little and lift your head (the camel)."),
            gettext_noop(
                "Move gently between the two, only as far as is comfortable, without stopping "
                "at either end."
            ),
        ),
        how_often=gettext_noop("Twice a day."),
        how_many=gettext_noop("10 slow movements."),
        when_to_stop=gettext_noop(
            "Stop if it brings on leg pain or tingling. Keep the movement small if your back is "
            "sore, and never push into pain."
        ),
        sources=(NG59_EXERCISE, HAYDEN),
        picture=gettext_noop(
            "A person on hands and knees, rounding the back up and then letting it sag."
        ),
        dose=Dose(repetitions=10, times_per_day=2),
    ),
)

BY_SLUG: Mapping[str, BuiltIn] = MappingProxyType({e.slug: e for e in LIBRARY})


def drawing_of(slug: str) -> str | None:
    """The static path of a built-in exercise's line drawing, None for any other slug."""
    return f"exercises/drawings/{slug}.svg" if slug in BY_SLUG else None
