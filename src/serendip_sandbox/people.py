"""Name, title and time-zone pools for generated sandbox workspaces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

FIRST_NAMES = (
    "Ada",
    "Amara",
    "Anika",
    "Arjun",
    "Astrid",
    "Bea",
    "Camille",
    "Chen",
    "Chiara",
    "Dario",
    "Diego",
    "Elif",
    "Emeka",
    "Emma",
    "Farah",
    "Felix",
    "Freya",
    "Gabriel",
    "Hana",
    "Hiro",
    "Ines",
    "Ingrid",
    "Ivan",
    "Jamal",
    "Jonas",
    "Julia",
    "Kai",
    "Kemi",
    "Lars",
    "Leila",
    "Liam",
    "Lucia",
    "Maya",
    "Mateo",
    "Mei",
    "Mikko",
    "Nadia",
    "Niamh",
    "Noah",
    "Olu",
    "Omar",
    "Paula",
    "Priya",
    "Rafael",
    "Rosa",
    "Sanjay",
    "Sara",
    "Sofia",
    "Tariq",
    "Theo",
    "Valentina",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
)

LAST_NAMES = (
    "Adeyemi",
    "Alvarez",
    "Andersen",
    "Bauer",
    "Bianchi",
    "Chen",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fernandes",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ibrahim",
    "Ito",
    "Jansen",
    "Kapoor",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lopez",
    "Mahmoud",
    "Martin",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Singh",
    "Tanaka",
    "Torres",
    "Virtanen",
    "Wagner",
    "Walsh",
    "Wang",
    "Yilmaz",
    "Zhang",
)

# Department name → (head title, lead title, individual-contributor titles).
DEPARTMENTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "Engineering",
        "VP Engineering",
        "Engineering Manager",
        ("Software Engineer", "Senior Software Engineer", "Staff Engineer", "Site Reliability Engineer"),
    ),
    (
        "Sales",
        "VP Sales",
        "Sales Manager",
        ("Account Executive", "Sales Development Rep", "Solutions Engineer"),
    ),
    (
        "Marketing",
        "Head of Marketing",
        "Marketing Lead",
        ("Content Strategist", "Product Marketing Manager", "Growth Marketer"),
    ),
    (
        "Customer Success",
        "Head of Customer Success",
        "Support Lead",
        ("Customer Success Manager", "Support Engineer", "Onboarding Specialist"),
    ),
    (
        "Product",
        "Chief Product Officer",
        "Group Product Manager",
        ("Product Manager", "Senior Product Manager", "Product Analyst"),
    ),
    ("Design", "Head of Design", "Design Lead", ("Product Designer", "UX Researcher", "Brand Designer")),
    ("Finance", "CFO", "Finance Manager", ("Financial Analyst", "Accountant", "Payroll Specialist")),
    (
        "People",
        "Chief People Officer",
        "People Partner Lead",
        ("People Partner", "Recruiter", "Learning & Development Specialist"),
    ),
    ("Legal", "General Counsel", "Legal Lead", ("Counsel", "Paralegal", "Privacy Specialist")),
    ("Data", "Head of Data", "Analytics Manager", ("Data Scientist", "Data Engineer", "Analyst")),
    (
        "Operations",
        "COO",
        "Operations Manager",
        ("Operations Specialist", "Office Manager", "IT Administrator"),
    ),
    ("Security", "CISO", "Security Lead", ("Security Engineer", "GRC Analyst")),
)


@dataclass(frozen=True)
class TimeZone:
    """An IANA zone with the long labels Slack shows in standard and daylight time."""

    name: str
    standard_label: str
    daylight_label: str

    def offset_and_label(self, at: datetime) -> tuple[int, str]:
        """Return Slack's ``tz_offset`` (seconds east of UTC) and ``tz_label`` at ``at``."""
        local = at.astimezone(ZoneInfo(self.name))
        offset = local.utcoffset()
        dst = local.dst()
        seconds = int(offset.total_seconds()) if offset is not None else 0
        in_dst = dst is not None and dst.total_seconds() != 0
        return seconds, self.daylight_label if in_dst else self.standard_label


def _zone(name: str, standard: str, daylight: str | None = None) -> TimeZone:
    return TimeZone(name, standard, daylight or standard)


# Weighted roughly like a distributed company: heavy in Europe and the US, a few far away.
TIME_ZONES: tuple[tuple[TimeZone, int], ...] = (
    (_zone("Europe/London", "Greenwich Mean Time", "British Summer Time"), 6),
    (_zone("Europe/Berlin", "Central European Time", "Central European Summer Time"), 7),
    (_zone("Europe/Paris", "Central European Time", "Central European Summer Time"), 4),
    (_zone("Europe/Madrid", "Central European Time", "Central European Summer Time"), 3),
    (_zone("Europe/Helsinki", "Eastern European Time", "Eastern European Summer Time"), 2),
    (_zone("America/New_York", "Eastern Standard Time", "Eastern Daylight Time"), 6),
    (_zone("America/Chicago", "Central Standard Time", "Central Daylight Time"), 3),
    (_zone("America/Denver", "Mountain Standard Time", "Mountain Daylight Time"), 1),
    (_zone("America/Los_Angeles", "Pacific Standard Time", "Pacific Daylight Time"), 5),
    (_zone("America/Sao_Paulo", "Brasilia Standard Time"), 2),
    (_zone("Africa/Lagos", "West Africa Standard Time"), 1),
    (_zone("Asia/Kolkata", "India Standard Time"), 3),
    (_zone("Asia/Singapore", "Singapore Standard Time"), 1),
    (_zone("Asia/Tokyo", "Japan Standard Time"), 1),
    (_zone("Australia/Sydney", "Australian Eastern Standard Time", "Australian Eastern Daylight Time"), 2),
    (_zone("Pacific/Auckland", "New Zealand Standard Time", "New Zealand Daylight Time"), 1),
)

ZONES_BY_NAME = {zone.name: zone for zone, _ in TIME_ZONES}


def zone_named(name: str) -> TimeZone:
    """Return the known zone ``name``, or one labelled by its abbreviation when unknown."""
    if name in ZONES_BY_NAME:
        return ZONES_BY_NAME[name]
    abbreviation = datetime.now(ZoneInfo(name)).tzname() or name
    return TimeZone(name, abbreviation, abbreviation)
