"""Tokens for lexical matching: lowercase word stems without stopwords, plus the manual's
abbreviations expanded both ways (IBCLC <-> International Board-Certified Lactation Consultant)."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z0-9]+")

# Abbreviations reps type and the words the manual spells out (either direction).
GLOSSARY: dict[str, str] = {
    "ibclc": "international board certified lactation consultant",
    "lec": "lactation educator counselor",
    "clec": "certified lactation educator counselor",
    "cphw": "community perinatal health worker",
    "ma": "medical assistant",
    "rn": "registered nurse",
    "lvn": "licensed vocational nurse",
    "np": "nurse practitioner",
    "pa": "physician assistant prior authorization",
    "cnm": "certified nurse midwife",
    "md": "physician",
    "ppg": "participating physician group",
    "cpsp": "comprehensive perinatal services program",
    "ffs": "fee for service",
    "dme": "durable medical equipment",
    "nemt": "non emergency medical transportation",
    "nmt": "non medical transportation",
    "cpt": "current procedural terminology",
    "icd": "diagnosis code",
    "tar": "treatment authorization request",
    "cin": "client index number",
    "bic": "benefits identification card",
    "hn": "health net", "ipa": "independent physician association",
    "cob": "coordination benefits", "ccs": "california children services",
    "iha": "initial health appointment", "pcp": "primary care physician provider",
    "tf": "timely filing", "dos": "date service", "eob": "explanation benefits",
    "snf": "skilled nursing facility", "soc": "share cost", "ur": "utilization review",
    "pt": "member patient", "pts": "members patients", "mbr": "member", "mbrs": "members",
    "bh": "behavioral health", "sud": "substance use disorder", "mh": "mental health",
    "noa": "notice action", "ra": "remittance advice", "er": "emergency room",
    "ob": "obstetric", "peds": "pediatric", "dx": "diagnosis", "rx": "prescription pharmacy",
    "pcs": "physician certification statement", "fsr": "facility site review",
    "cap": "corrective action plan", "coc": "continuity care", "npi": "national provider identifier",
    "inpt": "inpatient", "outpt": "outpatient", "retro": "retroactive", "appt": "appointment",
    "appts": "appointments", "yr": "year", "hrs": "hours", "req": "request", "ref": "reference",
    "cert": "certification", "mco": "managed care plan", "hcpcs": "code", "smhs": "specialty mental health",
    "aevs": "automated eligibility verification system", "pos": "point service",
}

# Everyday words reps use for what the manual says more formally (question side only).
SYNONYMS: dict[str, str] = {
    "get": "obtain request", "pay": "reimburse bill", "paid": "reimburse bill",
    "charge": "bill", "need": "required", "requires": "required", "order": "prescription",
    "rent": "rental", "renting": "rental", "buy": "purchase", "mom": "mother",
    "baby": "infant", "babies": "infant", "doctor": "physician", "doc": "physician",
    "auth": "authorization", "preauth": "prior authorization", "reimbursed": "bill",
    "consultant": "consultant", "breastfeed": "breastfeeding", "nursing": "breastfeeding",
}

STOPWORDS = frozenset("""
a about above after again all am an and any are as at be because been before being below between
both but by can could did does doing down during each few for from further had has have having he
her here hers herself him himself his how i if in into is it its itself just me more most my myself
no nor not now of off on once only or other our ours ourselves out over own same she should so some
such than that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your
yours yourself yourselves us may might must shall also got please tell know want
wants wanted still first going go goes back come comes find found kind kinds option options
suppose supposed count counts anything something different instead nobody anybody somebody
usual usually whats what's isnt isn't thru put point then one ones yes ok okay hi hello thanks
thank really actually just like would could should way ways able let lets u ur pls plz
non asap def tho thx btw fyi lol ugh hey guys anyone someone anyway kinda gonna wanna
""".split())
# Words that carry the meaning of yes/no billing questions are not stopwords here.
STOPWORDS = STOPWORDS - {"no", "not", "can", "may", "must", "only"}
QUESTION_NOISE = frozenset({"can", "may", "must", "only", "not", "no", "does", "do"})


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


STEM_CHARS = 7  # "prescribe"/"prescriptions" -> "prescri": Snowball alone keeps them apart


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)[:STEM_CHARS]


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def tokens(text: str, expand: bool = False) -> list[str]:
    """Stemmed content tokens; with ``expand`` abbreviations add their spelled-out words."""
    out: list[str] = []
    for w in words(text):
        if w in STOPWORDS and w not in ("ma", "pa", "np"):
            continue
        if len(w) < 2 and not w.isdigit():
            continue
        out.append(stem(w))
        if expand and w in GLOSSARY:
            out.extend(stem(x) for x in GLOSSARY[w].split() if x not in STOPWORDS)
        if expand and w in SYNONYMS:
            out.extend(stem(x) for x in SYNONYMS[w].split())
    return out


def content_tokens(text: str) -> set[str]:
    """Tokens that carry meaning in a question (no question-words, modals or negations)."""
    return {t for t in tokens(text, expand=True) if t not in QUESTION_NOISE}
