"""A realistic, entirely fictional data set for demonstrations, manual testing and benchmarks.

Names, schools, places and agencies are invented. Everything is generated from a seeded random
generator, so the same arguments always give the same data set.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Agency, AgencyService, Site, User
from demo import alerts as demo_alerts
from demo import families as families_demo
from demo import meetings as demo_meetings
from demo import outcomes as demo_outcomes
from demo import referrals as referrals_demo
from demo import safeguarding as demo_safeguarding
from demo import volume as demo_volume
from pupils.models import Allocation, HealthRecord, NeedLevelChange, Pupil, School

DEMO_PASSWORD = "demo-pru-2026"

FIRST_NAMES = [
    "Aaliyah",
    "Aaron",
    "Abdi",
    "Adam",
    "Aiden",
    "Aisha",
    "Alfie",
    "Amara",
    "Amelia",
    "Amir",
    "Archie",
    "Ava",
    "Ayaan",
    "Bailey",
    "Bella",
    "Billy",
    "Bobby",
    "Caleb",
    "Callum",
    "Casey",
    "Chloe",
    "Connor",
    "Courtney",
    "Daisy",
    "Danny",
    "Darnell",
    "Declan",
    "Demi",
    "Dylan",
    "Ella",
    "Ellie",
    "Ellis",
    "Evie",
    "Ezra",
    "Faith",
    "Finley",
    "Freya",
    "Gracie",
    "Hamza",
    "Harley",
    "Harrison",
    "Harvey",
    "Hassan",
    "Holly",
    "Ibrahim",
    "Imani",
    "Isaac",
    "Isla",
    "Jack",
    "Jacob",
    "Jake",
    "Jamal",
    "Jasmine",
    "Jayden",
    "Jodie",
    "Joel",
    "Jordan",
    "Josh",
    "Kai",
    "Kayden",
    "Keira",
    "Kian",
    "Kyle",
    "Lacey",
    "Layla",
    "Leah",
    "Leon",
    "Lewis",
    "Liam",
    "Lily",
    "Logan",
    "Lucas",
    "Luke",
    "Maddison",
    "Marcus",
    "Mason",
    "Maya",
    "Mia",
    "Mohammed",
    "Molly",
    "Morgan",
    "Nathan",
    "Niamh",
    "Noah",
    "Oliver",
    "Olivia",
    "Omar",
    "Owen",
    "Paige",
    "Poppy",
    "Reece",
    "Riley",
    "Rio",
    "Rosie",
    "Ruby",
    "Ryan",
    "Sami",
    "Scarlett",
    "Shay",
    "Sienna",
    "Skye",
    "Sofia",
    "Tanisha",
    "Taylor",
    "Theo",
    "Tia",
    "Tommy",
    "Troy",
    "Tyler",
    "Tyrese",
    "Yusuf",
    "Zac",
    "Zainab",
    "Zara",
]
LAST_NAMES = [
    "Ahmed",
    "Ali",
    "Allen",
    "Armstrong",
    "Atkinson",
    "Bailey",
    "Baker",
    "Barnes",
    "Bell",
    "Bennett",
    "Brooks",
    "Brown",
    "Butler",
    "Campbell",
    "Carter",
    "Chapman",
    "Clarke",
    "Cole",
    "Collins",
    "Cooper",
    "Cox",
    "Davies",
    "Dixon",
    "Doyle",
    "Edwards",
    "Ellis",
    "Evans",
    "Fletcher",
    "Foster",
    "Gordon",
    "Graham",
    "Grant",
    "Gray",
    "Green",
    "Hall",
    "Harris",
    "Hassan",
    "Hill",
    "Holmes",
    "Hughes",
    "Hunt",
    "Hussain",
    "Jackson",
    "James",
    "Johnson",
    "Jones",
    "Kelly",
    "Khan",
    "King",
    "Lee",
    "Lewis",
    "Lloyd",
    "Marshall",
    "Martin",
    "Mason",
    "Mills",
    "Mitchell",
    "Moore",
    "Morgan",
    "Morris",
    "Murphy",
    "Murray",
    "Nelson",
    "Noor",
    "Osei",
    "Owen",
    "Parker",
    "Patel",
    "Pearson",
    "Phillips",
    "Powell",
    "Price",
    "Quinn",
    "Reid",
    "Richards",
    "Roberts",
    "Robinson",
    "Rogers",
    "Russell",
    "Saunders",
    "Scott",
    "Shaw",
    "Simpson",
    "Smith",
    "Stevens",
    "Stewart",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
]

LOCAL_AUTHORITIES = ("Millbrook City Council", "Eastgate Borough Council", "Hallam Vale Council")

SCHOOLS = (
    ("Millbrook Academy", "Millbrook City Council"),
    ("St Aidan's Catholic High School", "Millbrook City Council"),
    ("Parkside Community School", "Millbrook City Council"),
    ("Northgate High School", "Millbrook City Council"),
    ("Eastgate Academy", "Eastgate Borough Council"),
    ("Kingsway School", "Eastgate Borough Council"),
    ("Hallam Vale High School", "Hallam Vale Council"),
    ("Riverbank Academy", "Hallam Vale Council"),
    ("Oakfield Park School", "Millbrook City Council"),
    ("Beacon Hill Academy", "Eastgate Borough Council"),
)

AGENCIES = (
    (
        "Millbrook PRU",
        Agency.Kind.PRU,
        [
            (
                "Learning centre universal offer",
                "Mentoring, small-group literacy, PSHRE, lunchtime clubs",
                "All pupils",
                "Ask the pupil's key worker.",
            )
        ],
    ),
    (
        "Millbrook Speech and Language Therapy (NHS)",
        Agency.Kind.HEALTH,
        [
            (
                "SaLT screening and assessment",
                "Screening by trained PRU staff; full assessment by a therapist",
                "Pupils on roll",
                "Referral through the PSO team; parental consent needed.",
            )
        ],
    ),
    (
        "Millbrook CAMHS",
        Agency.Kind.CAMHS,
        [
            (
                "CAMHS assessment",
                "Mental health assessment and brief intervention",
                "Ages 11-18",
                "Referral at the MDT; consent from the young person or parent.",
            ),
            (
                "ADHD clinic",
                "Assessment and medication review",
                "Pupils with a suspected or diagnosed ADHD",
                "Referral at the MDT with school observations.",
            ),
        ],
    ),
    (
        "Millbrook Youth Justice Service",
        Agency.Kind.YOUTH_JUSTICE,
        [("Prevention programme", "One-to-one work on offending behaviour", "Ages 10-17", "Referral at the MDT.")],
    ),
    (
        "Millbrook Early Help",
        Agency.Kind.EARLY_HELP,
        [
            (
                "Early help assessment",
                "Whole-family assessment and plan",
                "Families below the statutory threshold",
                "With family consent; the lead professional is agreed at a TAF meeting.",
            )
        ],
    ),
    (
        "Millbrook Complex Safeguarding Hub",
        Agency.Kind.COMPLEX_SAFEGUARDING,
        [
            (
                "Exploitation risk assessment",
                "Criminal and sexual exploitation screening and safety planning",
                "Pupils at risk of exploitation",
                "Through the DSL.",
            )
        ],
    ),
    (
        "Bridges Restorative",
        Agency.Kind.RESTORATIVE_JUSTICE,
        [
            (
                "Restorative conferences",
                "Conferences after harm; victim awareness",
                "Pupils and families",
                "Referral at the MDT.",
            )
        ],
    ),
    (
        "Millbrook Educational Psychology Service",
        Agency.Kind.EDUCATIONAL_PSYCHOLOGY,
        [
            (
                "Consultation and assessment",
                "Cognitive and learning assessment; staff consultation",
                "Pupils on roll",
                "Planning meeting each half-term.",
            )
        ],
    ),
    (
        "Pathways Careers",
        Agency.Kind.CAREERS,
        [
            (
                "Careers guidance",
                "One-to-one guidance, post-16 applications, NEET follow-up",
                "Years 9-11 and leavers",
                "Any member of staff may book.",
            )
        ],
    ),
    (
        "Millbrook Children's Social Care",
        Agency.Kind.SOCIAL_CARE,
        [
            (
                "Front door (MASH)",
                "Referrals for children in need or at risk",
                "Any child",
                "Through the DSL; consultation line for advice.",
            )
        ],
    ),
    (
        "Millbrook Road Medical Practice",
        Agency.Kind.HEALTH,
        [
            (
                "GP summary for school",
                "Diagnoses, medication and appointments that bear on school, with consent",
                "Registered patients",
                "Written request with the family's consent; answers take up to two weeks.",
            )
        ],
    ),
    (
        "Millbrook School Nursing Service",
        Agency.Kind.HEALTH,
        [
            (
                "School nurse drop-in and health review",
                "Health questionnaires, sexual health advice, referrals on to the GP",
                "Pupils on roll",
                "Weekly drop-in at each centre; referral form for a health review.",
            )
        ],
    ),
    (
        "Millbrook Housing Options",
        Agency.Kind.HOUSING,
        [
            (
                "Housing advice and homelessness prevention",
                "Advice for families at risk of losing their home; temporary accommodation",
                "Millbrook residents",
                "Family self-referral or through the family worker with consent.",
            )
        ],
    ),
    (
        "Parkside Community School",
        Agency.Kind.SCHOOL,
        [
            (
                "Records from the previous school",
                "Attendance, behaviour and safeguarding history; the common transfer file",
                "Pupils who came from Parkside",
                "Ask the school's DSL or data manager.",
            )
        ],
    ),
    (
        "Eastgate Borough Council Children's Services",
        Agency.Kind.LOCAL_AUTHORITY,
        [
            (
                "Out-of-area children's services",
                "Social care and education records for pupils who live in or moved from Eastgate",
                "Eastgate residents",
                "Through the DSL to the Eastgate front door.",
            )
        ],
    ),
    (
        "Millbrook Neighbourhood Police",
        Agency.Kind.POLICE,
        [
            (
                "Safe and well checks",
                "Welfare checks when a child has not been seen",
                "Any child",
                "Through the DSL; 101 or 999 if at immediate risk.",
            )
        ],
    ),
)

# username, first, last, role, agency name (None = the PRU), site code, job title
STAFF = (
    ("head", "Helen", "Okafor", User.Role.SENIOR_LEADER, None, None, "Executive headteacher"),
    ("deputy", "Gareth", "Lewin", User.Role.SENIOR_LEADER, None, "NF", "Deputy head, MDT chair"),
    ("dsl", "Priya", "Sandhu", User.Role.DSL, None, None, "Designated safeguarding lead"),
    ("dsl2", "Colin", "Barker", User.Role.DSL, None, "RS", "Deputy DSL"),
    ("admin", "Sam", "Whitlock", User.Role.ADMIN, None, None, "Data and systems manager"),
    ("teacher1", "Rachel", "Dunmore", User.Role.STAFF, None, "NF", "Teacher, KS4"),
    ("teacher2", "Tom", "Ashby", User.Role.STAFF, None, "NF", "Teacher, KS3"),
    ("teacher3", "Nadia", "Rahman", User.Role.STAFF, None, "RS", "Teacher, KS4"),
    ("pso1", "Kelly", "Marsh", User.Role.STAFF, None, "NF", "Pastoral support officer"),
    ("pso2", "Dean", "Hollis", User.Role.STAFF, None, "RS", "Pastoral support officer"),
    ("familyworker", "Juliet", "Ward", User.Role.FAMILY_WORKER, None, None, "School home support worker"),
    (
        "salt",
        "Megan",
        "Price",
        User.Role.SPECIALIST,
        "Millbrook Speech and Language Therapy (NHS)",
        None,
        "Speech and language therapist",
    ),
    ("camhs", "Daniel", "Osei", User.Role.SPECIALIST, "Millbrook CAMHS", None, "CAMHS practitioner"),
    (
        "yjs",
        "Lorraine",
        "Fisher",
        User.Role.SPECIALIST,
        "Millbrook Youth Justice Service",
        None,
        "Youth justice officer",
    ),
    ("earlyhelp", "Ben", "Carver", User.Role.SPECIALIST, "Millbrook Early Help", None, "Early help practitioner"),
    (
        "safeguarding",
        "Asha",
        "Patel",
        User.Role.SPECIALIST,
        "Millbrook Complex Safeguarding Hub",
        None,
        "Complex safeguarding worker",
    ),
    ("restorative", "Ian", "McCall", User.Role.SPECIALIST, "Bridges Restorative", None, "Restorative practitioner"),
    (
        "edpsych",
        "Ruth",
        "Lindqvist",
        User.Role.SPECIALIST,
        "Millbrook Educational Psychology Service",
        None,
        "Educational psychologist",
    ),
    ("careers", "Femi", "Adeyemi", User.Role.SPECIALIST, "Pathways Careers", None, "Careers adviser"),
    ("sportsmentor", "Jordan", "Blake", User.Role.SPECIALIST, None, None, "Sports mentor"),
    ("counsellor", "Anne", "Ferris", User.Role.SPECIALIST, None, None, "School counsellor"),
)

CONDITIONS = (
    "Asthma (mild), inhaler kept at reception.",
    "ADHD, diagnosed; under review at the ADHD clinic.",
    "Anxiety; attending CAMHS brief intervention.",
    "Developmental language disorder; SaLT programme in place.",
    "Type 1 diabetes; care plan on file.",
    "Sleep difficulties reported by parent.",
)


@dataclass
class DemoSummary:
    sites: int
    staff: int
    pupils: int
    volume: dict[str, int] | None = None
    history_skipped: bool = False


def academic_year_start(today: datetime.date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def year_group_for(date_of_birth: datetime.date, today: datetime.date) -> int:
    """England: a pupil's year group follows their age on 31 August before the school year starts."""
    august = datetime.date(academic_year_start(today), 8, 31)
    age = august.year - date_of_birth.year - ((8, 31) < (date_of_birth.month, date_of_birth.day))
    return min(max(age - 4, 1), 13)


