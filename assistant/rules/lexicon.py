"""The words people use for roles, certifications, items and arrangements, as regular expressions.

All patterns run on ``normalise(text)``: lower case, straight quotes, "w/" -> "with",
"w/o" -> "without", "#" -> " number". Word boundaries everywhere, so "pa" never matches inside
"pay" and "ma" never inside "may".
"""

from __future__ import annotations

import re

_F = re.IGNORECASE


def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _F)


def normalise(text: str) -> str:
    t = (text or "").replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    t = t.replace("\u201d", '"').replace("\u2013", "-").replace("\u2010", "-").replace("\u2011", "-").replace("\u2014", " - ")
    t = t.replace("\u00a0", " ").lower()
    t = re.sub(r"\bd\.o\.(?!\w)", "physician", t)
    t = re.sub(r"\b((?:[a-z]\.){2,4})(?!\w)", lambda m: m.group(1).replace(".", "") + " ", t)
    t = re.sub(r"\bw/o\b", "without", t)
    t = re.sub(r"\bw/(?=\s|\w)", "with ", t)
    t = re.sub(r"\s*#", " number ", t)
    t = re.sub(r"\bhosp\.?\s*(?=[- ]?grade)", "hospital", t)
    return re.sub(r"[ \t]+", " ", t)


# -- roles and certifications ---------------------------------------------------------------------
# Each entry: (pattern, role, certification implied by naming the person, kind).
# kind "cert" = the word names a lactation credential (IBCLC, LEC, ...): it is the person's role
# only when no licensed role is named with it. Earlier entries win over later overlapping ones.
ROLE_TERMS: list[tuple[re.Pattern[str], str, str | None, str]] = [
    (rx(r"\binternational board[- ]certified lactation consultants?\b|\bboard[- ]certified "
        r"lactation consultants?\b|\bibclcs?\b"), "IBCLC", "ibclc", "cert"),
    (rx(r"\b(?:certified )?lactation educator[- ]?counsel(?:or|lor)s?\b|\blactation "
        r"educators?\b|\bc?lecs?\b|\bcertified lactation educators?\b"), "LEC", "lec", "cert"),
    (rx(r"\bcertified lactation (?:counsel(?:or|lor)|specialist)s?\b|\bclcs?\b|\bclss?\b"),
     "other", "other", "cert"),
    (rx(r"\blactation consultants?\b|\blcs?\b"), "IBCLC", "ibclc", "cert"),
    (rx(r"\bcommunity perinatal health workers?\b|\bperinatal health workers?\b|\bcphws?\b"),
     "CPHW", None, "role"),
    (rx(r"\bcommunity health workers?\b|\bchws?\b|\bpromotor[ae]s?\b"), "CHW", None, "role"),
    (rx(r"\bcertified nurse[- ]midwi(?:fe|ves)\b|\bnurse[- ]midwi(?:fe|ves)\b|\bcnms?\b"),
     "CNM", None, "role"),
    (rx(r"\blicensed midwi(?:fe|ves)\b"), "licensed_midwife", None, "role"),
    (rx(r"\bmidwi(?:fe|ves)\b"), "midwife", None, "role"),
    (rx(r"\bnurse practitioners?\b|\b(?:f|wh|p|c)?nps?\b"), "NP", None, "role"),
    (rx(r"\bphysician'?s? assistants?\b|\bphysician associates?\b|\bpa-c\b|\bpas\b|\bpa\b"),
     "PA", None, "role"),
    (rx(r"\blicensed (?:vocational|practical) nurses?\b|\blvns?\b|\blpns?\b"), "LVN", None, "role"),
    (rx(r"\bregistered nurses?\b|\brns?\b|\bbsns?\b"), "RN", None, "role"),
    (rx(r"\bmedical assistants?\b|\bc?mas\b|\bc?ma\b(?!')"), "MA", None, "role"),
    (rx(r"\bnurses?\b"), "nurse", None, "role"),
    (rx(r"\bpharmacists?\b|\bpharmd\b"), "pharmacist", None, "role"),
    (rx(r"\bdoulas?\b"), "doula", None, "role"),
    (rx(r"\bpeer counsel(?:or|lor)s?\b|\bwic peers?\b"), "peer_counselor", None, "role"),
    (rx(r"\bphysicians?\b|\bdoctors?\b|\bdocs?\b|\bmds?\b|\bm\.d\.|\bd\.o\.|\bobstetricians?\b|"
        r"\bob[/-]?gyns?\b|\bob\b|\bp(?:a)?ediatricians?\b|\bpeds\b|\bgyn(?:a)?ecologists?\b|"
        r"\bfamily (?:medicine|practice) (?:doc|doctor|physician)s?\b"), "physician", None, "role"),
    (rx(r"\b(?:registered )?dieti(?:t|c)ians?\b|\bnutritionists?\b|\bsocial workers?\b|"
        r"\blcsws?\b|\bmsws?\b|\bchiropractors?\b|\b(?:physical |occupational |speech )?"
        r"therapists?\b|\bspeech[- ]language pathologists?\b|\bslps?\b|\bdentists?\b|"
        r"\bpsychologists?\b|\bhealth educators?\b|\bmedical students?\b|\bvolunteers?\b|"
        r"\breceptionists?\b|\bchiro\b|\bosteopaths?\b"), "other", None, "role"),
]
# Uppercase "DO" (doctor of osteopathy) is only trusted in mixed-case text.
DO_UPPER = re.compile(r"\bDOs?\b")

