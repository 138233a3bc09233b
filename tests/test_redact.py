"""Redaction of member identifiers, measured on generated rep messages with ground truth.

``generate_messages`` and ``clean_questions`` are importable (``from tests.test_redact import
...``) so a benchmark can reuse the same seeded sets with ``evals.phi.measure``. The independent
set (``evals/datasets/phi_*.jsonl``) is measured by ``python -m evals.phi``
(``tests/test_phi_eval.py``).
"""

from __future__ import annotations

import gc
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.redact import find_identifiers, redact
from evals.phi import measure

STRUCTURED_KINDS = frozenset({"CIN", "BIC", "MEMBER_ID", "SSN", "DOB", "PHONE", "EMAIL"})

FIRST = """Maria Jose Sofia Wei Linh Ana Guadalupe Jasmine Aaliyah Emily Olivia Fatima Priya Anahit
Keisha Mei Yesenia Rosa Xochitl Kimberly Jennifer Daniela Mateo Isabella Camila Valentina Ximena
Nayeli Hyun Minh Thuy Arpi Lilit Narine Aisha Imani Destiny Brianna Ashley Alejandra Veronica
Leticia Marisol Yolanda Gabriela Esperanza Soledad Teresa Carmen Luz Noemi Ngoc Lan Huong Sun
Jia Xiu Min Seo Ji Eun Karina Tatiana Svetlana Oksana Amani Zainab Maryam Noor Samira Leila
Rania Dalia Chloe Zoe Harper Avery Madison Kayla Tiffany Brittany Jessica Amanda Stephanie
Lucia Paola Renata Abril Elena Ruth Naomi Hannah Leah Miriam Esther Grace Rose Hope Joy""".split()
LAST = """Garcia Hernandez Lopez Nguyen Tran Kim Smith Johnson Williams Martinez Rodriguez
Sargsyan Patel Chen Wong O'Brien Lopez-Garcia Ramirez Flores Gonzalez Perez Sanchez Torres
Rivera Gomez Diaz Cruz Reyes Morales Ortiz Gutierrez Chavez Ramos Ruiz Alvarez Mendoza Castillo
Jimenez Moreno Romero Herrera Medina Aguilar Vargas Castro Le Pham Huynh Hoang Vu Vo Dang Bui
Do Ngo Duong Ly Park Lee Choi Jung Kang Cho Yoon Jang Lim Han Liu Zhang Wang Yang Huang Zhao Wu
Zhou Xu Sun Ma Zhu Hu Guo Lin Ahmed Khan Ali Hussain Singh Kaur Shah Mehta Desai Hakobyan
Petrosyan Grigoryan Harutyunyan Avetisyan Brown Jones Davis Miller Wilson Moore Taylor Anderson
Thomas Jackson White Harris Martin Thompson Robinson Clark Lewis Walker Hall Allen Young King
Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans
Washington Jefferson Okafor Adeyemi Mensah Nwosu Tesfaye Haile Abebe""".split()

MONTHS = (
    "January February March April May June July August September October November December".split()
)


# ------------------------------------------------------------------ identifier makers
def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789") for _ in range(n))


def make_cin(r):
    cin = _digits(r, 8) + r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
    return cin.lower() if r.random() < 0.15 else cin


def make_bic(r):
    return _digits(r, 8) + r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + _digits(r, 1) + _digits(r, 4)


def make_member_id(r):
    shape = r.randrange(5)
    if shape == 0:
        return r.choice("RNKHM") + _digits(r, 10)
    if shape == 1:
        return "HN" + _digits(r, 9)
    if shape == 2:
        return (
            r.choice("ABCDEFGH") + r.choice("ABCDEFGH") + _digits(r, 8) + r.choice("0123456789AB")
        )
    if shape == 3:
        return _digits(r, 11)
    return r.choice("RNKHM") + _digits(r, 9) + r.choice("0123456789")


