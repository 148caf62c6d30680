"""Time-zone windows on sentences written for this file, not taken from the labelled postings.

Each expectation was derived by hand from TIMEZONE-SPEC.md (the section is named beside each group),
before running the extractor, so these cases measure whether the rules generalise to wording the
labelled replay does not contain.
"""

from __future__ import annotations

import pytest

from aggregator.normalise.timezone import extract_window

ANY = (-12, 14)


def window(text: str | None, location: str | None = None, title: str | None = None):
    found = extract_window(location, title, text)
    return None if found is None else (found.tz_min, found.tz_max)


# §3: a named zone gives its standard (winter) offset; daylight names give the same value.
NAMED_ZONES = [
    ("Must be able to work US Eastern hours.", (-5, -5)),
    ("You must be able to work Pacific Time (PT) hours.", (-8, -8)),
    ("Candidates must reside in the Central Time Zone.", (-6, -6)),
    ("Must be located in the Mountain Time Zone (MT).", (-7, -7)),
    ("Must be based in EST/EDT.", (-5, -5)),
    ("Working hours: 9:00–17:00 CET.", (1, 1)),
    ("We require availability during CEST business hours.", (1, 1)),
    ("You must work UK hours (GMT/BST).", (0, 0)),
    ("You must be available during AEST/AEDT business hours.", (10, 10)),
    ("Must be based in New Zealand time (NZST).", (12, 12)),
    ("Must be comfortable working Singapore hours (SGT).", (8, 8)),
    ("Must work Japan Standard Time (JST) business hours.", (9, 9)),
    ("Must be available during IST business hours.", (5.5, 5.5)),
    ("Working hours are 9am-6pm IST at our Tel Aviv office in Israel.", (2, 2)),
    ("Must be available during Irish Standard Time (IST) hours.", (0, 0)),
    ("Hours: 8am–4pm Hawaii time (HST).", (-10, -10)),
    ("Must be in Alaska Time (AKST).", (-9, -9)),
    ("Must work Atlantic Standard Time (AST) hours.", (-4, -4)),
    ("Must be based in Newfoundland time (NST).", (-3.5, -3.5)),
    ("Must be available in Brasília time (BRT).", (-3, -3)),
    ("Must work Moscow time (MSK).", (3, 3)),
    ("Must work Gulf Standard Time (GST) hours.", (4, 4)),
    ("Must be in the EET/EEST time zone.", (2, 2)),
    ("Must work Philippine time (PHT) hours.", (8, 8)),
    ("Candidates must be based in ACST.", (9.5, 9.5)),
    ("Must work Korea Standard Time (KST).", (9, 9)),
    ("Must work Eastern Time (ET).", (-5, -5)),
    ("Must work 9-5 EDT.", (-5, -5)),
    ("Must work Pacific Daylight Time hours.", (-8, -8)),
    ("Must work Central Daylight Time (CDT).", (-6, -6)),
    ("Must be able to work British Summer Time (BST) hours.", (0, 0)),
    ("Core hours are 10am–2pm ET.", (-5, -5)),
    ("Availability 9am-1pm MST is required.", (-7, -7)),
]

# §2.3 rule 1, §4.2: explicit numeric ranges and tolerances, taken literally.
OFFSETS_AND_TOLERANCES = [
    ("Must be located between UTC\u22123 and UTC+3.", (-3, 3)),  # unicode minus
    ("Candidates must be in UTC-03:00 to UTC+01:00.", (-3, 1)),
    ("Must be within GMT -5 and GMT -3.", (-5, -3)),
    ("Required time zone: GMT+1 ± 2 hours.", (-1, 3)),
    ("Must be within UTC+2 +/- 2h.", (0, 4)),
    ("Must be based in UTC+5:30.", (5.5, 5.5)),
    ("Time zone: UTC+10 to UTC-8.", (10, -8)),  # the date line
    ("Must be in UTC+0 to UTC+4.", (0, 4)),
    ("Must be available 9:00-17:00 UTC.", (0, 0)),
    ("Working hours: 14:00–22:00 GMT+3.", (3, 3)),
    ("Must be within ±3 hours of UTC.", (-3, 3)),
    ("Must be UTC-5 through UTC-8.", (-8, -5)),
    ("Must be in the GMT-5 to GMT+1 range.", (-5, 1)),
    ("Must be in GMT -5.", (-5, -5)),
    ("Must be in UTC -3.", (-3, -3)),
    ("Must be in GMT-3 or GMT-4.", (-4, -3)),
    ("Must be within 3 hours of Pacific time.", (-11, -5)),
    ("Must be within two hours of Eastern Time.", (-7, -3)),
    ("Candidates must be within +/- 2 hours of CET.", (-1, 3)),
    ("Must be within a 4-hour time difference of London time.", (-4, 4)),
    ("A maximum 3 hours time difference with Berlin is required.", (-2, 4)),
    ("Must be within 1-2 hours of EST.", (-7, -3)),  # the most permissive value
    ("EST ± 3 hours required.", (-8, -2)),
    ("Must work CET+-1.", (0, 2)),
    ("Must be within 6 hours of UTC.", (-6, 6)),
    ("Must be within 6 hours of Hawaii time.", (-12, -4)),  # clipped
    ("Must be within 4 hours of AEST.", (6, 14)),
    ("Must be based within UTC+8 ±2.", (6, 10)),
]