# Phrases whose role words do not name a person (masked before roles are read).
NOT_A_PERSON = rx(
    r"\bparticipating (?:physician|doc|doctor)s?(?: groups?)?\b|\bphysician groups?\b|"
    r"\bmedical groups?\b|\b(?:physician|doc|doctor)s? or facilit(?:y|ies)\b|"
    r"\b(?:doctor|physician|doc|ob|peds|ob[/-]?gyn|obgyn|p(?:a)?ediatrician|obstetrician|"
    r"gyn(?:a)?ecologist|md)'?s? (?:office|practice|clinic|group)\b|"
    r"\bcertified nurse midwife\b(?= ?\)? ?or certified)|\bnurse line\b"
)

# A role word preceded by a negation names who the person is not ("isn't a nurse or MA").
NEGATED_BEFORE = rx(
    r"(?:\b(?:isn'?t|is not|are not|aren'?t|not|no|never|neither|nor|without|wasn'?t|"
    r"don'?t have|doesn'?t have|do not have|does not have)\s+)"
    r"(?:(?:an?|the|any)\s+)?(?:[\w/-]+\s+(?:or|nor|and)\s+(?:(?:an?|the)\s+)?)?$"
)
# A credential word used as an attribute of a person ("has her IBCLC", "RN with an LEC cert").
ATTRIBUTE_BEFORE = rx(
    r"(?:\b(?:is|'s|are|'re|was|be|being|also|has|have|had|holds?|with|who'?s|who is|got|"
    r"earned|completed|as)\s+(?:also\s+)?(?:an?\s+|her\s+|his\s+|their\s+|the\s+|its\s+)?"
    r"(?:certified\s+|board[- ]certified\s+)?)$"
)
ATTRIBUTE_AFTER = rx(r"^[- ]?(?:cert\w*|credential\w*|certified)\b")
BY_BEFORE = rx(r"\b(?:by|from)\s+(?:an?\s+|the\s+|our\s+|my\s+|their\s+)?$")

CERT_GENERIC = rx(
    r"\blactation[- ]cert\w*|\bcert\w* (?:in|as an?) lactation\b|\blactation credential\w*|"
    r"\b(?:is|are|'s|'re|who is|who's|also|be)\s+(?:also\s+)?(?:lactation[- ])?certified\b"
    r"(?!\s+(?:nurse|in cpsp|cpsp|by cpsp))|\bcertified (?:staff|person|people|employee|"
    r"rn|ma|np|pa|cphw|nurse(?! ?-?midwi))\b"
)
CERT_NONE = rx(
    r"\bnot (?:lactation[- ])?certified\b|\bun-?certified\b|\bnon-?certified\b|"
    r"\bisn'?t (?:lactation[- ])?certified\b|\baren'?t (?:lactation[- ])?certified\b|"
    r"\b(?:has|have|with) no (?:\w+ )?(?:lactation )?(?:cert\w*|credential\w*|ibclc|lec|clec)|"
    r"\bwithout (?:an? |any |her |his )?(?:lactation )?(?:cert\w*|credential\w*)|"
    r"\bno (?:lactation )?cert\w*|\blacks? (?:an? |any )?(?:lactation )?cert\w*|"
    r"\b(?:doesn'?t|does not|don'?t|do not) (?:have|hold) (?:an? |any )?(?:lactation )?"
    r"(?:cert\w*|credential\w*|ibclc|lec|clec)"
)