def make_ssn(r):
    a, b, c = _digits(r, 3), _digits(r, 2), _digits(r, 4)
    return r.choice([f"{a}-{b}-{c}", f"{a} {b} {c}", f"{a}{b}{c}"])


def make_date(r):
    y = r.randrange(1975, 2025)
    m, d = r.randrange(1, 13), r.randrange(1, 29)
    mon = MONTHS[m - 1]
    forms = [
        f"{m:02d}/{d:02d}/{y}",
        f"{m}/{d}/{y}",
        f"{m}/{d}/{y % 100:02d}",
        f"{y}-{m:02d}-{d:02d}",
        f"{mon[:3]} {d} {y}",
        f"{mon} {d}, {y}",
        f"{mon} {d}th, {y}",
        f"{d} {mon} {y}",
        f"{m:02d}-{d:02d}-{y}",
        f"{mon[:3]}. {d}, {y}",
        f"{d} {mon[:3]} {y}",
        f"{m}.{d}.{y}",
    ]
    return r.choice(forms)


def make_phone(r):
    a = r.choice(["213", "310", "323", "415", "510", "559", "619", "626", "714", "818", "916"])
    b, c = _digits(r, 3), _digits(r, 4)
    return r.choice(
        [
            f"({a}) {b}-{c}",
            f"{a}-{b}-{c}",
            f"{a}.{b}.{c}",
            f"+1 {a} {b} {c}",
            f"1-{a}-{b}-{c}",
            f"{a} {b} {c}",
            f"({a}){b}-{c}",
            f"{a}-{b}-{c} ext 12",
        ]
    )


def make_email(r):
    f, l = r.choice(FIRST).lower(), r.choice(LAST).lower().replace("'", "")
    user = r.choice([f"{f}.{l}", f"{f}{l}{r.randrange(100)}", f"{f[0]}{l}", f"{f}_{l}"])
    return (
        user
        + "@"
        + r.choice(
            ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com"]
        )
    )


def make_address(r):
    street = r.choice(
        [
            "Olive",
            "Main",
            "Oak",
            "Cedar",
            "Valley View",
            "Sunset",
            "Mission",
            "El Camino Real",
            "Palm",
        ]
    )
    suffix = r.choice(["St", "Ave", "Blvd", "Rd", "Dr", "Way", "Ln", "Street", "Avenue"])
    unit = r.choice(["", "", f", Apt {r.randrange(1, 40)}", f" #{r.randrange(100, 400)}"])
    pre = r.choice(["", "", "W. ", "N "])
    return f"{r.randrange(10, 99999)} {pre}{street} {suffix}{unit}"


def make_name(r):
    f, l = r.choice(FIRST), r.choice(LAST)
    shape = r.random()
    if shape < 0.45:
        name = f"{f} {l}"
    elif shape < 0.70:
        name = f
    elif shape < 0.80:
        name = f"{f} {r.choice('ABCDEFGHJKLMNOPRSTVW')}. {l}"
    elif shape < 0.90:
        name = l
    else:
        name = f"{f} {l} {r.choice(LAST)}"
    return name.upper() if r.random() < 0.05 else name