# §4.3: quantified overlap widens the reference by 8 − N; unquantified overlap is the reference.
OVERLAP = [
    ("An overlap of at least 4 hours with CET is required.", (-3, 5)),
    ("You must have at least 3 hours of overlap with US Eastern time.", (-10, 0)),
    ("Requires 4-5 hours of overlap with PST.", (-12, -4)),
    ("We need a minimum of 6 hours overlap with GMT.", (-2, 2)),
    ("At least 2 hours of daily overlap with AEST is required.", (4, 14)),
    ("Must overlap at least 5 hours with EST or PST.", (-11, -2)),
    ("Must have 10 hours a week of overlap with CET.", (-5, 7)),
    ("Must provide 8 hours of overlap with EST.", (-5, -5)),
    ("Must have some overlap with the Pacific time zone.", (-8, -8)),
    ("Must be able to overlap with CET business hours.", (1, 1)),
    ("Requires overlap with US East Coast hours.", (-5, -5)),
    ("Overlap with European business hours is required.", (0, 2)),
    ("Must have a 4 hour overlap with IST.", (1.5, 9.5)),
]

# §4.1: region time zones, only when the phrase is about time.
REGIONS = [
    ("Must work in Americas time zones.", (-8, -3)),
    ("We hire in EMEA time zones only.", (0, 4)),
    ("Must be in APAC time zones.", (5.5, 12)),
    ("Must be in a LATAM time zone.", (-6, -3)),
    ("Open to candidates in Canadian time zones only.", (-8, -3.5)),
    ("Must be located in North American time zones.", (-8, -5)),
    ("Must work US business hours.", (-8, -5)),
    ("Must be in European time zones (+1/-1).", (-1, 3)),
    ("Must be in Australian time zones.", (8, 10)),
    ("Must be in ANZ time zones.", (8, 12)),
    ("Candidates must support the APAC shift.", (5.5, 12)),
    ("Must be in a United States time zone.", (-8, -5)),
]

# §4.5, §4.6: several zones give the hull; a hull narrower round the date line wraps.
UNIONS = [
    ("Must work PST/EST hours.", (-8, -5)),
    ("Must be in CST or EST.", (-6, -5)),
    ("Must work US or EU time zones.", (-8, 2)),
    ("Candidates must be in Pacific, Mountain or Central time.", (-8, -6)),
    ("Must be in GMT or CET.", (0, 1)),
    ("Must be in the NZST or PST time zones.", (12, -8)),
    ("Must work US Pacific or Japan (JST) hours.", (9, -8)),
    ("Must be in EST, CET or IST.", (-5, 5.5)),
]

# §2.2: the worker's time zone does not matter.
ANY_ZONE = [
    ("We welcome applicants from any time zone.", ANY),
    ("You can work from any time zone.", ANY),
    ("We hire regardless of time zone.", ANY),
    ("Open to candidates in all time zones.", ANY),
    ("All time zones welcome!", ANY),
    ("We are open to candidates in any time zone.", ANY),
    ("Location: Anywhere. Time zone: Any.", ANY),
    ("Your location and time zone are up to you.", ANY),
    ("We don't care about your time zone.", ANY),
    ("Your time zone is not important to us.", ANY),
    ("Join us no matter where you are or what time zone you're in.", ANY),
    ("Hiring globally — all time zones welcome.", ANY),
    ("Your time zone doesn't matter to us.", ANY),
    ("We welcome applicants from all time zones. Must be in UTC-3 to UTC+3.", (-3, 3)),  # a window wins
]

