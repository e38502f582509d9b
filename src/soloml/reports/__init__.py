"""Reports a person reads: facts first, then rendered; the wording rules (wording.py) every text is checked against."""