def date_of_birth_for(year_group: int, today: datetime.date, rng: random.Random) -> datetime.date:
    """A birthday that puts a pupil in `year_group` this school year (born September to August)."""
    first = datetime.date(academic_year_start(today) - year_group - 5, 9, 1)
    return first + datetime.timedelta(days=rng.randrange(0, 365))


def demo_logins() -> list[tuple[str, str, str]]:
    rows = []
    for username, first, last, role, agency, _site, title in STAFF:
        rows.append((username, User.Role(role).label, f"{first} {last}, {title}" + (f" ({agency})" if agency else "")))
    return rows


def _people() -> tuple[dict[str, Site], dict[str, User]]:
    sites = {
        "NF": Site.objects.get_or_create(
            code="NF",
            defaults={
                "name": "Northfield Learning Centre",
                "address": "12 Canal Street\nMillbrook\nMB1 4QT",
                "phone": "0161 000 0101",
                "email": "office@northfield.example-pru.org.uk",
                "contact_name": "Ms Kelly Marsh",
                "contact_role": "Pastoral support officer",
            },
        )[0],
        "RS": Site.objects.get_or_create(
            code="RS",
            defaults={
                "name": "Riverside Learning Centre",
                "address": "Riverside Road\nEastgate\nMB6 2RD",
                "phone": "0161 000 0202",
                "email": "office@riverside.example-pru.org.uk",
                "contact_name": "Mr Dean Hollis",
                "contact_role": "Pastoral support officer",
            },
        )[0],
    }
    agencies = {}
    for name, kind, services in AGENCIES:
        agency, _ = Agency.objects.get_or_create(
            name=name, defaults={"kind": kind, "email": f"duty@{name.split()[0].lower()}.example.org"}
        )
        agencies[name] = agency
        for service_name, description, who_for, how in services:
            AgencyService.objects.get_or_create(
                agency=agency,
                name=service_name,
                defaults={"description": description, "who_for": who_for, "how_to_access": how},
            )
    pru = agencies["Millbrook PRU"]
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    # Each specialist's own specialism (the referrals they see and are allocated), as the referral demo allocates.
    specialisms = {username: specialism for specialism, username in referrals_demo.SPECIALIST_USERS.items()}
    users = {}
    for username, first, last, role, agency_name, site_code, title in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@example-pru.org.uk",
                role=role,
                agency=agencies[agency_name] if agency_name else pru,
                site=sites.get(site_code) if site_code else None,
                job_title=title,
                specialism=specialisms.get(username, "") if role == User.Role.SPECIALIST else "",
            )
            user.password = password
            user.save()
        users[username] = user
    return sites, users


