"""evals/calibrate.py: the refusal thresholds chosen from per-part features (pure)."""

from __future__ import annotations

from evals.calibrate import answered, choose


def typed(*pairs: tuple[float, float]) -> dict:
    """A part after a kind of fact whose typed units have these (overlap, similarity)."""
    return {"strict": True, "base": max((b for b, _ in pairs), default=0.0), "sim": 0.5,
            "typed": list(pairs)}


def test_a_typed_part_counts_only_from_the_confident_similarity_on():
    part = typed((0.6, 0.38))
    assert answered([part], 0.1, 0.4, 0.35)
    assert not answered([part], 0.1, 0.4, 0.4)


def test_choose_refuses_most_unanswerable_within_the_false_refusal_budget():
    answerable = [[typed((0.7, 0.6))] for _ in range(19)] + [[typed((0.5, 0.36))]]
    unanswerable = [[typed((0.6, 0.38))], [typed((0.45, 0.33))]]
    best = choose(answerable, unanswerable, max_false_refusal=0.05)
    assert best["unanswerable_refused"] == 1.0
    assert best["false_refusal_rate"] <= 0.05
    assert best["min_confident_similarity"] == 0.4  # the lowest that refuses both
