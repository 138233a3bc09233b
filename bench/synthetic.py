"""Deterministic synthetic manual pages (our own words) for benchmarks: varied topics, headings,
lists and a Last Updated line, written as plain text the way the provider library saves pages."""

from __future__ import annotations

import random
from pathlib import Path

TOPICS = ["vision care", "transportation", "behavioral health", "pharmacy", "hospice",
          "immunizations", "dental referrals", "home health", "hearing aids", "prenatal visits",
          "diabetes education", "asthma supplies", "telehealth", "interpreter services",
          "orthotics", "wound care", "sleep studies", "dialysis", "oxygen", "well-child visits"]
ROLES = ["physicians", "nurse practitioners", "physician assistants", "clinics", "hospitals",
         "ancillary providers", "participating physician groups", "pharmacies"]
VERBS = ["must submit", "may request", "should document", "are required to keep",
         "can bill for", "need prior authorization for", "must notify Health Net about"]
OBJECTS = ["the treatment authorization request", "a copy of the referral", "the visit notes",
           "the member's consent form", "the itemized claim", "the supply order",
           "the physician certification statement", "the follow-up plan"]


def sentence(rng: random.Random, topic: str) -> str:
    return (f"For {topic}, {rng.choice(ROLES)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"within {rng.randint(2, 90)} days of the service.")


def page(i: int, rng: random.Random) -> str:
    topic = TOPICS[i % len(TOPICS)]
    title = f"{topic.title()} Guidelines Part {i}"
    lines = [
        "Skip to Main Content", "", "Search in Medi-Cal", "", title, "", "Provider Type", "",
        "  • Physicians", "  • Hospitals", "",
        " ".join(sentence(rng, topic) for _ in range(rng.randint(2, 5))), "",
    ]
    for h in range(rng.randint(2, 5)):
        lines += [f"{topic.title()} Requirements Section {h + 1}", ""]
        lines += [" ".join(sentence(rng, topic) for _ in range(rng.randint(2, 8))), ""]
        if rng.random() < 0.5:
            lines += [f"The following {topic} items are covered:", ""]
            lines += [f"  • {rng.choice(OBJECTS).capitalize()} item {k}"
                      for k in range(rng.randint(3, 8))] + [""]
    lines += [f"Last Updated: {rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/2025"]
    return "\n".join(lines) + "\n"


def write_corpus(folder: Path, pages: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(pages):
        path = folder / f"synthetic-{i:05d}.txt"
        path.write_text(page(i, rng))
        paths.append(path)
    return paths