# Each cue list: texts that introduce the identifier (ground truth excludes the cue).
CUES = {
    "CIN": [
        "CIN ",
        "CIN: ",
        "CIN# ",
        "client index number ",
        "Medi-Cal ID ",
        "member ID ",
        "",
        "",
        "cin ",
    ],
    "BIC": ["BIC ", "BIC#: ", "benefits ID card ", "BIC number ", "card # ", "", ""],
    "MEMBER_ID": [
        "member ID ",
        "Member ID: ",
        "ID# ",
        "ID #",
        "subscriber ID ",
        "mbr id ",
        "HN ID ",
        "member # ",
        "",
        "policy number ",
    ],
    "SSN": ["SSN ", "SSN: ", "ss# ", "social ", "social security number ", "SSN is ", "soc sec "],
    "DOB": [
        "DOB ",
        "DOB: ",
        "dob ",
        "D.O.B. ",
        "date of birth ",
        "born ",
        "born on ",
        "birthdate ",
        "DOB is ",
        "date of birth: ",
    ],
    "PHONE": [
        "phone ",
        "call back at ",
        "cb# ",
        "cell ",
        "her number is ",
        "tel: ",
        "",
        "mom's cell ",
    ],
    "EMAIL": ["email ", "email: ", "", "reach her at "],
    "ADDRESS": ["lives at ", "address: ", "address is ", "home address "],
}
NAME_CUES = [
    "patient ",
    "Patient: ",
    "pt ",
    "pt. ",
    "member ",
    "Member ",
    "baby ",
    "baby boy ",
    "mother ",
    "mom ",
    "child ",
    "name: ",
    "Name: ",
    "named ",
    "for ",
    "Mrs. ",
    "Ms. ",
    "Mr. ",
    "patient name is ",
    "member's name is ",
    "infant ",
    "daughter ",
    "regarding ",
    "Pt: ",
    "mom, ",
    "newborn ",
]
QUESTIONS = [
    "is she eligible for a hospital-grade breast pump?",
    "can she get a personal-use electric pump?",
    "does the pump need prior authorization?",
    "can our IBCLC bill for the visit?",
    "can we refer to lactation services?",
    "what CPT code do we use for lactation counseling?",
    "is the rental covered?",
    "who can write the prescription for the DME?",
    "are nipple shields covered?",
    "baby is 4 months old, still eligible for lactation support?",
    "does she need a referral?",
    "can the RN provide the breastfeeding education?",
]
OPENERS = [
    "",
    "",
    "Hi, ",
    "Hello team, ",
    "Quick question: ",
    "URGENT - ",
    "Calling about ",
    "Re: ",
    "Good morning. ",
    "Hey, ",
]


class _Builder:
    def __init__(self):
        self.parts: list[str] = []
        self.spans: list[dict] = []
        self.pos = 0

    def text(self, t: str):
        self.parts.append(t)
        self.pos += len(t)

    def ident(self, kind: str, value: str):
        self.spans.append({"kind": kind, "start": self.pos, "end": self.pos + len(value)})
        self.text(value)

    def done(self) -> dict:
        return {"text": "".join(self.parts), "identifiers": self.spans}


_MAKERS = {
    "CIN": make_cin,
    "BIC": make_bic,
    "MEMBER_ID": make_member_id,
    "SSN": make_ssn,
    "DOB": make_date,
    "PHONE": make_phone,
    "EMAIL": make_email,
    "ADDRESS": make_address,
}


