"""The simulated answers and metrics of ``python -m evals.verification`` (pure functions, no store)."""

from __future__ import annotations

import random

import pytest

from evals.verification import (
    at_threshold,
    balanced_threshold,
    negate,
    paraphrase,
    roc_auc,
    swap_name,
    swap_number,
    truncation,
)

EVIDENCE = "Tussen 2007 en 2012 stonden veertig krachtwijken in Rotterdam en elders op de agenda, met eigen plannen."


def test_roc_auc_and_threshold() -> None:
    assert roc_auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert roc_auc([0.1], [0.9]) == 0.0
    assert roc_auc([0.5], [0.5]) == 0.5
    t = balanced_threshold([0.9, 0.8, 0.7], [0.1, 0.3, 0.75])
    assert 0.3 < t <= 0.7
    assert at_threshold([0.9, 0.8], [0.1, 0.2], 0.5) == pytest.approx(
        {"accuracy": 1.0, "balanced_accuracy": 1.0, "supported_kept": 1.0, "unsupported_flagged": 1.0}
    )


def test_perturbations_change_what_they_claim() -> None:
    assert swap_number(EVIDENCE) == EVIDENCE.replace("2007", "2011")
    assert swap_number("Er zijn veertig wijken aangewezen door het kabinet.") == (
        "Er zijn zestig wijken aangewezen door het kabinet."
    )
    assert swap_number("Zonder getallen blijft deze zin zoals hij is.") is None
    swapped = swap_name(EVIDENCE, ["Utrecht"], random.Random(0))
    assert swapped is not None and "Utrecht" in swapped and "Rotterdam" not in swapped
    assert negate("De monitor is ontwikkeld door BZK.") == "De monitor is niet ontwikkeld door BZK."
    assert truncation(EVIDENCE) == EVIDENCE.split(",")[0] + "."
    assert paraphrase("Bewoners krijgen vaak ook steun.") == "Inwoners ontvangen dikwijls eveneens steun."
