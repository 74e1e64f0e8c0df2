"""Strategische vestigingsplaatsen: find, protect and score strategic business locations."""
__version__ = "0.1.0"