def generate_messages(n: int = 1200, seed: int = 8) -> list[dict]:
    """Realistic rep messages mixing identifiers in varied formats and positions, with ground truth."""
    r = random.Random(seed)
    out = []
    for _ in range(n):
        b = _Builder()
        b.text(r.choice(OPENERS))
        items = []
        if r.random() < 0.8:
            items.append("NAME")
        kinds = ["CIN", "BIC", "MEMBER_ID", "SSN", "DOB", "PHONE", "EMAIL", "ADDRESS"]
        weights = [3, 1.5, 2, 1.5, 3, 1.5, 1, 0.5]
        for _ in range(r.choice([1, 1, 2, 2, 3, 4])):
            items.append(r.choices(kinds, weights)[0])
        question_first = r.random() < 0.25
        if question_first:
            b.text(r.choice(QUESTIONS).capitalize() + r.choice([" ", "\n", " Details: "]))
        for i, kind in enumerate(items):
            if i:
                b.text(r.choice([", ", "; ", " ", " - ", "\n", " / ", ". ", " and "]))
            if kind == "NAME":
                if r.random() < 0.15 and len(items) > 1:
                    # name right before another cue: "Maria Lopez DOB 01/02/1990"
                    f, l = r.choice(FIRST), r.choice(LAST)
                    name = r.choice([f"{f} {l}", f"{l}, {f}"])
                    b.ident("NAME", name)
                    b.text(" ")
                    nxt = r.choice(["DOB", "CIN", "SSN"])
                    b.text(r.choice(CUES[nxt][:3]))
                    b.ident(nxt, _MAKERS[nxt](r))
                    continue
                cue = r.choice(NAME_CUES)
                name = make_name(r)
                if cue.lower().startswith(("name", "named")) and r.random() < 0.2:
                    name = name.lower()  # typed in a hurry after "name:"
                b.text(cue)
                b.ident("NAME", name)
                if r.random() < 0.2:
                    b.text(r.choice(["'s", " (", ","]))
            else:
                cue = r.choice(CUES[kind])
                if cue.endswith((": ", "# ")) and r.random() < 0.3:
                    cue = cue[:-1]  # "DOB:01/02/1990"
                paren = r.random() < 0.08
                b.text("(" * paren + cue)
                value = _MAKERS[kind](r)
                if kind == "SSN" and r.random() < 0.2:
                    b.text(r.choice(["last 4: ", "last four ", "ending in "]))
                    value = _digits(r, 4)
                if kind == "SSN" and not cue.strip() and " " not in value and "-" not in value:
                    b.text("SSN ")
                b.ident(kind, value)
                b.text(")" * paren)
                if r.random() < 0.15:
                    b.text(r.choice([")", ".", ",", "?"]))
        if not question_first:
            b.text(r.choice([" ", ". ", " -- ", "\n", ": "]) + r.choice(QUESTIONS))
        out.append(b.done())
    return out


# ------------------------------------------------------------------ clean manual-style questions
_PROVIDERS = [
    "an IBCLC",
    "a lactation educator-counselor",
    "a CPHW",
    "a medical assistant",
    "an RN",
    "a nurse practitioner",
    "a PA",
    "a certified nurse midwife",
    "a CPSP provider",
    "a non-CPSP provider",
    "a PPG provider",
    "an FFS provider",
    "a hospital",
    "an OB/GYN",
]
_ITEMS = [
    "a manual breast pump",
    "a personal-use electric breast pump",
    "a hospital-grade pump",
    "breast shells",
    "nipple shields",
    "a pump kit",
    "lactation DME",
    "replacement pump parts",
]
_TEMPLATES = [
    "Can {p} bill Medi-Cal for lactation support?",
    "Can {p} bill Medi-Cal directly?",
    "Is {i} a rental or a purchase?",
    "Does {i} need prior authorization?",
    "Who can write a prescription for {i}?",
    "Is {i} covered for Health Net Medi-Cal members?",
    "Can {p} refer a member to lactation services for an infant up to age one?",
    "For {i}, what does the manual say about twins or triplets?",
    "What ICD-10 or CPT codes should {p} use for lactation services?",
    "Can {p} provide breastfeeding education in the postpartum period?",
    "Is {i} available when the mother is returning to work or school?",
    "Does {p} need a contract with a participating physician group?",
    "If {p} is non-participating, who do they contact before rendering service?",
    "Can {p} be assigned a Medi-Cal provider number?",
    "What are the reasons a mother may need {i}?",
    "For Medi-Cal members, is {i} limited to one per pregnancy?",
    "How does {p} get billing instructions from Health Net?",
    "Is CPT 99401 OK for {p} doing lactation counseling?",
    "Can {p} use ICD-10 Z39.1 for a lactation visit?",
    "Is HCPCS E0603 the code for {i}?",
]
_STANDALONE = [
    "Can an IBCLC bill Medi-Cal?",
    "is a hospital-grade pump a rental",
    "infant up to age one",
    "Lactation services for infants up to age one - does that include a 13 month old?",
    "What is the Breastfeeding Promotion Toolkit?",
    "How do I request the toolkit from Provider Services?",
    "Does the World Health Organization growth chart apply?",
    "For Lactation Education and Support Services, who qualifies?",
    "Are CPSP-certified providers allowed to give referrals antepartum?",
    "What does medically necessary mean for lactation support?",
    "Who is a designated professional for Medi-Cal billing?",
    "Member Services phone number?",
    "For PPG providers, whose process do we follow?",
    "Is a breast pump covered after 12 months?",
    "Can the mother get a second pump for twins?",
    "What about latch-on difficulties in the infant?",
    "For Comprehensive Perinatal Services Program providers, what can they bill?",
    "Is prior authorization required for hospital-grade electric breast pump rentals?",
    "Can a PA with an IBCLC certification bill under the physician's number?",
    "Is relactation a covered reason for lactation DME?",
    "What is CPSP?",
    "For Women, Infants, and Children program referrals, what do we do?",
    "Does Health Net cover O92.70 lactation disorders?",
    "Do we need an NPI for the subcontractor?",
    "Are lactation consultants reimbursed as subcontracting employees?",
    "patient is eligible? what does the manual say",
    "member has low milk supply, is a pump covered",
    "mom is exclusively breastfeeding and returning to work - which pump?",
    "baby has a neurological deficit, can mom get a hospital-grade pump?",
    "Is there a limit of 1 pump every 3 years?",
    "Are pumps covered at 100% for Medi-Cal?",
    "What does Section 4 say about Durable Medical Equipment?",
    "For Hospitals, is the pump billed under the facility?",
    "Can Ancillary providers dispense lactation DME?",
    "Are Physicians allowed to refer directly to an IBCLC?",
    "Is this different for L.A. Care or Kaiser members?",
    "For Anthem Blue Cross members do the same rules apply?",
    "Calling about Medi-Cal Rx coverage of lactation supplements",
    "What name goes on the DME prescription?",
    "Does the mother need a new prescription for a replacement kit after 6 months?",
    "The member's baby was born premature - is a hospital-grade pump covered?",
    "Is a Medi-Cal member eligible for both a manual and an electric pump?",
    "Patient Health Questionnaire for lactation - is it required?",
    "Can a Certified Nurse Midwife write the order for Breast Shells?",
    "Regarding Nipple Shields - covered under DME?",
    "We are a PPG; for Lactation Consultant visits, do we follow the PPG process?",
    "for DHCS guidance on CPHW billing, where do I look?",
    "Our office is at the main clinic; can the RN do the lactation visit?",
    "Baby is 11 months and 3 weeks old - still up to age one?",
    "Mother has flat or inverted nipples; does that qualify for lactation DME?",
]
_SUFFIX = ["", "", " Thanks!", " thank you", " Please advise.", " (asking for a PPG)", " - urgent"]


