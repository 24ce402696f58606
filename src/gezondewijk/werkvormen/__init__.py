"""Werkvormen: short work forms for the social and physical domain, and with residents.

Chapter 5 of the GezondIn workbook as data (:mod:`~gezondewijk.werkvormen.catalogue`) and the
matching of Dutch texts that two of them need (:mod:`~gezondewijk.werkvormen.matching`:
offers next to needs, stressors named twice). Live workshops in the web app build on these.
"""
