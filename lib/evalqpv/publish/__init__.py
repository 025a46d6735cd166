"""Publish: notebooks executed into reports, and collection workbooks for partners.

It sits beside the data flow and only orchestrates it: it never computes a figure.
`run` brings the store up to date and plans the jobs (one quarter, or a perimeter from
`selection`); `jobs` says what to build and whether it is current; `cluster` runs them
on Dask (`task` on each worker, in a warm `forkserver` that forks a fresh copy per
notebook: `shell` executes its cells, `execute` converts it); `outputs` writes the
results in the main process; `index` and `perimeter` write the index pages; `progress`
shows how far the batch is; `workbooks` writes the partners' collection workbooks.
Heavy imports (papermill, nbconvert, pandas, pyarrow, dask) happen only when something
must be re-executed.
"""