def clean_questions(n: int = 300, seed: int = 5) -> list[dict]:
    """Manual-style questions with no member identifiers; redact must leave them unchanged."""
    r = random.Random(seed)
    qs = list(_STANDALONE)
    while len(qs) < n:
        t = r.choice(_TEMPLATES).format(p=r.choice(_PROVIDERS), i=r.choice(_ITEMS))
        qs.append(r.choice(OPENERS[:6]) + t + r.choice(_SUFFIX))
    return [{"text": q, "identifiers": []} for q in qs[:n]]


# ------------------------------------------------------------------ tests
def test_generated_messages_are_redacted():
    msgs = generate_messages(1200)
    assert len(msgs) >= 1000
    res = measure(msgs)
    print(f"\nredaction on {res['messages']} messages, {res['identifiers']} identifiers:")
    for kind, s in sorted(res["by_kind"].items()):
        print(f"  {kind:10s} {s['redacted']:5d}/{s['total']:<5d} {s['rate']:.2%}")
    print(
        f"  structured {res['structured_rate']:.2%}  names {res['name_rate']:.2%}  "
        f"kind accuracy {res['kind_accuracy']:.2%}  {res['chars_per_second']:,.0f} chars/s"
    )
    assert set(res["by_kind"]) >= STRUCTURED_KINDS | {"NAME"}
    assert res["structured_rate"] >= 0.99
    assert res["name_rate"] >= 0.95
    assert res["idempotent_rate"] == 1.0
    assert res["kind_accuracy"] >= 0.95


