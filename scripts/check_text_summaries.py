#!/usr/bin/env python3
"""Checks a CAIPI-on-e-mails reproduction: word corrections must raise the
test explanation F1 and must not cost more than 0.02 predictive F1.

Usage: check_text_summaries.py DIR (the --out folder of reproduce caipi-text)
"""
import json
import sys
from pathlib import Path


def main(folder):
    on = json.load(open(Path(folder) / "corrections-on" / "summary.json"))
    off = json.load(open(Path(folder) / "corrections-off" / "summary.json"))
    checks = {
        "test_explanation_f1": on["test_explanation_f1"] > off["test_explanation_f1"],
        "test_f1": on["test_f1"] >= off["test_f1"] - 0.02,
    }
    for key, ok in checks.items():
        print(f"{key}: with corrections {on[key]:.3f}, without {off[key]:.3f}: {'ok' if ok else 'FAILED'}")
    if not all(checks.values()):
        sys.exit("word corrections did not raise explanation F1 without hurting predictive F1")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