# -- staff, contracts, network status -------------------------------------------------------------
ON_STAFF = rx(
    r"\bon (?:our |the |my |her |his |their )?staff\b|\bour (?:staff|employees?)\b|"
    r"\bstaff (?:member|person|rn|nurse|ma|np|pa|ibclc|lec)s?\b|\bemploy(?:ed|ee|ees|s)?\b|"
    r"\bin[- ]house\b|\b(?:our|my) (?:own )?(?:rn|ma|np|pa|pa-c|cphw|lvn|lpn|nurse|ibclc|lec|clec|"
    r"lactation consultant|lactation educator|nurse practitioner|medical assistant|doula|"
    r"dietitian|social worker|registered nurse|physician assistant)s?\b|"
    r"\bwe have an? (?:\w+ )?(?:rn|ma|np|pa|cphw|lvn|nurse|ibclc|lec|clec|lactation)"
)
SUBCONTRACT = rx(
    r"\bsub-?contract\w*|\bcontract(?:ed|ing|s)?\s+(?:with\s+)?(?:an?\s+|the\s+|our\s+)?"
    r"(?:outside\s+|independent\s+|private\s+|external\s+)?(?:ibclc|lec|clec|lactation|"
    r"consultant|lc\b)|\bcontracted (?:ibclc|lactation consultant|lc)\b|"
    r"\bindependent contractors?\b|\bas an? contractor\b|\b1099\b|"
    r"\b(?:ibclc|c?lec|consultant|lc)s?\s+(?:that\s+|who\s+|whom\s+)?(?:we|you|they|the provider|"
    r"the practice)\s+(?:\w+\s+)?contract(?:ed)?\s+with\b"
)
FORMAL_ARRANGEMENT = rx(
    r"\b(?:has|have|with|under|through)\s+(?:an?\s+)?formal (?:arrangement|agreement|contract)"
)
NON_PARTICIPATING = rx(
    r"\bnon[- ]?par(?:ticipating)?\b|\bout[- ]of[- ]network\b|\bnot (?:in[- ]network|contracted|"
    r"participating|in (?:the )?network|affiliated)\b|\b(?:no|without|not have|doesn'?t have|"
    r"does not have|don'?t have|lacks?)\s+(?:an?\s+|any\s+)?(?:formal\s+)?(?:contracts?|"
    r"agreements?|arrangements?)\b|\bindependent\b(?! contractor)|\bprivate practice\b|"
    r"\bfreelanc\w*|\bself[- ]employed\b|\buncontracted\b"
)
PPG = rx(r"\bppgs?\b|\bparticipating physician groups?\b|\bphysician groups?\b|"
         r"\bmedical groups?\b|\bipas?\b")
NON_CPSP = rx(r"\bnon[- ]?cpsp\b|\bnot (?:a |an )?(?:\w+ )?cpsp\b|\b(?:isn'?t|aren'?t|not) "
              r"(?:\w+ )?cpsp\b|\bwithout cpsp\b|\bno cpsp\b")
CPSP = rx(r"\bcpsp\b|\bcomprehensive perinatal services? program\b")
FFS = rx(r"\bffs\b|\bfee[- ]for[- ]service\b|\bdirect(?:ly)?[- ]contract\w*|\bcontract\w* directly\b")