# §2.1: no statement about time.
EMPTY = [
    ("We are async, work whenever you like.", None),
    ("We are a fully asynchronous team; work whenever suits you.", None),
    ("Our team is distributed across EST and CET.", None),
    ("Our headquarters are in New York.", None),
    ("Our team members are spread from PST to IST.", None),
    ("Application deadline: March 3, 5pm PST.", None),
    ("Please submit your application by 11:59 PM EST on Friday.", None),
    ("Interviews will be scheduled between 9am and 5pm EST.", None),
    ("Acme Bakery, EST. 2010, is a family business.", None),
    ("Acme Bakery — EST. 2010", None),
    ("We love our office CAT named Tom.", None),
    ("Offices in Lisbon (PT) and Berlin.", None),
    ("Experience with MT (machine translation) systems.", None),
    ("Knowledge of BST and hash tables.", None),
    ("Familiar with AWS MSK and Kafka.", None),
    ("Working hours 9-5.", None),
    ("On-call rotation outside business hours (PST).", None),
    ("Our customers span every US time zone.", None),
    ("Flexible hours, you choose when to work.", None),
    ("Our team is spread across UTC-8 to UTC+2.", None),
    ("Offices in London, New York and Singapore.", None),
    ("Our engineering team is based in Berlin (CET).", None),
    ("We're a remote company headquartered in Toronto (EST).", None),
    ("Part-time (PT) position, 20 hours per week.", None),
    ("This is a PT role, 25 hours per week.", None),
    ("Must be based in CT or NY.", None),
    ("Travail en équipe et autonomie, horaires flexibles.", None),
    ("CHEF DE PROJET ET DÉVELOPPEUR, HORAIRES DE BUREAU", None),  # French "et" in capitals
    ("Vous travaillerez avec les équipes produit ET data, horaires de 9h à 18h.", None),
    ("Vous aurez un CET et des RTT.", None),
    ("Must be eligible to work in the US.", None),
    ("You will collaborate with colleagues in different time zones.", None),
    ("Our office hours are 9am–5pm.", None),
    ("Start date: 15 March 2025.", None),
]

# §2.1: a location line that names only a country, state or region.
LOCATION_LINES = [
    ("Remote - EMEA", None),
    ("APAC", None),
    ("Americas", None),
    ("Lisbon, PT", None),
    ("Hartford, CT", None),
    ("Remote - US", None),
    ("Remote, United States (CA, CT, NY)", None),
    ("Remote - Europe", None),
    ("Remote (US time zones)", (-8, -5)),
    ("Remote - PST", (-8, -8)),
    ("Remote (UTC-6 to UTC-3)", (-6, -3)),
    ("Remote, CET ±3h", (-2, 4)),
    ("Remote - Eastern Time Zone", (-5, -5)),
]

# §5: any language.
OTHER_LANGUAGES = [
    ("Horario laboral: 9:00 a 18:00 hora de España (CET).", (1, 1)),
    ("Zona horaria requerida: UTC-3 a UTC+1.", (-3, 1)),
    ("Vous devez travailler sur le fuseau horaire de Paris (CET).", (1, 1)),
    ("Sie müssen in der Zeitzone CET arbeiten.", (1, 1)),
    ("Disponibilidad obligatoria en horario EST.", (-5, -5)),
    ("Horário de trabalho: horário de Brasília (BRT).", (-3, -3)),
]

# §2.3: precedence between statements, §4.4 offshore hours.
PRECEDENCE = [
    ("Must live in Eastern or Central time zone but work East Coast hours.", (-6, -5)),
    ("Based in the Philippines, you will work US Eastern hours (9am-5pm EST).", (-5, -5)),
    ("Must be based in Europe. Must be within UTC+0 to UTC+3.", (0, 3)),
    ("You will work 9-5 PST. Candidates must live in the Eastern time zone.", (-5, -5)),
    ("Preferably based in EST.", (-5, -5)),
    ("Ideally you are in a CET time zone.", (1, 1)),
]