def _schools() -> list[School]:
    schools = []
    for index, (name, la) in enumerate(SCHOOLS):
        school, _ = School.objects.get_or_create(
            name=name, defaults={"local_authority": la, "urn": f"9{index:05d}", "phase": School.Phase.SECONDARY}
        )
        schools.append(school)
    return schools


# From this many pupils up, seed_demo adds two years of case history and skips history capture (see demo.volume).
VOLUME_FROM = 1000


@transaction.atomic
def seed(*, pupils: int = 120, seed_value: int = 2026, volume: bool | None = None) -> DemoSummary:
    """Load the demo; `volume` (default: from VOLUME_FROM pupils) adds bulk case history for load testing."""
    volume = pupils >= VOLUME_FROM if volume is None else volume
    history_skipped = demo_volume.suppress_history() if volume else False
    rng = random.Random(seed_value)
    today = timezone.localdate()
    sites, users = _people()
    schools = _schools()
    site_list = list(sites.values())
    staff_by_site = {
        code: [u for u in users.values() if u.role == User.Role.STAFF and u.site_id == site.pk]
        for code, site in sites.items()
    }
    start_index = Pupil.objects.count()
    batch: list[Pupil] = []
    for index in range(start_index, start_index + pupils):
        year_group = rng.choices([7, 8, 9, 10, 11], weights=[1, 2, 4, 6, 7])[0]
        dob = date_of_birth_for(year_group, today, rng)
        site_code = rng.choice(list(sites))
        la = rng.choices(LOCAL_AUTHORITIES, weights=[6, 3, 1])[0]
        entry = today - datetime.timedelta(days=rng.randrange(5, 700))
        left = rng.random() < 0.15
        exit_date = min(today, entry + datetime.timedelta(days=rng.randrange(60, 400))) if left else None
        batch.append(
            Pupil(
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                preferred_name="",
                date_of_birth=dob,
                upn=f"{'ABCDEFGHJKLMNPQRTUVWXYZ'[index % 23]}{(830000000000 + index * 7919) % 10**12:012d}"[:13],
                year_group=year_group,
                site=sites[site_code],
                key_worker=rng.choice(staff_by_site[site_code]) if staff_by_site[site_code] else None,
                home_local_authority=la,
                school_local_authority=rng.choice([la, la, la, LOCAL_AUTHORITIES[0]]),
                referring_school=rng.choice(schools),
                entry_date=entry,
                entry_route=rng.choices(list(Pupil.EntryRoute.values), weights=[6, 3, 1, 1])[0],
                exit_date=exit_date,
                exit_destination=rng.choice(["mainstream", "fe", "apprenticeship", "neet", "other_ap"])
                if exit_date
                else "",
                send_status=rng.choices(list(Pupil.Send.values), weights=[5, 4, 2])[0],
                semh=rng.random() < 0.6,
                social_care_status=rng.choices(list(Pupil.SocialCare.values), weights=[12, 4, 2, 2])[0],
                level_of_need=rng.choices([1, 2, 3, 4], weights=[1, 5, 4, 2])[0],
            )
        )
    created = Pupil.objects.bulk_create(batch, batch_size=2000)
    dsl = users["dsl"]
    NeedLevelChange.objects.bulk_create(
        [
            NeedLevelChange(
                pupil=p,
                level=p.level_of_need,
                reason="Level at entry.",
                changed_by=dsl,
                changed_at=datetime.datetime.combine(p.entry_date, datetime.time(9, 30), tzinfo=datetime.UTC),
            )
            for p in created
        ],
        batch_size=2000,
    )
    specialists = [u for u in users.values() if u.role in (User.Role.SPECIALIST, User.Role.FAMILY_WORKER)]
    allocations = []
    for pupil in created:
        for person in rng.sample(specialists, k=rng.choice([0, 1, 1, 2, 3])):
            allocations.append(
                Allocation(
                    pupil=pupil, user=person, reason="Agreed at the MDT.", created_by=dsl, started_on=pupil.entry_date
                )
            )
    Allocation.objects.bulk_create(allocations, batch_size=2000)
    health = users["salt"]
    HealthRecord.objects.bulk_create(
        [
            HealthRecord(
                pupil=p,
                conditions=rng.choice(CONDITIONS),
                medication=rng.choice(["", "Methylphenidate (school dose at lunch)", "Salbutamol inhaler"]),
                updated_by=health,
            )
            for p in created
            if rng.random() < 0.3
        ],
        batch_size=2000,
    )
    for module in (referrals_demo, families_demo, demo_outcomes):
        module.seed(rng=rng, pupils=created, users=users)
    if not volume:  # the bulk seed writes years of weekly meetings of its own (demo.volume)
        demo_meetings.seed(rng=rng, pupils=created, users=users, sites=sites)
        demo_safeguarding.seed(rng=rng, pupils=created, users=users)
        demo_alerts.seed(users=users, today=today)
    written = None
    if volume:
        written = demo_volume.seed(rng=rng, pupils=created, users=users, sites=site_list)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics, or the first queries plan for empty tables
    if history_skipped:
        demo_volume.restore_history()
    return DemoSummary(
        sites=len(site_list), staff=len(users), pupils=len(created), volume=written, history_skipped=history_skipped
    )
