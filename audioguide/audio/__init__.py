"""Audio: clips to one track at -16 LUFS, encoded as MP3 (and AAC for the audiobook), its ID3
tags, the whole-guide MP3 joined frame by frame, and the M4B audiobook.

- :mod:`.pcm`: PCM and loudness (silence, loudness, the one ffmpeg pass that encodes a track);
- :mod:`.mp3`: MP3 frames (what a track's MP3 holds) and the whole-guide join;
- :mod:`.tags`: the ID3 tags written and read back;
- :mod:`.m4b`: the M4B audiobook, joined from each track's AAC.

What the rest of audioguide uses is named here (with :mod:`audioguide.ffmpeg`'s decoding).
"""

from ..ffmpeg import BYTES_PER_MS, SAMPLE_RATE, decode, ffmpeg
from .m4b import AudiobookChapter, aac_starts, adts_frames, make_m4b, read_m4b_inputs
from .mp3 import join_mp3, mp3_stream, track_starts
from .pcm import (
    AAC_BITRATE,
    AAC_FRAME,
    AAC_RATE,
    BITRATE,
    CEILING_DBFS,
    TARGET_LUFS,
    encode_normalised,
    mp3_rate,
    pause,
    silence,
)
from .tags import Picture, Tags, read_inputs, write_tags

__all__ = [
    "AAC_BITRATE",
    "AAC_FRAME",
    "AAC_RATE",
    "BITRATE",
    "BYTES_PER_MS",
    "CEILING_DBFS",
    "SAMPLE_RATE",
    "TARGET_LUFS",
    "AudiobookChapter",
    "Picture",
    "Tags",
    "aac_starts",
    "adts_frames",
    "decode",
    "encode_normalised",
    "ffmpeg",
    "join_mp3",
    "make_m4b",
    "mp3_rate",
    "mp3_stream",
    "pause",
    "read_inputs",
    "read_m4b_inputs",
    "silence",
    "track_starts",
    "write_tags",
]