# -- billing party --------------------------------------------------------------------------------
RENDERER_BILLS = rx(
    r"\b(?:bill\w*|claim\w*|paid|reimburs\w*|submit\w*)\s+(?:[\w'-]+\s+){0,3}?directly\b|"
    r"\bdirectly (?:bill|claim|submit|to medi-?cal)|\bon (?:her|his|their|my|its) own\b|"
    r"\b(?:her|his|their|my) own\b|\bown (?:medi-?cal|npi|provider|number|billing)\b|"
    r"\bbill\w*\s+(?:[\w'-]+\s+){0,3}?(?:independently|myself|herself|himself|themselves|"
    r"yourself)\b|\bindependently bill|"
    r"\bas an? medi-?cal provider\b|"
    r"\b(?:get|obtain|be assigned|assigned|apply for|receive|have)\s+(?:an?\s+|her\s+|his\s+|"
    r"their\s+|my\s+)?(?:own\s+)?(?:medi-?cal\s+)?(?:provider\s+)?(?:number|npi|provider id)\b|"
    r"\benroll\w* (?:in|with|as an?) medi-?cal\b"
)
SELF_CONSULTANT = rx(r"\bi(?:'m| am)\s+(?:an?\s+)?(?:ibclc|c?lec|lactation consultant|lactation "
                     r"educator)")
SELF_BILLS = rx(r"\b(?:can|may|could|should|do)\s+i\s+(?:\w+\s+)?bill\b|\bi bill\b")
PROVIDER_BILLS = rx(
    r"\b(?:we|us|our (?:practice|clinic|office|group|organization|facility|hospital|fqhc)|"
    r"the (?:practice|clinic|office|provider|physician|doctor|group|hospital|facility|fqhc)|"
    r"my (?:practice|clinic|office)|an? (?:medi-?cal )?provider|the medi-?cal provider)\s+"
    r"(?:\w+\s+){0,2}?(?:bill|bills|billing|be reimbursed|get paid|submit|claim)\b|"
    r"\bunder (?:our|the|its|their|my|the (?:practice|provider|clinic|group|office)'?s?)\s+"
    r"(?:(?:practice|clinic|office|group|provider|physician|doctor)'?s?\s+)?(?:medi-?cal\s+)?"
    r"(?:provider\s+)?(?:number|npi|tax id|tin|billing number)\b|"
    r"\bunder (?:our|the) (?:practice|clinic|provider|group|office)\b|"
    r"\bbill (?:for )?(?:her|his|their|those|these|the) (?:services|visits|sessions|time)\b"
)

# -- topics ---------------------------------------------------------------------------------------
PRESCRIPTION = rx(r"\bpre?s?c?ri(?:b|p)\w*|\bperscri\w*|\bpresri\w*|\brx\b|\bscripts?\b|"
                  r"\bwritten order\b|\bwrite (?:an? |the )?order\b|\border(?:s|ed|ing)? for\b|"
                  r"\bsign(?:s|ed)? (?:the |an? )?order\b")
DME = rx(r"\bpumps?\b|\bdme\b|\bdurable medical equipment\b|\bbreast shells?\b|"
         r"\bnipple shields?\b|\bshells\b|\bshields\b|\bequipment\b|\bsupplies\b")
LACTATION_CONTEXT = rx(r"\blacta\w*|\bbreast ?-?feed\w*|\bbf\b|\bibclc|\bc?lec\b|\binfants?\b|"
                       r"\bbab(?:y|ies)\b|\bnewborns?\b|\b\d+\s*(?:mo|month|wk|week|yr|year)")
REFERRAL = rx(r"\brefer(?:s|red|ring|ral|rals)?\b")
SERVICES = rx(r"\blacta\w*|\blactaton\b|\bbreast ?-?feed\w*|\bbf\b|\bnursing support\b|"
              r"\bibclc|\bc?lec\b|\blactation consult\w*|\blatch\w*|\bbreast ?milk supply\b")

