"""Writes to the outcome measures: SDQ responses and the attendance import."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.models import User
from outcomes import sdq
from outcomes.models import (
    AttendanceCode,
    AttendanceImport,
    AttendanceMark,
    AttendanceWeek,
    DestinationFollowUp,
    Exclusion,
    FamilyFeedback,
    PassSurvey,
    ReadingTest,
    SDQResponse,
)
from outcomes.models.measures import PASS_FACTORS
from outcomes.oversight_summary import oversight_refresh_request
from pru_cases.access import require_write
from pru_cases.lib.conflicts import EditConflict
from pupils.models import Pupil
from pupils.selectors import pupils_writable_by


@transaction.atomic
def sdq_record(
    *,
    pupil: Pupil,
    by: User,
    informant: str,
    occasion: str,
    completed_on: datetime.date,
    answers: Mapping[int, int | None],
    help_given: bool = False,
    help_detail: str = "",
    has_difficulties: bool | None = None,
    impact_answers: Mapping[str, int] | None = None,
) -> SDQResponse:
    """Score and store one questionnaire. Scores are computed here, once, by outcomes.sdq."""
    require_write(by, pupil)
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The questionnaire cannot have been completed in the future."})
    if completed_on < pupil.date_of_birth:
        raise ValidationError({"completed_on": "This date is before the pupil was born: check the year."})
    given = {item: box for item, box in answers.items() if box is not None}
    if not given:
        raise ValidationError("Enter the box ticked for at least the items that were answered.")
    impact_given = {name: box for name, box in (impact_answers or {}).items() if box is not None}
    try:
        result = sdq.score(given, informant, impact=impact_given, has_difficulties=has_difficulties)
    except sdq.SDQInputError as error:
        raise ValidationError(str(error)) from error
    response = SDQResponse(
        pupil=pupil,
        informant=informant,
        occasion=occasion,
        completed_on=completed_on,
        help_given=help_given,
        help_detail=help_detail.strip() if help_given else "",
        answers={str(item): box for item, box in sorted(given.items())},
        impact_answers=impact_given if has_difficulties else {},
        has_difficulties=has_difficulties,
        total_band=result.band("total_difficulties") or "",
        recorded_by=by,
        **{name: getattr(result, name) for name in SDQResponse.SCORE_FIELDS},
    )
    response.full_clean()
    response.save()
    oversight_refresh_request(pupil_ids=[pupil.pk])
    return response


# ---------------------------------------------------------------------------------------------------
# Attendance import
#
# The CSV is the register export of the school's MIS, one row per pupil per session:
#   upn      the pupil's unique pupil number (13 characters), as on the pupil's record here
#   date     the day, as YYYY-MM-DD or DD/MM/YYYY
#   session  AM or PM
#   mark     the register code (see the attendance codes table: /, \, L, B, C2, N, ...)
# A header row with these names is required (any order, any case; other columns are ignored).
# A file is accepted whole or not at all. Importing a session again replaces its mark, so a corrected
# export can simply be imported again.

REQUIRED_COLUMNS = ("upn", "date", "session", "mark")
MAX_ROWS = 50_000
MAX_BYTES = 5 * 1024 * 1024
MAX_REPORTED = 200


@dataclass
class RejectedRow:
    line: int
    values: str
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    rejected_count: int = 0
    file_error: str = ""
    batch: AttendanceImport | None = None

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.rejected_count

    def reject(self, line: int, values: str, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REPORTED:
            self.rejected.append(RejectedRow(line, values[:120], reason))


class AttendanceImportRejected(Exception):
    """The file had errors; nothing was imported. `report` lists them."""

    def __init__(self, report: ImportReport):
        super().__init__(report.file_error or f"{report.rejected_count} row(s) rejected")
        self.report = report


def _parse_date(text: str) -> datetime.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _read_rows(data: bytes, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    if len(data) > MAX_BYTES:
        report.file_error = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it into smaller exports."
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.file_error = "The file is not UTF-8 text: save it from the MIS or spreadsheet as CSV (UTF-8)."
        return []
    # newline="": the csv module itself ends lines at \r\n, \n or a lone \r (old Mac exports), as it should.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _rows_from(reader, report)
    except csv.Error as error:
        # A stray quote or a field beyond the csv module's limit (128 KiB): no real register looks like this.
        line = reader.line_num
        if "field larger than field limit" in str(error):
            report.file_error = (
                f"Line {line} has a field longer than {csv.field_size_limit() // 1024} KiB: "
                "this is not an attendance export. Check the file."
            )
        else:
            report.file_error = f"Line {line} cannot be read as CSV ({error}). Save the file again as CSV (UTF-8)."
        return []


def _rows_from(reader, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    header = next(reader, None)
    if not header:
        report.file_error = "The file is empty."
        return []
    names = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        report.file_error = (
            f"The header row is missing the column(s) {', '.join(missing)}. Expected: {', '.join(REQUIRED_COLUMNS)}."
        )
        return []
    index = {name: names.index(name) for name in REQUIRED_COLUMNS}
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(rows) >= MAX_ROWS:
            report.file_error = f"The file has more than {MAX_ROWS} rows: split it into smaller exports."
            return []
        row = {name: (values[i].strip() if i < len(values) else "") for name, i in index.items()}
        rows.append((line, row))
    if not rows:
        report.file_error = "The file has a header row but no marks."
    return rows


@transaction.atomic
def attendance_import(*, by: User, filename: str, data: bytes) -> ImportReport:
    """Validate every row, then import all of them in one transaction, or none.

    Raises AttendanceImportRejected (with the report of rejected rows) if anything is wrong.
    """
    report = ImportReport()
    rows = _read_rows(data, report)
    if report.file_error:
        raise AttendanceImportRejected(report)
    report.rows = len(rows)

    # Two lookups for the whole file, not one per row.
    upns = {row["upn"].upper() for _, row in rows}
    pupils = {p.upn: p for p in pupils_writable_by(by).filter(upn__in=upns).only("pk", "upn", "date_of_birth")}
    codes = {c.code: c for c in AttendanceCode.objects.all()}
    today = timezone.localdate()
    seen: dict[tuple[str, datetime.date, str], int] = {}
    marks: list[AttendanceMark] = []
    for line, row in rows:
        values = ",".join(row[name] for name in REQUIRED_COLUMNS)
        upn = row["upn"].upper()
        pupil = pupils.get(upn)
        day = _parse_date(row["date"])
        session = row["session"].upper()
        code = codes.get(row["mark"]) or codes.get(row["mark"].upper())
        if not upn:
            report.reject(line, values, "The UPN is empty.")
        elif pupil is None:
            report.reject(line, values, f"No pupil with UPN {upn} is on our records.")
        elif day is None:
            report.reject(line, values, f"{row['date']!r} is not a date: use YYYY-MM-DD or DD/MM/YYYY.")
        elif day > today:
            report.reject(line, values, "The date is in the future.")
        elif day.weekday() >= 5:
            report.reject(line, values, "The date is a weekend day.")
        elif session not in AttendanceMark.Session.values:
            report.reject(line, values, f"The session must be AM or PM, not {row['session']!r}.")
        elif code is None:
            report.reject(line, values, f"{row['mark']!r} is not a register code in the attendance codes table.")
        elif not code.is_active:
            report.reject(line, values, f"The code {code.code} is no longer in use ({code.meaning}).")
        elif (upn, day, session) in seen:
            report.reject(line, values, f"This session is already in the file on line {seen[(upn, day, session)]}.")
        else:
            seen[(upn, day, session)] = line
            marks.append(AttendanceMark(pupil=pupil, date=day, session=session, code=code))
    if report.rejected_count:
        raise AttendanceImportRejected(report)
    report.batch = _attendance_store(by=by, filename=filename, marks=marks)
    return report


@transaction.atomic
def _attendance_store(*, by: User, filename: str, marks: list[AttendanceMark]) -> AttendanceImport:
    batch = AttendanceImport.objects.create(filename=filename[:200], imported_by=by, rows=len(marks))
    for mark in marks:
        mark.source = batch
    AttendanceMark.objects.bulk_create(
        marks,
        update_conflicts=True,
        unique_fields=["pupil", "date", "session"],
        update_fields=["code", "source"],
        batch_size=2000,
    )
    pupil_ids = {mark.pupil_id for mark in marks}
    first = min(mark.date for mark in marks)
    weeks = attendance_weeks_rebuild(pupil_ids=pupil_ids, since=first - datetime.timedelta(days=first.weekday()))
    AttendanceImport.objects.filter(pk=batch.pk).update(pupils=len(pupil_ids), weeks=weeks)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def attendance_weeks_rebuild(*, pupil_ids: set[int], since: datetime.date) -> int:
    """Recompute the weekly totals from the marks, in one aggregate query, for weeks from `since`."""
    totals = (
        AttendanceMark.objects.filter(pupil_id__in=pupil_ids, date__gte=since)
        .annotate(week=TruncWeek("date"))
        .values("pupil_id", "week")
        .annotate(
            possible=Count("pk", filter=Q(code__counts_as_possible=True)),
            attended=Count("pk", filter=Q(code__counts_as_attended=True)),
            unauthorised=Count("pk", filter=Q(code__category=AttendanceCode.Category.UNAUTHORISED)),
        )
    )
    now = timezone.now()
    weeks = [
        AttendanceWeek(
            pupil_id=total["pupil_id"],
            week_starting=total["week"],
            sessions_possible=total["possible"],
            sessions_attended=total["attended"],
            unauthorised=total["unauthorised"],
            updated_at=now,
        )
        for total in totals
    ]
    AttendanceWeek.objects.bulk_create(
        weeks,
        update_conflicts=True,
        unique_fields=["pupil", "week_starting"],
        update_fields=["sessions_possible", "sessions_attended", "unauthorised", "updated_at"],
        batch_size=2000,
    )
    oversight_refresh_request(pupil_ids=pupil_ids)
    return len(weeks)


# ---------------------------------------------------------------------------------------------------
# Other measures. Each is one row; mistakes are withdrawn, never deleted.


def _check_date(day: datetime.date, *, pupil: Pupil, field_name: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field_name: "This date is in the future."})
    if day < pupil.date_of_birth:
        raise ValidationError({field_name: "This date is before the pupil was born: check the year."})


@transaction.atomic
def reading_test_record(
    *,
    pupil: Pupil,
    by: User,
    occasion: str,
    tested_on: datetime.date,
    reading_age_months: int,
    standard_age_score: int | None = None,
) -> ReadingTest:
    require_write(by, pupil)
    _check_date(tested_on, pupil=pupil, field_name="tested_on")
    test = ReadingTest(
        pupil=pupil,
        occasion=occasion,
        tested_on=tested_on,
        reading_age_months=reading_age_months,
        standard_age_score=standard_age_score,
        recorded_by=by,
    )
    test.full_clean()
    test.save()
    oversight_refresh_request(pupil_ids=[pupil.pk])
    return test


@transaction.atomic
def pass_survey_record(
    *, pupil: Pupil, by: User, occasion: str, completed_on: datetime.date, **factors: int | None
) -> PassSurvey:
    require_write(by, pupil)
    _check_date(completed_on, pupil=pupil, field_name="completed_on")
    unknown = set(factors) - {name for name, _ in PASS_FACTORS}
    if unknown:
        raise ValidationError(f"Unknown PASS factor(s): {', '.join(sorted(unknown))}.")
    if all(value is None for value in factors.values()):
        raise ValidationError("Enter the percentile for at least one factor.")
    survey = PassSurvey(pupil=pupil, occasion=occasion, completed_on=completed_on, recorded_by=by, **factors)
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def exclusion_record(
    *, pupil: Pupil, by: User, kind: str, start_date: datetime.date, days, school=None, reason: str = ""
) -> Exclusion:
    require_write(by, pupil)
    _check_date(start_date, pupil=pupil, field_name="start_date")
    exclusion = Exclusion(
        pupil=pupil, kind=kind, school=school, start_date=start_date, days=days, reason=reason.strip(), recorded_by=by
    )
    exclusion.full_clean()
    exclusion.save()
    oversight_refresh_request(pupil_ids=[pupil.pk])
    return exclusion


@transaction.atomic
def destination_follow_up_save(
    *,
    pupil: Pupil,
    by: User,
    checkpoint: str,
    status: str,
    checked_on: datetime.date,
    detail: str = "",
    version: int | None = None,
) -> DestinationFollowUp:
    """Record (or correct) a leaver's destination at 3 or 12 months. A correction must name the version it read."""
    require_write(by, pupil)
    if not pupil.exit_date:
        raise ValidationError("Destinations are followed up after a pupil leaves: record the exit date first.")
    _check_date(checked_on, pupil=pupil, field_name="checked_on")
    if checked_on < pupil.exit_date:
        raise ValidationError({"checked_on": "The follow-up cannot be before the pupil left."})
    existing = DestinationFollowUp.objects.select_for_update().filter(pupil=pupil, checkpoint=checkpoint).first()
    if existing is None:
        follow_up = DestinationFollowUp(
            pupil=pupil,
            checkpoint=checkpoint,
            status=status,
            detail=detail.strip(),
            checked_on=checked_on,
            recorded_by=by,
        )
        follow_up.full_clean()
        follow_up.save()
        oversight_refresh_request(pupil_ids=[pupil.pk])
        return follow_up
    if version != existing.version:
        raise EditConflict(
            "This follow-up was recorded or changed by someone else while you were editing. "
            f"It now says: {existing.get_status_display()}, checked {existing.checked_on:%d %b %Y}. Your entry "
            "is shown below: save again to replace it."
        )
    existing.status, existing.detail, existing.checked_on, existing.recorded_by = status, detail.strip(), checked_on, by
    existing.recorded_at = timezone.now()
    existing.version += 1
    existing.full_clean()
    existing.save()
    oversight_refresh_request(pupil_ids=[pupil.pk])
    return existing