def test_no_raw_identifier_survives_in_redacted_text():
    for msg in generate_messages(400, seed=21):
        out = redact(msg["text"])
        for t in msg["identifiers"]:
            raw = msg["text"][t["start"] : t["end"]]
            if t["kind"] in STRUCTURED_KINDS and len(raw) >= 6:
                assert raw not in out, (raw, out)


def test_clean_questions_stay_unchanged():
    qs = clean_questions(300)
    assert len(qs) >= 200
    res = measure(qs)
    changed = [(q["text"], redact(q["text"])) for q in qs if redact(q["text"]) != q["text"]]
    print(
        f"\nclean questions unchanged: {res['clean_unchanged_rate']:.2%} of {res['clean_messages']}"
    )
    for before, after in changed[:10]:
        print("  changed:", before, "->", after)
    assert res["clean_unchanged_rate"] >= 0.98


@pytest.mark.parametrize(
    "text, kind, raw",
    [
        ("CIN 91234567A", "CIN", "91234567A"),
        ("cin is 91234567a please", "CIN", "91234567a"),
        ("BIC 91234567A12345", "BIC", "91234567A12345"),
        ("member ID R0123456789 pump", "MEMBER_ID", "R0123456789"),
        ("ID#: HN1234567", "MEMBER_ID", "HN1234567"),
        ("ssn 123 45 6789", "SSN", "123 45 6789"),
        ("social 123456789", "SSN", "123456789"),
        ("SSN last 4 6789", "SSN", "6789"),
        ("xxx-xx-6789 on file", "SSN", "xxx-xx-6789"),
        ("DOB 1/5/90", "DOB", "1/5/90"),
        ("born 5 January 1990", "DOB", "5 January 1990"),
        ("date of birth: 1990-01-05", "DOB", "1990-01-05"),
        ("DOB 3/14", "DOB", "3/14"),
        ("baby born March 2024", "DOB", "March 2024"),
        ("+1 555 123 4567", "PHONE", "+1 555 123 4567"),
        ("call 555.123.4567", "PHONE", "555.123.4567"),
        ("cell 5551234567", "PHONE", "5551234567"),
        ("mail a.b+c@x.org now", "EMAIL", "a.b+c@x.org"),
        ("patient Maria Lopez is due", "NAME", "Maria Lopez"),
        ("Mrs. O'Brien called", "NAME", "Mrs. O'Brien"),  # the title goes with the name
        ("name: lopez, maria", "NAME", "lopez, maria"),
        ("for Sofia Ramirez-Cruz", "NAME", "Sofia Ramirez-Cruz"),
        ("Lopez, Maria DOB 01/02/1990", "NAME", "Lopez, Maria"),
        ("baby boy Nguyen needs", "NAME", "baby boy Nguyen"),  # a newborn's name as recorded
        ("mom José Núñez", "NAME", "José Núñez"),
        ("lives at 1234 W. Olive Ave, Apt 5", "ADDRESS", "1234 W. Olive Ave, Apt 5"),
        ("Mom (Kim Tran, 28yo) wants a pump", "NAME", "Kim Tran"),
        ("Patient DOB 4/5/2023, pt name Emma Watson", "NAME", "Emma Watson"),
        ("Calling on behalf of Ana Ruiz re pump", "NAME", "Ana Ruiz"),
        ("Member: TRAN, KIM  DOB:03-04-1996", "NAME", "TRAN, KIM"),
        ("Hi, pt Linh Do needs a pump", "NAME", "Linh Do"),
        ("her medi-cal # is 91234567 A", "CIN", "91234567 A"),
    ],
)
def test_single_identifiers(text, kind, raw):
    s = text.index(raw)
    assert (kind, s, s + len(raw)) in find_identifiers(text)
    assert raw not in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "patient is eligible for a pump",
        "member has low milk supply",
        "Mother Has flat nipples",
        "Can an IBCLC bill Medi-Cal for Lactation services? CPT 99401",
        "ICD-10 Z39.1 and HCPCS E0603",
        "for Health Net Medi-Cal members",
        "Call Member Services at the number on the card",
        "Infants up to age one, 12 months, 24 hours, 1 per 3 years",
        "member ID please?",
        "Section 4.3.12 of the manual",
        "What name goes on the claim?",
        "Waiting for Provider Services to call back",
    ],
)
def test_no_false_positives(text):
    assert redact(text) == text


