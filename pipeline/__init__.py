"""Strategische vestigingsplaatsen: find, protect and score strategic business locations."""
from pipeline import memory

__version__ = "0.1.0"
memory.configure()  # before pyarrow is imported: freed memory goes back to the system (memory.py)