# More wording of the same rules: clock hours, place names inside a time phrase (§3: a place counts
# only inside a time phrase, at its zone's standard offset), overlap counted in words, decimals.
MORE_WORDING = [
    ("This position requires working hours aligned with the US East Coast.", (-5, -5)),
    ("You'll need to be online during Pacific business hours.", (-8, -8)),
    ("Must be available from 9am to 5pm Eastern.", (-5, -5)),
    ("Must be available 8:00 AM – 5:00 PM Central.", (-6, -6)),
    ("Must be willing to work the night shift on US hours from India.", (-8, -5)),
    ("You will work EST hours from Colombia.", (-5, -5)),
    ("Must be in a time zone between UTC-8 and UTC-5.", (-8, -5)),
    ("Must be in a time zone between PST and EST.", (-8, -5)),
    ("Must be located within the US Central or Eastern time zones.", (-6, -5)),
    ("Candidates should be based in GMT+2 or GMT+3.", (2, 3)),
    ("You must be available for meetings until 2 pm PT.", (-8, -8)),
    ("We require 4 hours of overlap with 9am-5pm PT.", (-12, -4)),
    ("Three hours of overlap with CET is required.", (-4, 6)),
    ("Overlap of at least two hours with EST is required.", (-11, 1)),
    ("Minimum 4h overlap with GMT.", (-4, 4)),
    ("Must have 4+ hours overlap with Pacific time.", (-12, -4)),
    ("Must have overlap with London time.", (0, 0)),
    ("Working hours: 08:00-16:00 (UTC+1).", (1, 1)),
    ("Shift: 22:00 – 06:00 GMT.", (0, 0)),
    ("Night shift 9 PM to 6 AM IST.", (5.5, 5.5)),
    ("Must work 6:00 AM – 3:00 PM Pacific.", (-8, -8)),
    ("Must be available during EMEA business hours.", (0, 4)),
    ("Must cover APAC hours.", (5.5, 12)),
    ("Must be able to work European hours.", (0, 2)),
    ("Must be able to work LATAM hours.", (-6, -3)),
    ("Candidates must be in CET or EET time zones.", (1, 2)),
    ("Must be in a European time zone (UTC+0 to UTC+2).", (0, 2)),
    ("Must be in EU time zones, ±1 hour.", (-1, 3)),
    ("Preference for candidates in EST or CST.", (-6, -5)),
    ("Nice-to-have: based in CET.", (1, 1)),
    ("We're a remote team across the US. You must be able to work EST hours.", (-5, -5)),
    ("Our team is in CET. You need 4 hours of overlap with the team.", (-3, 5)),
    ("Must be in UTC+12 or UTC-11.", (12, -11)),
    ("Must be within 3 hours of NZST.", (9, 14)),
    ("Must be in UTC–5 to UTC–3.", (-5, -3)),  # en dash as minus
    ("Must be in GMT\u221205:00.", (-5, -5)),
    ("Must be in UTC+5.5.", (5.5, 5.5)),
    ("Must be in UTC ± 2.", (-2, 2)),
    ("Must work IST (Israel Standard Time).", (2, 2)),
    ("Must work IST hours from our Bangalore office.", (5.5, 5.5)),
    ("Hours: 9-5 AEST.", (10, 10)),
    ("Must work Melbourne hours.", (10, 10)),
    ("Must work Chicago time.", (-6, -6)),
    ("Must overlap with Denver business hours.", (-7, -7)),
    ("Must be available during Dubai working hours.", (4, 4)),
    ("Must be within 2 hours of Singapore time.", (6, 10)),
    ("Must work Mexico City time.", (-6, -6)),
    ("Must be in the same time zone as Kyiv.", (2, 2)),
    ("Debes trabajar en el horario de Bogotá.", (-5, -5)),
    # Countries inside a time phrase, when the whole country keeps one standard offset.
    ("Must work Colombia time.", (-5, -5)),
    ("Must be available during Israel business hours.", (2, 2)),
    ("Must have 4 hours of overlap with Germany working hours.", (-3, 5)),
    ("Must work South Africa time.", (2, 2)),
    ("Must be within 2 hours of Ireland time.", (-2, 2)),
    ("Must be in the same time zone as Argentina.", (-3, -3)),
    ("Must work Georgia time.", None),  # the country or the US state: no zone
    ("Must be located in Colombia.", None),  # a country alone (§2.1)
    ("Must be in UTC/GMT +1.", (1, 1)),
    ("Você precisa trabalhar no horário de Brasília.", (-3, -3)),
    ("Debes estar en la zona horaria GMT-3.", (-3, -3)),
    ("Remote - Anywhere (any timezone)", ANY, "loc"),
    ("Work from anywhere, any time zone.", ANY),
    ("We're time zone agnostic.", ANY),
    ("No timezone restrictions.", ANY),
    ("Remote (EST hours)", (-5, -5), "loc"),
    ("US (Pacific Time)", (-8, -8), "loc"),
    ("Remote, Europe (CET ± 3 hours)", (-2, 4), "loc"),
    ("Remote within Europe (UTC+0 to UTC+3)", (0, 3), "loc"),
    ("Our Lisbon office (PT) is open 9am-6pm.", None),
    ("Based in Portugal (PT) or Spain (ES).", None),
    ("Remote in PT, ES or FR", None, "loc"),
    ("We are located in CT and serve clients nationwide.", None),
    ("Skills: MT, NLP, ASR.", None),
    ("Fluent in Portuguese (PT-BR).", None),
    ("Languages: EN, PT, ES.", None),
    ("We have team members in EST, CET and IST.", None),
    ("Our clients are mostly in PST.", None),
    ("The team works mostly in CET.", None),
    ("We offer flexible hours across time zones.", None),
    ("The job pays $30 per hour.", None),
    ("Hours: 40 per week.", None),
]

