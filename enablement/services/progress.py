"""Honest progress: the time a learner spends on a lesson is counted by the server, and a lesson can be marked
done only once its minimum time is reached (or, after a fair share of it, the learner reached the end of its text
or video). Training hours are the sum of this counted time.

How time is counted (`_count`): every event on a lesson page (opening it, a heartbeat while it is open and in view,
"I reached the end", "mark as done") counts the wall-clock time since the previous event, capped:
- after heartbeats have been seen, a gap counts at most `BEAT_GAP_SECONDS` (the page stops beating when hidden or
  idle, so a long gap means the learner was away);
- without JavaScript there are no heartbeats: "mark as done" counts the time since the page was opened;
- a lesson counts at most `lesson_seconds_cap` per run, and time already counted for one lesson of the enrollment
  is never counted again for another (`Enrollment.counted_until`): three tabs open side by side count once.
Time counts on lessons not yet done in the current run of an in-progress enrollment. The browser sends no number:
it only says "still here" or "reached the end"; the server decides what that is worth.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from enablement.models import Enrollment, Lesson, LessonProgress, LessonTime, lesson_seconds_cap

# The page beats every 30 seconds while it is in view and the learner is active; a gap up to three missed beats
# still counts whole.
BEAT_SECONDS = 30
BEAT_GAP_SECONDS = 90
# Reaching the end of the text or video lets a fast reader finish once this share of the minimum is counted.
END_SHARE = 3  # one third

EVENT_BEAT = "beat"
EVENT_END = "end"
EVENTS = (EVENT_BEAT, EVENT_END)


def seconds_words(seconds: int) -> str:
    """A span in words for messages: "40 seconds", "1 minute", "4 minutes" (minutes rounded up)."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def end_floor_seconds(lesson: Lesson) -> int:
    """The counted time after which reaching the end of the lesson is enough to mark it done."""
    return lesson.required_seconds // END_SHARE


@dataclass(frozen=True)
class LessonClock:
    """Where a learner stands on a lesson: what is counted, what is needed, whether it can be marked done."""

    counted: int
    required: int
    end_floor: int
    reached_end: bool

    @property
    def ready(self) -> bool:
        if self.counted >= self.required:
            return True
        return self.reached_end and self.counted >= self.end_floor

    @property
    def remaining(self) -> int:
        """Seconds still to spend (by the minimum; reaching the end may make it sooner)."""
        return max(0, self.required - self.counted)

    @property
    def counted_words(self) -> str:
        return seconds_words(self.counted)

    @property
    def required_words(self) -> str:
        return seconds_words(self.required)

    @property
    def remaining_words(self) -> str:
        return seconds_words(self.remaining)

    @property
    def percent(self) -> int:
        if self.ready or not self.required:
            return 100
        return min(99, round(100 * self.counted / self.required))


def lesson_clock(time: LessonTime | None, lesson: Lesson) -> LessonClock:
    return LessonClock(
        counted=time.seconds if time else 0,
        required=lesson.required_seconds,
        end_floor=end_floor_seconds(lesson),
        reached_end=bool(time and time.reached_end_at),
    )


def not_ready_message(clock: LessonClock, lesson: Lesson) -> str:
    """Why "mark as done" was refused, and what to do, in words."""
    end = ""
    if lesson.body or lesson.video_file:
        what = "the video" if lesson.video_file and not lesson.body else "the lesson"
        end = f" (or a little less once you reach the end of {what})"
    return (
        f"Not done yet: this lesson asks for at least {seconds_words(clock.required)}{end}, and "
        f"{seconds_words(clock.counted)} {'is' if clock.counted == 1 else 'are'} counted so far. "
        f"Keep going for about {seconds_words(clock.remaining)}, then mark it as done."
    )


def _count(enrollment: Enrollment, time: LessonTime, lesson: Lesson, *, now: datetime, gap_cap: int) -> int:
    """Count the time since the lesson's last event into the locked enrollment and lesson time (not saved).
    Returns the seconds added."""
    start = time.last_seen_at
    if enrollment.counted_until is not None and enrollment.counted_until > start:
        start = enrollment.counted_until
    gap = int((now - start).total_seconds()) if now > start else 0
    room = max(0, lesson_seconds_cap(lesson) - time.seconds)
    added = max(0, min(gap, gap_cap, room))
    time.seconds += added
    enrollment.seconds_spent += added
    if now > time.last_seen_at:
        time.last_seen_at = now
    if enrollment.counted_until is None or now > enrollment.counted_until:
        enrollment.counted_until = now
    if added:
        enrollment.last_activity_at = max(enrollment.last_activity_at, now)
    return added


