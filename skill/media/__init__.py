"""Media in and out: where a source lives, what a local file really is, whether it is fit to upload,
and how a rendered file is brought home safely.

``sources`` classifies paths and URLs, ``probe`` reads a file in-process with PyAV, ``preflight``
turns probes into hard errors and warnings before any network call, ``download`` fetches outputs.
"""
