"""Who may see which meeting, and what the shared meeting screen may show.

Meetings: the DSL and senior leaders see every meeting; anyone else sees the meetings they are invited to
(or chair, or take the minutes of). A TAC meeting is about one pupil, so it is also limited to people who may
see that pupil. Outside that scope a meeting is a 404.

The shared screen (and the minutes PDF) shows only what EVERY person in the room may see. The room is the
attendees marked present, plus the person driving the screen:
- a case is shown only if every one of them may see the pupil (pupils_visible_to). Otherwise the item is
  "held back": the screen shows neither the name nor any detail, only that it is held back and why, so the
  chair can discuss it once the people without access have left (mark them "left early") or carry it over;
- referrals and interventions are shown only if every one of them may see that record;
- the health field group is shown only if every one of them may read it;
- a guest without an account (a parent/carer, an outside professional) may see nothing restricted: at a TAC
  meeting they may see the meeting's own pupil (never health detail); at an MDT no case is shown while a
  guest is present.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from accounts.models import User
from meetings.models import Action, AgendaItem, Invitee, Meeting, PdfJob
from pru_cases.access import Action as Perm
from pru_cases.access import FieldGroup, can, can_read_field_group
from pupils.selectors import in_pupil_scope, pupils_visible_to


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    meetings = Meeting.objects.select_related("chair", "minute_taker", "pupil", "site")
    if not (user.is_authenticated and user.is_active):
        return meetings.none()
    if user.sees_all_pupils:
        return meetings
    invited = Invitee.objects.filter(meeting_id=OuterRef("pk"), user_id=user.pk)
    mine = Q(Exists(invited)) | Q(chair_id=user.pk) | Q(minute_taker_id=user.pk)
    return meetings.filter(mine).filter(Q(pupil__isnull=True) | Q(pupil__in=pupils_visible_to(user)))


def may_run(user: User, meeting: Meeting) -> bool:
    """Chair the meeting: attendance, agenda, closing, PDFs. The DSL may always step in."""
    if not can(user, Perm.RUN_MEETING):
        return False
    return user.role == User.Role.DSL or meeting.chair_id == user.pk


def may_record(user: User, meeting: Meeting) -> bool:
    """Record discussion, decisions and actions: whoever runs the meeting, and its minute-taker."""
    return may_run(user, meeting) or (user.is_active and meeting.minute_taker_id == user.pk)


def may_download(user: User, meeting: Meeting) -> bool:
    """Who may have a copy of the meeting's PDFs: those who ran it, were there, or see every pupil. Each copy
    is built for its reader (meetings.documents): what they and the people present could all see."""
    if user.sees_all_pupils or may_record(user, meeting):
        return True
    return meeting.invitees.filter(user_id=user.pk, attendance=Invitee.Attendance.PRESENT).exists()


@dataclass
class Room:
    """The people the shared screen is shown to, and what all of them may see."""

    users: list[User]
    guests: int
    meeting: Meeting
    visible_pupil_ids: set[int] = field(default_factory=set)
    health: bool = False

    def shows(self, item: AgendaItem) -> bool:
        return item.pupil_id is None or item.pupil_id in self.visible_pupil_ids


def room_for(meeting: Meeting, viewer: User | None, pupil_ids: set[int]) -> Room:
    """What may be shown about `pupil_ids` to everyone present (one query per person who does not see everyone)."""
    present = list(meeting.invitees.filter(attendance=Invitee.Attendance.PRESENT).select_related("user__agency"))
    users = {invitee.user_id: invitee.user for invitee in present if invitee.user_id}
    if viewer is not None and viewer.is_authenticated:
        users.setdefault(viewer.pk, viewer)
    guests = sum(1 for invitee in present if not invitee.user_id)
    room = Room(users=list(users.values()), guests=guests, meeting=meeting)
    visible = set(pupil_ids)
    if guests:
        visible &= {meeting.pupil_id} if meeting.kind == Meeting.Kind.TAC else set()
    for user in room.users:
        if user.is_active and user.sees_all_pupils:
            continue
        # Asked about the whole agenda, not what is left, so the cost depends on who is present and not on the data.
        visible &= set(pupils_visible_to(user).filter(pk__in=pupil_ids).values_list("pk", flat=True))
    room.visible_pupil_ids = visible
    room.health = not guests and all(can_read_field_group(user, FieldGroup.HEALTH) for user in room.users)
    return room


def shared_records(room: Room, selector, pupil_id: int) -> list:
    """Records (referrals, interventions) about one pupil that every person in the room may see."""
    ids: set[int] | None = None
    asked_for_everyone = False
    for user in room.users:
        if user.is_active and user.sees_all_pupils:
            # Everyone who sees every pupil gets the same answer from the selectors: ask for the first of them only.
            if asked_for_everyone:
                continue
            asked_for_everyone = True
        found = set(selector(user).filter(pupil_id=pupil_id).values_list("pk", flat=True))
        ids = found if ids is None else ids & found
    return sorted(ids or ())


def shared_records_query(room: Room, selector, model: type[Model], pupil_id: int) -> QuerySet:
    """The ids `shared_records` gives, as a query to use inside another query: no round trip of its own."""
    ids = model.objects.filter(pupil_id=pupil_id) if room.users else model.objects.none()
    asked_for_everyone = False
    for user in room.users:
        if user.is_active and user.sees_all_pupils:
            if asked_for_everyone:
                continue
            asked_for_everyone = True
        ids = ids.filter(pk__in=selector(user).filter(pupil_id=pupil_id).values("pk"))
    return ids.values("pk")


def actions_visible_to(user: User) -> QuerySet[Action]:
    return Action.objects.filter(in_pupil_scope(user, "plan__pupil")).select_related(
        "plan__pupil", "owner_user", "owner_agency"
    )


def pdf_jobs_visible_to(user: User) -> QuerySet[PdfJob]:
    """One's own copies, of meetings one may still see: each file is built for the person who asked for it."""
    return PdfJob.objects.filter(requested_by_id=user.pk, meeting__in=meetings_visible_to(user)).select_related(
        "meeting"
    )