# Sentences inside longer postings, field lines ("Time zone: EMEA"), location lines with a zone, and
# the mentions around them that state nothing.
IN_POSTINGS = [
    (
        "We're a distributed company with people in 20 countries. Requirements: 5+ years of Python. "
        "Must be able to work overlapping hours with EST (at least 4 hours).",
        (-9, -1),
    ),
    (
        "You'll be working closely with our team in San Francisco, so you'll need to be available until 1pm PT.",
        (-8, -8),
    ),
    ("This role is open to candidates located in the US. Candidates must be able to work in Eastern Time.", (-5, -5)),
    ("Location: Remote (Europe). Working hours: CET.", (1, 1)),
    ("Time zone: GMT+2 to GMT+5", (2, 5)),
    ("Timezone: UTC±3", (-3, 3)),
    ("Timezone requirement: Americas", (-8, -3)),
    ("Time zone: EMEA", (0, 4)),
    ("Preferred time zone: PST", (-8, -8)),
    ("Hours: Monday-Friday, 9:00am - 6:00pm (GMT-3)", (-3, -3)),
    ("Must be available to work from 8am to 5pm Mountain Standard Time.", (-7, -7)),
    ("Shift timings: 6:30 PM – 3:30 AM IST (US shift).", (-8, -5)),
    ("This is a night shift role supporting US clients: 7pm–4am IST.", (5.5, 5.5)),
    ("We ask for 3 hours of overlap with the team in Berlin (CET).", (-4, 6)),
    ("Must be in Europe or within 2 hours of CET.", (-1, 3)),
    ("Applicants must be within 2 time zones of EST.", (-7, -3)),
    ("Must be within +/- 3 hours from CET.", (-2, 4)),
    ("Must be located in GMT to GMT+3.", (0, 3)),
    ("Work hours: 10:00–18:00 Moscow time.", (3, 3)),
    ("Our core hours are 11am–3pm ET.", (-5, -5)),
    ("Must be located in the Eastern or Central time zone (preferred).", (-6, -5)),
    ("Must overlap with 10am-2pm EST.", (-5, -5)),
    ("Time zone overlap: min. 4 hours with CET.", (-3, 5)),
    ("Required overlap: 6 hours with PST.", (-10, -6)),
    ("We're flexible with hours as long as you overlap with the team (EST) for standups.", (-5, -5)),
    ("Must be available during overlapping hours with Central Time (CST).", (-6, -6)),
    # §2.3: clauses of one sentence, each with its own rule; the first applicable rule wins.
    (
        "While you will mostly work US Eastern hours, the role also involves collaboration with "
        "India-based engineers on IST.",
        (-5, -5),
    ),
    ("You will work PST hours, but with some overlap with our team in CET.", (-8, -8)),
    ("Candidates must reside in the Pacific or Mountain time zone but work Central hours.", (-8, -7)),
    ("Our team is in EST, but we welcome applicants from all time zones.", ANY),
    ("Flexible hours, but you must overlap 4 hours with EST.", (-9, -1)),
    ("We are fully remote and hire across all time zones.", ANY),
    ("Candidates from any time zone are welcome.", ANY),
    ("We're a team of 30 across PST and CET, working asynchronously.", None),
    ("Our offices are in NYC (EST) and London (GMT).", None),
    ("Benefits: flexible hours, work from home, PTO.", None),
    ("The hiring process: a 30-minute call, a take-home task (4 hours), and a final interview.", None),
    ("Our support team provides 24/7 coverage across time zones.", None),
    ("Closing date: 30 June 2025, 23:59 CET.", None),
    ("All interviews are conducted over Zoom in PST.", None),
    ("Serving customers in EMEA and APAC.", None),
    ("Experience with EMEA markets.", None),
    ("Posted 3 hours ago", None),
    ("Work-life balance: 4-day week, 32 hours.", None),
    ("Location: US (EST/CST preferred)", (-6, -5), "loc"),
    ("Remote (GMT-3 ±2)", (-5, -1), "loc"),
    ("Remote, UK (GMT)", (0, 0), "loc"),
    ("Remote - India (IST)", (5.5, 5.5), "loc"),
    ("Remote - Israel (IST)", (2, 2), "loc"),
    ("Remote - Brazil (BRT)", (-3, -3), "loc"),
    ("Anywhere in the world", None, "loc"),
    ("Worldwide", None, "loc"),
    ("US-based, remote", None, "loc"),
    ("Remote - US Only (PST, MST)", (-8, -7), "loc"),
    ("Remote, UTC+1 – UTC+3", (1, 3), "loc"),
    ("Remote, UTC-8 – UTC-5", (-8, -5), "loc"),
]

