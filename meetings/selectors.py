"""Who may see which meeting, and what the shared meeting screen may show.

Meetings: the DSL and senior leaders see every meeting; anyone else sees the meetings they are invited to
(or chair, or take the minutes of). A TAC meeting is about one pupil, so it is also limited to people who may
see that pupil, or who are invited to it (the team around the child). Outside that scope a meeting is a 404.

The shared screen (and the minutes PDF) is shown to a room: the attendees marked present, plus the person driving
the screen (or, for the minutes, the person the copy is for). For each case it shows
- the **summary** (name, year, why it is on the agenda, open referrals and interventions, open actions and owners,
  recent attendance) if every person in the room may see the pupil, or is there under a basis for sharing it:
  at an MDT, a core member of the centre's MDT sharing basis (`SharingBasis`); at a TAC, anyone invited to it,
  for the TAC's own pupil. Someone outside any basis holds the case back, and the screen names them;
- the **detail** (recent concerns, and health detail if everyone present may read it) only if every person
  present may see the pupil through the access policy itself;
- referrals and interventions that every person may see, a person present under a basis counting as seeing every
  record about the pupil that is not in a restricted field group they may not read;
- a guest without an account (a parent or carer, an outside professional) holds back every case at an MDT, and
  at a TAC may see the summary of the meeting's own pupil (never health detail).
Each case shown to someone under a basis is written to the access log for them, with the meeting as the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet, Value

from accounts.models import User
from meetings.models import (
    Action,
    AgendaItem,
    Invitee,
    Meeting,
    PdfJob,
    SharingBasis,
)
from pru_cases.access import Action as Perm
from pru_cases.access import FieldGroup, can, can_read_field_group, without_restricted_rows
from pupils.selectors import in_pupil_scope, pupils_visible_to


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    meetings = Meeting.objects.select_related("chair", "minute_taker", "pupil", "site")
    if not (user.is_authenticated and user.is_active):
        return meetings.none()
    if user.sees_all_pupils:
        return meetings
    invited = Invitee.objects.filter(meeting_id=OuterRef("pk"), user_id=user.pk)
    mine = Q(Exists(invited)) | Q(chair_id=user.pk) | Q(minute_taker_id=user.pk)
    # A TAC is about its child: seen by those who may see the child, and by the team invited around them.
    about = Q(pupil__isnull=True) | Q(pupil__in=pupils_visible_to(user)) | Q(Exists(invited), kind=Meeting.Kind.TAC)
    return meetings.filter(mine).filter(about)


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


def sharing_basis_for(meeting: Meeting) -> SharingBasis | None:
    """The basis of the meeting's centre, else the one for every centre; None for a TAC (its team is its invitees).
    One query, with the ids of its core agencies and people (`agency_ids`, `person_ids`)."""
    if meeting.kind == Meeting.Kind.TAC:
        return None
    where = Q(site__isnull=True) | Q(site_id=meeting.site_id) if meeting.site_id else Q(site__isnull=True)
    return (
        SharingBasis.objects.filter(where)
        .annotate(
            agency_ids=ArrayAgg("core_agencies__agency_id", distinct=True, default=Value([])),
            person_ids=ArrayAgg("core_people__user_id", distinct=True, default=Value([])),
        )
        .order_by(F("site_id").asc(nulls_last=True))
        .first()
    )


def core_member_ids(basis: SharingBasis | None, users: list[User]) -> set[int]:
    """Which of `users` are core members of `basis` (from `sharing_basis_for`): named, or active staff of a core
    agency."""
    if basis is None or not users:
        return set()
    named = {pk for pk in basis.person_ids if pk is not None}
    agencies = {pk for pk in basis.agency_ids if pk is not None}
    return {user.pk for user in users if user.is_active and (user.pk in named or user.agency_id in agencies)}


def share_reason(meeting: Meeting) -> str:
    """What the access log says of a pupil shown to someone under the meeting's basis for sharing."""
    if meeting.kind == Meeting.Kind.TAC:
        return f"Team Around the Child meeting {meeting.pk} ({meeting.held_on:%d %b %Y})"
    return f"{meeting.get_kind_display()} meeting {meeting.pk} ({meeting.held_on:%d %b %Y}): MDT sharing basis"


def shareable_pupil_ids(meeting: Meeting, user: User, pupil_ids: set[int]) -> set[int]:
    """Of `pupil_ids`, those `user` may be shown in this meeting's papers under its basis for sharing, whatever their
    own scope: every case for a core member of the MDT sharing basis, the TAC's own pupil for someone invited to it."""
    if not (user.is_authenticated and user.is_active) or not pupil_ids:
        return set()
    if meeting.kind == Meeting.Kind.TAC:
        invited = meeting.invitees.filter(user_id=user.pk).exists()
        return {meeting.pupil_id} & pupil_ids if invited else set()
    return set(pupil_ids) if core_member_ids(sharing_basis_for(meeting), [user]) else set()


