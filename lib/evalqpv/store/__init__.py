"""The store: data/processed/, its only writer (build) and its readers.

`build` reads data/raw/ through ingest, validates and consolidates the observations,
and writes the store with the small tables beside it (territories, years, manifest,
conflicts, changes) atomically. `load` gives the store to analysis as a DataFrame;
`tables` reads the small tables without pandas. Importing this package loads neither.
"""