@transaction.atomic
def family_feedback_record(
    *,
    pupil: Pupil,
    by: User,
    moment: str,
    respondent: str,
    given_on: datetime.date,
    difference_made: str = "",
    **ratings: int | None,
) -> FamilyFeedback:
    require_write(by, pupil)
    _check_date(given_on, pupil=pupil, field_name="given_on")
    if all(value is None for value in ratings.values()) and not difference_made.strip():
        raise ValidationError("Enter at least one answer or the family's comment.")
    feedback = FamilyFeedback(
        pupil=pupil,
        moment=moment,
        respondent=respondent,
        given_on=given_on,
        difference_made=difference_made.strip(),
        recorded_by=by,
        **ratings,
    )
    feedback.full_clean()
    feedback.save()
    oversight_refresh_request(pupil_ids=[pupil.pk])
    return feedback


@transaction.atomic
def sdq_withdraw(*, response: SDQResponse, by: User, reason: str) -> SDQResponse:
    """A questionnaire entered by mistake leaves every figure but stays on record, with the reason."""
    require_write(by, response.pupil_id)
    if not reason.strip():
        raise ValidationError(
            {"reason": "Say why this questionnaire is being withdrawn (for example: entered for the wrong pupil)."}
        )
    updated = SDQResponse.objects.filter(pk=response.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_reason=f"{reason.strip()[:160]} ({by})"[:200]
    )
    if not updated:
        raise ValidationError("This questionnaire has already been withdrawn.")
    oversight_refresh_request(pupil_ids=[response.pupil_id])
    response.refresh_from_db()
    return response
