"""Dub fitting, offline: move and time-stretch a new-language voice track, phrase by phrase, onto
the original speaker's phrasing, pitch preserved.

decode + voice activity (``activity``'s edge rules, applied as the track streams by ``finder``) ->
phrase matching (``match``) -> one time map for the whole
track (``plan``) -> one variable-ratio WSOLA pass (``wsola``), streamed from the decoder (``reader``)
to the encoder or muxer (``writer``). ``engine.fit_files`` runs it all.
"""
