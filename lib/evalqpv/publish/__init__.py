"""Publish: notebooks executed into reports, and collection workbooks for partners.

It sits beside the data flow and only orchestrates it: it never computes a figure.
`run` brings the store up to date and schedules the jobs; `jobs` says what to build
and whether it is current; `execute` runs one notebook in a worker process; `export`
turns it into an offline HTML page; `index` writes the year's home page; `workbooks`
writes the partners' collection workbooks. Heavy imports (papermill, nbconvert,
pandas) happen only when something must be re-executed.
"""