# -- DME items ------------------------------------------------------------------------------------
ITEM_OTHER = rx(
    r"\b(?:pump|breast pump)\s+(?:parts?|flanges?|tubing|valves?|membranes?|bags?|bottles?|"
    r"batter(?:y|ies)|replacement parts?)\b|\breplacement (?:pump )?parts?\b|\b(?:milk )?storage "
    r"bags?\b|\bmilk bags?\b|\bnursing bras?\b|\bpumping bras?\b|\bnursing pillows?\b|"
    r"\b(?:breast|nursing) pads?\b|\blanolin\b|\bnipple creams?\b|\bbottles?\b|"
    r"\bsupplemental nursing systems?\b|\bsns\b|\b(?:baby|infant) scales?\b"
)
ITEMS: list[tuple[re.Pattern[str], str]] = [
    (rx(r"\bhospital[- ]?grade\b|\bmulti[- ]?user\b|\brental[- ]grade\b"), "hospital_grade_pump"),
    (rx(r"\bmanual (?:breast )?pumps?\b|\bhand[- ]?(?:held |operated )?(?:breast )?pumps?\b|"
        r"\bmanual ones?\b"), "manual_pump"),
    (rx(r"\bpersonal[- ]?(?:use )?(?:electric )?(?:breast )?pumps?\b|\bpersonal[- ]use\b|"
        r"\b(?:double|single)[- ]?(?:electric )?(?:breast )?pumps?\b|\belectric (?:breast )?pumps?\b"),
     "personal_electric_pump"),
    (rx(r"\bbreast shells?\b|\bshells\b"), "breast_shells"),
    (rx(r"\bnipple shields?\b|\bshields\b"), "nipple_shields"),
    (rx(r"\b(?:breast |brest )?pumps?\b"), "breast_pump"),
]
RENT = rx(r"\b(?:rent|rents|renting|rented|rental|rentals|lease|leasing|leased|loaner|borrow\w*)\b")
BUY = rx(r"\b(?:buy|buys|buying|bought|purchase|purchases|purchasing|purchased|to own|keep it)\b")
BUY_NOT_RENT = rx(r"\b(?:buy\w*|purchas\w*)\b[^.?!]{0,30}\b(?:instead of|rather than|not)\s+"
                  r"(?:\w+\s+)?(?:rent\w*|leas\w*)")
RENT_NOT_BUY = rx(r"\b(?:rent\w*|leas\w*)\b[^.?!]{0,30}\b(?:instead of|rather than|not)\s+"
                  r"(?:\w+\s+)?(?:buy\w*|purchas\w*)")
ASKED_BUY = rx(r"\b(?:can|could|may|to|wants? to|ok to|allowed to|able to)\s+(?:\w+\s+){0,3}?"
               r"(?:buy|purchase|keep)\b")
ASKED_RENT = rx(r"\b(?:can|could|may|to|wants? to|ok to|allowed to|able to)\s+(?:\w+\s+){0,3}?"
                r"(?:rent|lease)\b")

# -- prior authorization --------------------------------------------------------------------------
PA_AS_AUTH = rx(
    r"\bpa\b(?=\s+(?:is\s+|was\s+|has\s+been\s+|already\s+|been\s+)*(?:approved|approval|"
    r"obtained|on file|pending|denied|required|needed|request(?:ed)?|submitted|granted)\b)|"
    r"(?<=\bneed )(?:an? |the )?pa\b|(?<=\bneeds )(?:an? |the )?pa\b|"
    r"(?<=\brequire )(?:an? |the )?pa\b|(?<=\brequires )(?:an? |the )?pa\b|"
    r"(?<=\bwithout )(?:an? |the )?pa\b|(?<=\bno )pa\b|(?<=\bobtain )(?:an? |the )?pa\b|"
    r"(?<=\bsubmit )(?:an? |the )?pa\b"
)
AUTH = r"(?:(?:prior|pre)[- ]?auth\w*|auth(?:ori[sz]ation)?s?|tars?)"
AUTH_MENTION = rx(rf"\b{AUTH}\b")
AUTH_OBTAINED = rx(
    rf"\b(?:with|have|has|had|got|gotten|obtained|received|approved|secured)\s+(?:an?\s+|the\s+)?"
    rf"(?:approved\s+)?{AUTH}\b|\b{AUTH}\s+(?:is\s+|was\s+|has\s+been\s+|already\s+|been\s+)*"
    r"(?:approved|obtained|granted|on file|in place|received|done)\b"
)
AUTH_MISSING = rx(
    rf"\b(?:without|no|lacking)\s+(?:\w+\s+){{0,2}}?{AUTH}\b|"
    rf"\b(?:hasn'?t|haven'?t|has not|have not|didn'?t|did not|not yet|never)\s+(?:\w+\s+){{0,3}}?"
    rf"{AUTH}\b|\b{AUTH}\s+(?:was\s+|is\s+|has\s+been\s+|got\s+)?(?:denied|not approved|"
    r"rejected|missing)\b"
)

