"""Everything that speaks the NemoVideo backend.

``client`` (auth, sessions, envelopes, recovery) over ``transport`` (one HTTP exchange) and
``endpoints`` (the routes); ``envelope`` maps the backend's answers to errors; ``sse`` parses the
stream of one edit turn, ``turn`` reads it, ``scrub`` cleans the model's text and ``guispeak`` turns
its web-editor talk into actions; ``timeline`` describes drafts, ``timing`` writes their segment
timings; ``render`` submits and polls cloud renders; ``journal`` records a batch's progress.
"""