def test_placeholders_and_idempotence():
    text = "pt Maria Lopez CIN 91234567A DOB 01/02/1990 ph (555) 123-4567 ssn 123-45-6789"
    out = redact(text)
    assert out == "pt [NAME] CIN [CIN] DOB [DOB] ph [PHONE] ssn [SSN]"
    assert redact(out) == out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.sampled_from(list("aZ9 -/.:,#@()'\nMariaLopezCINDOBSSNpatientfor0123456789")),
        max_size=200,
    )
)
def test_idempotent_on_arbitrary_text(text):
    once = redact(text)
    assert redact(once) == once


_ADVERSARIAL = [
    "1" * 1000,
    "a" * 1000,
    "1-" * 500,
    "1/" * 500,
    "a@" * 500,
    "a." * 500,
    "(555) " * 200,
    "patient " * 150,
    "Maria " * 200,
    "member ID " * 100,
    "DOB " * 250,
    "1 Main " * 150,
    "Jan 1 " * 200,
    "x" * 50 + "@" + "a-" * 500,
    "12 " * 400,
    "A1" * 600,
    "social " * 150,
    "Lopez, " * 150,
    "0b1f3a2c-1d2e-4f5a-8b9c-0d1e2f3a4b5c " * 10,
    "9" * 64 + "@" * 500,
    ("for Maria J. " * 100),
]


@pytest.mark.parametrize("unit", _ADVERSARIAL)
def test_linear_time_on_adversarial_input(unit):
    def cost(k: int) -> float:
        # this thread's CPU time, best of three, with the collector off (as timeit does): other
        # processes share the machine, and threads left by earlier tests (servers) and a full
        # collection of the suite's heap would be counted against the big input only
        text = (unit * (k // len(unit) + 1))[:k]
        best = float("inf")
        was_enabled = gc.isenabled()
        gc.collect()
        gc.disable()
        try:
            for _ in range(3):
                t0 = time.thread_time()
                redact(text)
                best = min(best, time.thread_time() - t0)
        finally:
            if was_enabled:
                gc.enable()
        return best

    small, big = cost(25_000), cost(100_000)
    assert big < 3.0, f"{big:.2f}s for 100k chars"
    # 4x the input must cost about 4x, not 16x (allow noise on a shared machine)
    assert big < 8 * small + 0.05, (small, big)


def test_own_ids_and_hashes_are_kept():
    import uuid

    hexid, uid = uuid.uuid4().hex, str(uuid.uuid4())
    sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    text = f"answer id: {hexid} request {uid} user_hash {sha} chunk lactation-0003"
    assert redact(text) == text
    assert redact("answer id: 12345678901") == "answer id: [MEMBER_ID]"


def test_scan_files_reports_place_and_kind_only(tmp_path):
    from core.redact import scan_files

    clean = tmp_path / "clean.log"
    clean.write_text(
        "2026-01-05 10:00:00,123 INFO assistant: question from patient [NAME] CIN [CIN]\n"
        '{"time":"2026-01-05T10:00:00.123Z","user_hash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b"}\n'
    )
    dirty = tmp_path / "dirty.jsonl"
    dirty.write_text('{"q": "ok"}\n{"q": "member ID R0123456789, ssn 123-45-6789"}\n')
    found = scan_files([clean, dirty, tmp_path / "missing.log"])
    assert found == [
        {"path": str(dirty), "line": 2, "kind": "MEMBER_ID"},
        {"path": str(dirty), "line": 2, "kind": "SSN"},
    ]