# -- the rest of the scenario ---------------------------------------------------------------------
PERIOD_ANTE = rx(r"\bante-?partum\b|\bpre-?natal\b|\bantenatal\b|\bpregnan\w*|"
                 r"\bbefore (?:delivery|birth|the baby)\b|\bpre\b(?=[ -]?(?:or|and|/|,)?\s*post)")
PERIOD_POST = rx(r"\bpost[- ]?partum\b|\bpost-?natal\b|\bafter (?:delivery|birth|the baby|"
                 r"she delivers|giving birth)\b|\bpost\b")
PERIOD_OTHER = rx(r"\bpre-?conception\b|\binter-?conception\b|\btrying to conceive\b|"
                  r"\bbefore (?:she is|she's|getting) pregnant\b")

MED_NECESSITY = rx(r"\bmedically necess\w*|\bmedical(?:ly)? necessity\b|\bmed nec\b|"
                   r"\bnecessary\b")
_STD = (r"\b(?:standard|usual|regular|routine|basic|normal|initial|general)\s+(?:\w+\s+){0,3}?"
        r"(?:education|support|teaching|help|counsel(?:l)?ing|instruction)\b")
STD_FAILED = rx(
    _STD + r"[^.?!]{0,40}?\b(?:didn'?t|did not|isn'?t|isnt|is not|wasn'?t|wasnt|was not|"
    r"hasn'?t|hasnt|has not|haven'?t|have not|not|failed|insufficient|didnt|never)\b|"
    r"\b(?:despite|after|even with|tried)\s+(?:the\s+)?(?:standard|usual|regular|routine|basic)\b|"
    r"\bstill (?:struggling|having (?:trouble|difficulty|problems)|can'?t|cannot|unable)\b|"
    r"\bnot (?:been |proven )*sufficient\b|\binsufficient\b"
)
STD_WORKED = rx(_STD + r"[^.?!]{0,30}?\b(?:worked|works|is working|was enough|is enough|"
                r"was sufficient|is sufficient|succeeded|helped|did the job)\b")
WANTS_NO = rx(r"\b(?:doesn'?t|does not|don'?t|do not|no longer|not)\s+(?:\w+\s+){0,2}?(?:want|wish|"
              r"plan|intend|planning|going)\w*\s+to\s+(?:breast ?-?feed|nurse|bf)\b|"
              r"\bformula[- ]feed\w*|\bchose formula\b|\bnot breast ?-?feeding\b")
WANTS_YES = rx(r"\b(?:wants?|would like|wish(?:es)?|plans?|planning|hopes?|trying|intends?)\s+to\s+"
               r"(?:breast ?-?feed|nurse|bf)\b|\bis breast ?-?feeding\b|\bexclusively "
               r"(?:breast ?-?feeding|bf)\b")

CONTACT_NO = rx(
    r"\b(?:already|previously)\b[^.?!]{0,30}\b(?:saw|seen|rendered|provided|performed|gave|done|"
    r"treated|visited)\b|\bafterwards?\b|\bafter the (?:visit|service|fact|session)\b|"
    r"\bwithout (?:first )?(?:contacting|calling|checking with|notifying) (?:health net|hn)\b|"
    r"\bretro(?:active)?(?:ly)?\b"
)
CONTACT_YES = rx(
    r"\b(?:contacted|called|notified|checked with|reached out to)\s+(?:health net|hn)\b"
    r"[^.?!]{0,20}\b(?:first|before|beforehand|in advance|already|prior)\b|"
    r"\b(?:already|first)\s+(?:contacted|called|notified)\s+(?:health net|hn)\b"
)

