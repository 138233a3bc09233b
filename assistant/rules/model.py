"""The rule checker's data: the Scenario read from a question, and the Decision a rule gives.

Pure pydantic models and the vocabularies their fields take. No I/O.
"""

from __future__ import annotations

from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

from assistant.types import VerdictKind

Topic = Literal["lactation_services", "lactation_dme", "dme_prescription", "referral"]
Role = Literal[
    "IBCLC", "LEC", "CPHW", "MA", "RN", "LVN", "NP", "PA", "CNM", "physician", "pharmacist",
    "doula", "midwife", "licensed_midwife", "nurse", "CHW", "peer_counselor", "other",
]
Certification = Literal["ibclc", "lec", "lactation", "other", "none", "unknown"]
BillingParty = Literal["renderer", "provider"]
Staffing = Literal["on_staff", "subcontract"]
ProviderStatus = Literal[
    "ppg", "non_participating", "cpsp", "ffs_direct", "non_cpsp", "formal_arrangement",
]
Period = Literal["antepartum", "postpartum", "both", "other"]
Item = Literal[
    "manual_pump", "personal_electric_pump", "hospital_grade_pump", "breast_pump",
    "breast_shells", "nipple_shields", "other",
]
Acquisition = Literal["rent", "buy"]
PriorAuth = Literal["obtained", "not_obtained", "unknown"]
Program = Literal["medi-cal", "other"]

#: How a role is named in explanations and questions ("Does the RN hold ...").
ROLE_NAMES: dict[str, str] = {
    "IBCLC": "IBCLC", "LEC": "lactation educator-counselor", "CPHW": "CPHW", "MA": "MA",
    "RN": "RN", "LVN": "LVN", "NP": "NP", "PA": "PA", "CNM": "certified nurse midwife",
    "physician": "physician", "pharmacist": "pharmacist", "doula": "doula",
    "midwife": "midwife", "licensed_midwife": "licensed midwife", "nurse": "nurse",
    "CHW": "community health worker", "peer_counselor": "peer counselor",
    "other": "person named",
}


class Scenario(BaseModel):
    """The facts of a billing-eligibility question that the rules decide on.

    ``None`` (or ``"unknown"``) means the question did not say.
    """

    model_config = ConfigDict(extra="forbid")

    topic: Topic | None = Field(None, description="What the question is about.")
    is_billing_question: bool = Field(
        False, description="It asks whether something may be billed, covered, provided, "
        "prescribed, rented or bought - a question a rule can settle.")
    mentions_billing: bool = Field(False, description="It talks about billing or payment.")
    program: Program | None = Field(None, description="Line of business, when named.")
    renderer_role: Role | None = Field(None, description="Who renders the lactation service.")
    renderer_certification: Certification = Field(
        "unknown", description="The renderer's lactation certification.")
    billing_party: BillingParty | None = Field(
        None, description="'renderer': bills directly / under an own number; 'provider': a "
        "Medi-Cal provider bills under its number.")
    staffing: Staffing | None = Field(None, description="How the renderer works for the provider.")
    has_certified_staff: bool | None = Field(
        None, description="Whether the provider has anyone on staff with a lactation certification.")
    provider_status: ProviderStatus | None = Field(
        None, description="How the provider takes part in Health Net Medi-Cal.")
    contacted_before_service: bool | None = Field(
        None, description="A non-participating consultant contacted Health Net before the service.")
    period: Period | None = Field(None, description="Antepartum / postpartum, when named.")
    asks_medical_necessity: bool = False
    standard_support_failed: bool | None = Field(
        None, description="Standard education and support have not proven sufficient.")
    wants_to_breastfeed: bool | None = None
    item: Item | None = Field(None, description="Lactation DME item.")
    acquisition: Acquisition | None = None
    prior_auth: PriorAuth = "unknown"
    prior_auth_mentioned: bool = False
    prescriber_role: Role | None = Field(None, description="Who writes the DME prescription.")
    infant_age_months: float | None = Field(None, ge=0, description="Infant's age in months.")

    def has_specifics(self) -> bool:
        """True when the question names something concrete a rule could decide on."""
        return any((
            self.renderer_role, self.prescriber_role, self.item, self.provider_status,
            self.billing_party, self.staffing, self.infant_age_months is not None,
            self.has_certified_staff is not None, self.asks_medical_necessity,
            self.standard_support_failed is not None, self.acquisition,
            self.renderer_certification not in ("unknown",),
            self.program == "other",
        ))

    def display(self) -> dict[str, str]:
        """Field values as they read in a sentence (templates use these)."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in ("renderer_role", "prescriber_role"):
                out[name] = ROLE_NAMES.get(value, "staff member") if value else (
                    "staff member" if name == "renderer_role" else "prescriber")
            elif value is None:
                out[name] = "not stated"
            else:
                out[name] = str(value).replace("_", " ")
        out["a_renderer_role"] = with_article(out["renderer_role"])
        out["a_prescriber_role"] = with_article(out["prescriber_role"])
        age = self.infant_age_months
        out["infant_age"] = "unknown age" if age is None else _age_text(age)
        return out


def with_article(name: str) -> str:
    """'an RN', 'a PA', 'an IBCLC', 'a doula' (acronyms by their first letter's sound)."""
    first = name.split()[0] if name else ""
    if first.isupper():
        vowel_sound = first[0] in "AEFHILMNORSX"
    else:
        vowel_sound = first[:1].lower() in "aeiou"
    return f"{'an' if vowel_sound else 'a'} {name}"


def _age_text(months: float) -> str:
    if months < 3 and months != int(months):
        weeks = round(months * 52 / 12)
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    if months == int(months):
        return f"{int(months)} month{'s' if months != 1 else ''}"
    return f"{months:.1f} months"


class RuleCitation(BaseModel):
    """Where a rule comes from: a page and an exact sentence of it."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    quote: str


class Decision(BaseModel):
    """What the rule book says about one Scenario."""

    model_config = ConfigDict(extra="forbid")

    verdict: VerdictKind
    rule_id: str
    explanation: str
    condition: str | None = Field(None, description="For 'conditional': eligible only if ...")
    citation: RuleCitation | None = None
    missing_facts: list[str] = Field(default_factory=list, description="Questions to ask.")
    stale: bool = Field(False, description="The rule's manual sentence is gone; not applied.")
    scenario: Scenario

    def full_explanation(self) -> str:
        """The explanation, led by the condition for a conditional verdict."""
        if self.verdict == "conditional" and self.condition:
            return f"Eligible only if {self.condition}. {self.explanation}"
        return self.explanation

    def scenario_dict(self) -> dict[str, Any]:
        return self.scenario.model_dump(mode="json")


def literal_values(field: str) -> tuple[Any, ...] | None:
    """The allowed values of a Scenario field (None when it is not a closed vocabulary)."""
    return _values(Scenario.model_fields[field].annotation)


def _values(ann: Any) -> tuple[Any, ...] | None:
    if get_origin(ann) is Literal:
        return get_args(ann)
    if ann is bool:
        return (True, False)
    if ann is type(None):
        return (None,)
    if get_origin(ann) in (Union, UnionType):
        out: list[Any] = []
        for arg in get_args(ann):
            sub = _values(arg)
            if sub is None:
                return None
            out += sub
        return tuple(out)
    return None