@dataclass
class Room:
    """The people the shared screen is shown to, and what all of them may see."""

    users: list[User]
    guests: list[str]
    meeting: Meeting
    visible_pupil_ids: set[int] = field(default_factory=set)  # the detail: everyone sees the pupil
    summary_pupil_ids: set[int] = field(default_factory=set)  # the summary: everyone sees it or shares under a basis
    health: bool = False
    basis: SharingBasis | None = None
    # pupil id -> the people who see it here only under the basis (or as the TAC's team), for the access log
    shared_with: dict[int, list[User]] = field(default_factory=dict)
    # pupil id -> who holds the case back: names of people present outside any basis
    held_back_by: dict[int, list[str]] = field(default_factory=dict)

    def shows(self, item: AgendaItem) -> bool:
        return item.pupil_id is None or item.pupil_id in self.summary_pupil_ids

    def shows_detail(self, item: AgendaItem) -> bool:
        return item.pupil_id is None or item.pupil_id in self.visible_pupil_ids

    def shares_only(self, user: User, pupil_id: int) -> bool:
        """Whether `user` is shown this pupil only under the basis, not through their own scope."""
        return any(other.pk == user.pk for other in self.shared_with.get(pupil_id, ()))

    @property
    def reason(self) -> str:
        return share_reason(self.meeting)


def _label(user: User) -> str:
    return f"{user} ({user.agency})" if user.agency_id else str(user)


def room_for(meeting: Meeting, viewer: User | None, pupil_ids: set[int]) -> Room:
    """What may be shown about `pupil_ids` to everyone present (one query per person who does not see everyone)."""
    present = list(meeting.invitees.filter(attendance=Invitee.Attendance.PRESENT).select_related("user__agency"))
    users = {invitee.user_id: invitee.user for invitee in present if invitee.user_id}
    if viewer is not None and viewer.is_authenticated:
        users.setdefault(viewer.pk, viewer)
    guests = [invitee.name for invitee in present if not invitee.user_id]
    basis = sharing_basis_for(meeting)
    room = Room(users=list(users.values()), guests=guests, meeting=meeting, basis=basis)
    is_tac = meeting.kind == Meeting.Kind.TAC
    core = core_member_ids(basis, room.users)
    team = set(meeting.invitees.filter(user__isnull=False).values_list("user_id", flat=True)) if is_tac else set()
    detail = set(pupil_ids)
    summary = set(pupil_ids)
    held: dict[int, list[str]] = {}
    if guests:
        allowed = {meeting.pupil_id} if is_tac else set()
        for pupil_id in pupil_ids - allowed:
            held.setdefault(pupil_id, []).extend(f"{name} (a guest without an account)" for name in guests)
        detail &= allowed
        summary &= allowed
    for user in room.users:
        if user.is_active and user.sees_all_pupils:
            continue
        # Asked about the whole agenda, not what is left, so the cost depends on who is present and not on the data.
        own = (
            set(pupils_visible_to(user).filter(pk__in=pupil_ids).values_list("pk", flat=True))
            if user.is_active
            else set()
        )
        detail &= own
        if user.pk in core:
            shared = set(pupil_ids)
        elif user.pk in team and meeting.pupil_id in pupil_ids:
            shared = {meeting.pupil_id}
        else:
            shared = set()
        for pupil_id in shared - own:
            room.shared_with.setdefault(pupil_id, []).append(user)
        for pupil_id in pupil_ids - own - shared:
            held.setdefault(pupil_id, []).append(_label(user))
        summary &= own | shared
    room.visible_pupil_ids = detail
    room.summary_pupil_ids = summary
    room.held_back_by = {pupil_id: names for pupil_id, names in held.items() if pupil_id not in summary}
    room.health = not guests and all(can_read_field_group(user, FieldGroup.HEALTH) for user in room.users)
    return room


def _scope_for(room: Room, user: User, selector, model: type[Model], pupil_id: int) -> QuerySet:
    """The records about one pupil `user` counts as seeing in this room: their own scope, or under the basis every
    record not in a field group they may not read."""
    if room.shares_only(user, pupil_id):
        return without_restricted_rows(user, model.objects.filter(pupil_id=pupil_id))
    return selector(user).filter(pupil_id=pupil_id)


def shared_records(room: Room, selector, pupil_id: int, model: type[Model]) -> list:
    """Records (referrals, interventions) about one pupil that every person in the room may see."""
    ids: set[int] | None = None
    asked_for_everyone = False
    for user in room.users:
        if user.is_active and user.sees_all_pupils:
            # Everyone who sees every pupil gets the same answer from the selectors: ask for the first of them only.
            if asked_for_everyone:
                continue
            asked_for_everyone = True
        found = set(_scope_for(room, user, selector, model, pupil_id).values_list("pk", flat=True))
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
        ids = ids.filter(pk__in=_scope_for(room, user, selector, model, pupil_id).values("pk"))
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