STAFF_NONE = rx(
    r"\b(?:no ?one|nobody|none)\b[^.?!]{0,45}\b(?:cert\w*|ibclc|c?lec|lactation consultant|"
    r"lactation educator)|\bno (?:certified |lactation[- ]certified )?(?:staff|one on staff)\b|"
    r"\bno (?:c?lec|ibclc|lactation consultant|lactation educator)s?\b[^.?!]{0,20}\b(?:on staff|"
    r"in (?:our|the) (?:office|practice|clinic))|\b(?:don'?t|doesn'?t|do not|does not)\s+have\s+"
    r"(?:an?\s+|any\s+|anyone\s+)?(?:certified|ibclc|c?lec|lactation)\b[^.?!]{0,30}"
    r"(?:on staff|staff|office|practice|clinic)?"
)
STAFF_SOME = rx(
    r"\b(?:staff|staff member|someone on staff|one of our staff|employee)\s+(?:\w+\s+){0,2}?"
    r"(?:is|are|has|have|holds?)\s+(?:\w+\s+){0,2}?(?:ibclc|c?lec|lactation consultant|"
    r"lactation educator|certified|lactation cert)|\b(?:ibclc|c?lec|lactation consultant|"
    r"lactation educator|certified \w+)s?\s+on (?:our |the )?staff\b|\bwe have an? "
    r"(?:ibclc|c?lec|lactation consultant|lactation educator)\b|\bcertified staff\b"
)

OTHER_PROGRAM = rx(r"\bmedicare\b|\bcovered california\b|\bcommercial (?:plan|member|insurance|"
                   r"coverage)\b|\bmarketplace\b|\bcal ?medi-?connect\b|\bd-?snp\b|"
                   r"\bemployer (?:plan|coverage)\b|\bprivate insurance\b")
MEDI_CAL = rx(r"\bmedi-?cal\b|\bmedicaid\b")

BILLING_WORDS = rx(r"\bbill\w*|\breimburs\w*|\bpaid\b|\bpay(?:s|ing|ment|ments)?\b|\bclaims?\b|"
                   r"\bnpi\b|\bcpt\b|\bicd-?10\b|\bcodes?\b|\bcharg(?:e|es|ing)\b|\binvoic\w*|"
                   r"\bnumber\b")
ELIGIBILITY_WORDS = rx(
    r"\beligib\w*|\bcover(?:ed|s|age)?\b|\ballow\w*|\bpermit\w*|\bqualif\w*|\bauthori[sz]\w*|"
    r"\bauth\b|\bapprov\w*|\bok\b|\bokay\b|\bvalid\b|\bacceptable\b|\bfine\b|\blegit\b|\bcan\b|"
    r"\bmay\b|\bcould\b|\bable to\b|\bprescri\w*|\bperscri\w*|\brx\b|\bscript\b|\brent\w*|"
    r"\blease\b|\bbuy\w*|\bbought\b|\bpurchas\w*|\bobtain\w*|\bget\b|\brefer\w*|\bcontract\w*|"
    r"\bnecess\w*|\boptions?\b|\bin[- ]network\b|\bnetwork\b|\brecogni[sz]ed\b|\bbillable\b|\bdoes that "
    r"include\b|\bwhat about\b|\bwhat if\b|\bhow about\b"
)
POLITE = rx(r"\b(?:can|could|would|will) (?:you|u)\b|\bmay i ask\b")
INFORMATION_ONLY = rx(
    r"^\W*(?:what|which|whats|what's)\b[^?]{0,60}\b(?:codes?|modifiers?|rates?|prices?|costs?|"
    r"fees?|phone|fax|address|brands?|limits?|per year|per pregnancy|stand for|pay|pays)\b|"
    r"\bhow (?:much|many|long|often)\b|^\W*why\b|\bclaim status\b|\btimely filing\b|"
    r"\bclaims?\b[^.?!]{0,40}\bdenied\b|\bclaim denial\b|\btoolkit\b|\btool kit\b|\bposter\b|\bchecklist\b|\bgrowth charts?\b|"
    r"\bapps?\b|\bcme\b|\bcredential(?:ed|ing)\b|\bfax\b|\bphone\b|\be-?mail\b|\bmailing address\b|"
    r"\bhcpcs\b|\b(?:cpt|icd-?10|billing|diagnosis|procedure)\s+codes?\s+(?:for|do|should|to use)\b"
)
WHO_QUESTION = rx(r"\bwho\s+(?:else\s+)?(?:can|may|could|is allowed|are allowed|should|must|"
                  r"is able|are able)\b|\bwho\s+(?:else\s+)?(?:can|may)\b")
PRONOUN_SAME_PERSON = rx(r"\b(?:she|he|they)(?:'s|'re| is| are| was)\b|\bif (?:she|he|they)\b")
ALSO = rx(r"\balso\b|\btoo\b|\bas well\b|\bin addition\b")