# Titles (§5: the title is a source), schedules named by region, and more mentions that state nothing.
TITLES_AND_SCHEDULES = [
    ("Must be comfortable working on a US schedule.", (-8, -5)),
    ("Must be able to work a European schedule.", (0, 2)),
    ("Must be available during normal business hours in the Eastern Time Zone.", (-5, -5)),
    ("You must be located in one of the following time zones: PST, MST, CST.", (-8, -6)),
    ("Must be in the Americas (UTC-3 to UTC-8).", (-8, -3)),
    ("Needs to overlap with the US (EST) for at least 3 hours daily.", (-10, 0)),
    ("Overlap with U.S. business hours is required.", (-8, -5)),
    ("Candidates must be able to overlap at least 4 hours with San Francisco (PST).", (-12, -4)),
    ("Based in Europe (within CET ± 1h).", (0, 2)),
    ("Horário comercial de Brasília.", (-3, -3)),
    ("Du musst in der Zeitzone MEZ arbeiten.", (1, 1)),
    ("Horario: de lunes a viernes de 9 a 18 h (GMT-5).", (-5, -5)),
    ("Support customers across US time zones.", None),
    ("You'll manage a team spread across PST and IST.", None),
    ("Our CTO is based in Lisbon (PT).", None),
    ("Schedule: Full-time", None),
    ("Time off: 25 days of paid vacation.", None),
    ("We're in the Eastern time zone and love dogs.", None),
    ("Uptime of 99.9% across EMEA and APAC regions.", None),
    ("We are seeking a US Workday Payroll Analyst.", None),  # the software, not a workday
    # GST, HST and PST are also Canadian and Australian sales taxes.
    ("Rate: $80 per hour + GST.", None),
    ("Contract rate $50/hour plus HST.", None),
    ("Pay is $45 per hour, exclusive of GST/PST.", None),
    ("Must be GST registered; 20 hours per week.", None),
    ("Must work EST + PST hours.", (-8, -5)),
    ("As featured in The New York Times, we offer training in web development.", None),
]
TITLES = [
    ("Senior Engineer (EST)", (-5, -5)),
    ("Customer Support Agent - APAC Hours", (5.5, 12)),
    ("Night Shift Support Engineer (US hours)", (-8, -5)),
    ("Senior Engineer, EMEA", None),
    ("Account Executive - East Coast", None),
]