def _locked(enrollment: Enrollment, lesson: Lesson, *, now: datetime) -> tuple[Enrollment, LessonTime, bool]:
    """The enrollment (locked) and this run's time on the lesson (created when the lesson is first opened)."""
    if lesson.course_id != enrollment.course_id:
        raise ValidationError("This lesson is not part of the course.")
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    time = LessonTime.objects.filter(enrollment=locked, lesson=lesson, run=locked.run).first()
    if time is not None:
        return locked, time, False
    try:
        with transaction.atomic():
            time = LessonTime.objects.create(
                enrollment=locked, lesson=lesson, run=locked.run, opened_at=now, last_seen_at=now
            )
    except IntegrityError:  # cannot happen under the enrollment's lock, but a retry costs nothing
        time = LessonTime.objects.get(enrollment=locked, lesson=lesson, run=locked.run)
        return locked, time, False
    return locked, time, True


def _done(enrollment: Enrollment, lesson: Lesson) -> bool:
    """Done in this run: its time stopped counting when it was marked done."""
    return LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).exists()


def _save(enrollment: Enrollment, time: LessonTime) -> None:
    time.save(update_fields=["seconds", "last_seen_at", "beats", "reached_end_at"])
    enrollment.save(update_fields=["seconds_spent", "counted_until", "last_activity_at"])


def lesson_open(*, enrollment: Enrollment, lesson: Lesson, now: datetime | None = None) -> LessonTime | None:
    """The learner opened the lesson page: start its clock (first time in this run) or pick it up again. Opening
    again counts at most a heartbeat's gap: what happened since the last visit is not known. A completed course
    has no clock (None)."""
    now = now or timezone.now()
    if enrollment.is_completed:
        return None
    with transaction.atomic():
        locked, time, created = _locked(enrollment, lesson, now=now)
        if locked.status == Enrollment.Status.COMPLETED:
            return None
        if not created and not _done(locked, lesson):
            _count(locked, time, lesson, now=now, gap_cap=BEAT_GAP_SECONDS)
            _save(locked, time)
    return time


def lesson_beat(*, enrollment: Enrollment, lesson: Lesson, event: str, now: datetime | None = None) -> LessonTime:
    """The open lesson page says the learner is still there (`beat`) or reached the end of its text or video
    (`end`). Counts the time since the last event, at most `BEAT_GAP_SECONDS`."""
    if event not in EVENTS:
        raise ValidationError("Unknown lesson event.")
    now = now or timezone.now()
    with transaction.atomic():
        locked, time, created = _locked(enrollment, lesson, now=now)
        if locked.status == Enrollment.Status.COMPLETED or _done(locked, lesson):
            return time
        if not created:
            _count(locked, time, lesson, now=now, gap_cap=BEAT_GAP_SECONDS)
        time.beats += 1
        if event == EVENT_END and time.reached_end_at is None:
            time.reached_end_at = now
        _save(locked, time)
    return time


def count_for_completion(locked: Enrollment, lesson: Lesson, *, now: datetime) -> tuple[LessonTime, LessonClock]:
    """Inside `lesson_complete`'s transaction: count up to now and say whether the lesson may be marked done.
    Without heartbeats (no JavaScript), the whole time since the page was opened counts (up to the lesson's cap);
    with them, the last gap counts like a heartbeat's."""
    time = LessonTime.objects.filter(enrollment=locked, lesson=lesson, run=locked.run).first()
    if time is None:  # marked done without opening the page (an old tab, a forged post): the clock starts now
        time = LessonTime.objects.create(
            enrollment=locked, lesson=lesson, run=locked.run, opened_at=now, last_seen_at=now
        )
    gap_cap = BEAT_GAP_SECONDS if time.beats else lesson_seconds_cap(lesson)
    _count(locked, time, lesson, now=now, gap_cap=gap_cap)
    _save(locked, time)
    return time, lesson_clock(time, lesson)


def lesson_time(*, enrollment: Enrollment, lesson: Lesson) -> LessonTime | None:
    return LessonTime.objects.filter(enrollment=enrollment, lesson=lesson, run=enrollment.run).first()
