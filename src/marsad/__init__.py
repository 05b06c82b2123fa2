"""marsad: turn a stream of raw Arabic news into a structured, source-aware picture.

Pipeline stages live in one package each (``ingest``, ``clean``, ``text``, ``entities``, ``store``,
``report``, ``export``, ``bench``); they meet only in the records of :mod:`marsad.model`.
"""

__version__ = "0.1.0"