# How offsets and daylight names are written (§3: daylight names give the standard offset; numbers
# are taken as written).
WRITTEN_OFFSETS = [
    ("Time zone: (UTC-05:00) Eastern Time (US & Canada)", (-5, -5)),
    ("Must be in GMT+5:45 (Nepal).", (5.75, 5.75)),
    ("Must be in UTC\u22123:30.", (-3.5, -3.5)),
    ("Must be in UTC + 2.", (2, 2)),
    ("Must be within +/-2 hours of GMT.", (-2, 2)),
    ("Must work CET (+/- 1 hour).", (0, 2)),
    ("Must work EST +/- 1.", (-6, -4)),
    ("Must be in UTC-5 / UTC-6.", (-6, -5)),
    ("Must be between GMT-3 and GMT+3 (inclusive).", (-3, 3)),
    ("Must be from UTC-1 up to UTC+4.", (-1, 4)),
    ("Must be in GMT 0 to GMT+2.", (0, 2)),
    ("Must be in UTC+0.", (0, 0)),
    ("Must work 9am-5pm PDT.", (-8, -8)),
    ("Available 10am-6pm CEST.", (1, 1)),
    ("Must be available during BST working hours.", (0, 0)),
    ("Must work NZDT hours.", (12, 12)),
    ("Must work EEST hours.", (2, 2)),
    ("Must be available 9-5 AKDT.", (-9, -9)),
    ("Must work MDT/MST hours.", (-7, -7)),
    ("Working hours in summer: UTC+2.", (2, 2)),
]

CASES = [
    *[(text, None, expected) for text, expected in NAMED_ZONES],
    *[(text, None, expected) for text, expected in OFFSETS_AND_TOLERANCES],
    *[(text, None, expected) for text, expected in OVERLAP],
    *[(text, None, expected) for text, expected in REGIONS],
    *[(text, None, expected) for text, expected in UNIONS],
    *[(text, None, expected) for text, expected in ANY_ZONE],
    *[(text, None, expected) for text, expected in EMPTY],
    *[(None, location, expected) for location, expected in LOCATION_LINES],
    *[(text, None, expected) for text, expected in OTHER_LANGUAGES],
    *[(text, None, expected) for text, expected in PRECEDENCE],
    *[
        (None, text, expected) if where == ["loc"] else (text, None, expected)
        for text, expected, *where in MORE_WORDING
    ],
    *[(None, text, expected) if where == ["loc"] else (text, None, expected) for text, expected, *where in IN_POSTINGS],
    *[(text, None, expected) for text, expected in TITLES_AND_SCHEDULES],
    *[(text, None, expected) for text, expected in WRITTEN_OFFSETS],
]


@pytest.mark.parametrize(("title", "expected"), TITLES, ids=[t for t, _ in TITLES])
def test_the_title_is_a_source(title, expected):
    assert window(None, title=title) == expected


@pytest.mark.parametrize(("text", "location", "expected"), CASES, ids=[(c[0] or c[1])[:50] for c in CASES])
def test_spec_rules_on_new_wording(text, location, expected):
    assert window(text, location=location) == expected


def test_location_region_is_not_a_window_but_a_body_zone_is():
    # §2.1 a region alone is a location; the body's requirement is the window.
    assert window("Must overlap 4 hours with CET.", location="Remote - EMEA") == (-3, 5)
    assert window("We are a distributed team.", location="Remote - EMEA") is None


def test_one_sided_bound_takes_the_other_from_the_location_region():
    # §4.2: "no further west than" keeps the region's eastern bound.
    assert window("Must be based no further west than GMT-1.", location="Remote - EMEA") == (-1, 4)


