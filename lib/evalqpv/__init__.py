"""evalqpv: evaluation toolkit for French urban-policy contracts (contrats de ville).

Data flows one way: data/raw/ -> readers -> validation -> data/processed/ -> indicators
-> presentation -> notebooks -> reports/. See README.md and docs/.
"""

__version__ = "0.2.0"