# Whole postings: several statements, the spec's precedence between them (§2.3, §4, §5).
POSTINGS = [
    (
        "Remote - US",
        "We're a distributed team across all US time zones. This role requires working Pacific hours.",
        (-8, -8),
    ),
    (None, "Our team is spread across UTC-5 to UTC+3. You must be within UTC-3 to UTC+3.", (-3, 3)),
    (
        None,
        "We welcome applicants from all time zones. For this role, you must overlap at least 4 hours with CET.",
        (-3, 5),
    ),
    (None, "Hours: 9am-5pm EST. Must live in the US.", (-5, -5)),
    (None, "Candidates must reside in the EST or CST time zones. Core hours are 10am-4pm ET.", (-6, -5)),
    (None, "Must work 9-5 EST. Applications close Friday at 5pm PST.", (-5, -5)),
    (None, "Time zones:\n- Pacific\n- Mountain\n- Central", (-8, -6)),
    # Markdown as the postings carry it (§1: ** and _ kept).
    (None, "**Location:** Remote (EST)", (-5, -5)),
    (None, "**Time zone:** Americas", (-8, -3)),
    (None, "_Working hours:_ 9am–5pm CET", (1, 1)),
    (None, "- Based in GMT±2", (-2, 2)),
    (None, "• Overlap: 4h with EST", (-9, -1)),
    (None, "Working hours: 9-18 (Kyiv time)", (2, 2)),
    (None, "Hours: 9:00-18:00 Warsaw time", (1, 1)),
    (None, "Team hours 10:00-16:00 Lisbon time", (0, 0)),
    (None, "Working in the Pacific Time Zone (PT) is required.", (-8, -8)),
    # A team's city as the overlap reference (§3: a city counts inside a time phrase).
    (None, "You'll need at least 4 hours of overlap with our team in London.", (-4, 4)),
    (None, "Must overlap with San Francisco business hours.", (-8, -8)),
    (None, "Must work Bangalore hours.", (5.5, 5.5)),
    (None, "Must have 6 hours of overlap with Boston time.", (-7, -3)),
    (None, "Our office is in Austin, Texas.", None),  # a city alone
    (None, "You will join our Seattle team.", None),
    (None, "Must work from our office in Burlingame, CA (between San Francisco and Palo Alto).", None),
    (None, "We hire in these time zones:\n* North America\n* Europe", (-8, 2)),
    ("Remote - EMEA", "Must be based no further east than GMT+3.", (0, 3)),
    (None, "Please note: our team is in EST. You'll need to work within that time zone.", (-5, -5)),
    (None, "You'll join our New York team. Working hours: 9am-6pm New York time.", (-5, -5)),
    (None, "The ideal candidate lives in the Pacific Northwest.", None),
    (None, "We are based in Central Europe.", None),
    (None, "Must be in Eastern Europe (EET).", (2, 2)),
    (None, "Our clients are in the Central time zone, so you'll need to work Central hours.", (-6, -6)),
    (None, "Interview process: 3 rounds, all scheduled in PST.", None),
    (None, "This role is US-based and requires working in the Eastern or Central time zones.", (-6, -5)),
    (
        None,
        "Must be available for on-call rotations outside business hours (EST). Standard hours are 9am-5pm PST.",
        (-8, -8),
    ),
    ("Remote from Canada (EST or PST hours)", None, (-8, -5)),
    ("Remote - US", "We are a remote-first company. Benefits include flexible hours.", None),
    # §2.1: temporary work abroad, and zones that are not named.
    (None, "When working temporarily from abroad, you must keep 4 hours of overlap with CET.", None),
    (None, "Employees may work abroad for up to 4 weeks a year, as long as they overlap with CET hours.", None),
    (None, "Temporary contract (6 months); must work EST hours.", (-5, -5)),
    (None, "Must be in one of our hub time zones.", None),
    (None, "Must be in a compatible time zone.", None),
    (None, "Must be willing to work across time zones.", None),
    (None, "Must be in a time zone close to our team.", None),
    (None, "Ability to work in a time zone that overlaps with US business hours.", (-8, -5)),
    (None, "Time zone alignment with PST is required.", (-8, -8)),
    (None, "You can work from anywhere between UTC-3 and UTC+3.", (-3, 3)),
    ("Remote (Europe, UTC±2)", None, (-2, 2)),
    (None, "Standard working hours are Monday–Friday 9:00 to 17:30 GMT.", (0, 0)),
    (None, "Monday to Friday, 40 hours a week, UK hours.", (0, 0)),
    (None, "Working hours: flexible, but must be online 10am–2pm Pacific.", (-8, -8)),
    (None, "Core collaboration hours: 9 AM – 1 PM PT.", (-8, -8)),
    (None, "Shift: 2nd shift (3pm-11pm CST).", (-6, -6)),
    (None, "Coverage: 24/7 (rotating shifts).", None),
    (None, "Sunday-Thursday, Israel working hours.", (2, 2)),
    (None, "This role requires partial overlap with Australia (AEST) business hours.", (10, 10)),
    (None, "You must be able to work hours that overlap with both US and European teams.", (-8, 2)),
    (None, "Must overlap with our EMEA and APAC colleagues.", (0, 12)),
]


@pytest.mark.parametrize(("location", "text", "expected"), POSTINGS, ids=[(p[1] or p[0])[:50] for p in POSTINGS])
def test_whole_postings(location, text, expected):
    assert window(text, location=location) == expected
