"""PCM and loudness: silence, loudness, and the one ffmpeg pass that brings a track to -16 LUFS
and encodes it as MP3 (and as AAC for the audiobook).

Everything runs on the ffmpeg binary that ships in the imageio-ffmpeg wheel
(:mod:`audioguide.ffmpeg`), on raw 16-bit mono PCM. MP3s are at the voices' own
rate (22.05 kHz for espeak-ng and Piper, 24 kHz for gTTS: MPEG-2 Layer III), so nothing is
resampled but a track that mixes voices of different rates: ffmpeg resamples each stretch to
the highest rate's MP3 rate in the pass that encodes (a filtered resampler, not interpolation).

Loudness follows the spoken-podcast targets: -16 LUFS integrated (ITU-R BS.1770, measured in
this process by libloudness, and checked by ffmpeg's ebur128 in the tests), and a limiter whose
ceiling leaves the decoded MP3's true peak below -1.5 dBTP (the tests measure both with ffmpeg's
ebur128). Each track is encoded in one ffmpeg pass.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..clip import Clip
from ..ffmpeg import ffmpeg, run

BITRATE = "64k"
TARGET_LUFS = -16.0
CEILING_DBFS = -2.5  # true-peak ceiling of the limiter; MP3's overshoot stays under -1.5 dBTP
# The limiter sees the signal at twice its rate, so it holds the peaks between samples too: a
# Kokoro track limited at its own rate came back at -1.4 dBTP, at twice it -2.3 (four times:
# -2.6, for 60% more encoding time where twice costs 17%).
OVERSAMPLE = 2
ENCODER_LOSS_LU = 0.5  # 64 kbps MP3 measures about this much quieter than its source

# MPEG-1, 2 and 2.5 Layer III sample rates (the frame header's table is in mp3.py).
MP3_RATES = (8_000, 11_025, 12_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000)

AAC_FRAME = 1024  # samples per AAC frame
# The voices speak at 22.05 kHz (espeak-ng, Piper) or 24 kHz (gTTS), so AAC at 22.05 kHz keeps
# what they say, and costs 40% less to encode than at 44.1 kHz (111 ms of CPU for 25 s of speech
# against 182, where the MP3 takes 92): the audiobook was most of a cold build's encoding.
AAC_RATE = 22_050
# ffmpeg's default AAC coder (twoloop) overshoots on this speech: limited to -2.5 dBFS, it came
# back at +0.4 dBTP, clipping. Its "fast" coder stays under -1.5 dBTP but spends more than it is
# asked for: a nominal 48k gives about 69 kbps on the shipped guide (64k gave 90), about as many
# bytes as the 64 kbps MP3s.
AAC_BITRATE = "48k"
ADTS_OUT = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", AAC_BITRATE, "-ar", str(AAC_RATE),
            "-ac", "1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "adts"]  # fmt: skip


def mp3_rate(rate: int) -> int:
    """The MP3 sample rate for speech at ``rate``: the same, where MP3 has it (22.05 kHz for
    espeak-ng and Piper, 24 kHz for gTTS), else the next one up.

    >>> mp3_rate(22_050), mp3_rate(20_000), mp3_rate(96_000)
    (22050, 22050, 48000)
    """
    return next((mp3 for mp3 in MP3_RATES if mp3 >= rate), MP3_RATES[-1])


def mp3_out(rate: int) -> list[str]:
    """ffmpeg's output options for a track's MP3 at ``rate``."""
    # LAME's quality 7 is its fast mode: twice as fast as the default, and mono speech at
    # 64 kbps has little for the slower psychoacoustic search to gain.
    return ["-c:a", "libmp3lame", "-b:a", BITRATE, "-compression_level", "7", "-ar", str(rate),
            "-ac", "1", "-map_metadata", "-1", "-id3v2_version", "0", "-write_xing", "1",
            "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "mp3"]  # fmt: skip


def silence(ms: int, rate: int) -> bytes:
    """``ms`` of silence as PCM at ``rate``.

    >>> len(silence(1000, 22_050)), set(silence(1, 8_000))
    (44100, {0})
    """
    return bytes(2 * round(ms * rate / 1000))


def pause(ms: int, rate: int) -> Clip:
    """``ms`` of silence at ``rate``, as a piece of a track (give it its neighbour's rate)."""
    return Clip(silence(ms, rate), rate)


def integrated_loudness(pcm: bytes, rate: int) -> float:
    """The integrated loudness of 16-bit mono PCM in LUFS (ITU-R BS.1770), measured in this
    process by libloudness: about 8 ms for 25 s of speech, where an ffmpeg pass takes 60."""
    import loudness  # with numpy: only the workers that encode need them
    import numpy

    samples = numpy.frombuffer(pcm, dtype="<i2").astype(numpy.float32) / 32768
    if len(samples) < rate * 0.4:  # shorter than one gating block
        return float("-inf")
    return float(loudness.integrated_loudness(samples, rate))


def _runs(pieces: Sequence[Clip]) -> list[Clip]:
    """``pieces`` joined where neighbours share a rate: one stretch per rate change."""
    runs: list[tuple[int, list[bytes]]] = []
    for piece in pieces:
        if runs and runs[-1][0] == piece.sample_rate:
            runs[-1][1].append(piece.pcm)
        else:
            runs.append((piece.sample_rate, [piece.pcm]))
    return [Clip(b"".join(pcm), rate) for rate, pcm in runs]


def _loudness(runs: list[Clip]) -> float:
    """The loudness of ``runs`` played one after another. Stretches at other rates than the
    highest are measured on a linearly interpolated copy: loudness barely depends on how it is
    resampled, and what is encoded is ffmpeg's resampling."""
    rate = max(run.sample_rate for run in runs)
    if len(runs) == 1:
        return integrated_loudness(runs[0].pcm, rate)
    import numpy

    parts = []
    for piece in runs:
        samples = numpy.frombuffer(piece.pcm, dtype="<i2").astype(numpy.float64)
        if piece.sample_rate != rate:
            at = numpy.arange(round(len(samples) * rate / piece.sample_rate)) / rate
            samples = numpy.interp(at, numpy.arange(len(samples)) / piece.sample_rate, samples)
        parts.append(samples)
    pcm = numpy.round(numpy.concatenate(parts)).astype("<i2").tobytes()
    return integrated_loudness(pcm, rate)


def encode_normalised(pieces: Sequence[Clip], path: Path, aac: Path | None = None) -> None:
    """Encode speech (``pieces`` one after another, each at its own rate) as MP3 (``path``, at
    the highest rate's :func:`mp3_rate`) and AAC (``aac``, ADTS) if given, at -16 LUFS under a
    peak limiter, in one ffmpeg pass, which also resamples stretches at other rates.

    The gain comes from the loudness measured here, before encoding. Limiting the peaks lowers
    loudness, so the pass also hands back the limited signal, which is measured too; a miss of
    more than 0.5 LU (rare) is encoded again with a corrected gain. MP3 encoding then lowers
    loudness by a steady ~0.5 LU, which is allowed for up front. Both encoders take the same
    limited audio in the same ffmpeg run, so the audiobook's AAC is never made from the MP3.
    """
    runs = _runs(pieces)
    if len(runs) == 1:  # one rate, through the pipe
        _normalise(runs, [(runs[0].sample_rate, "pipe:0")], runs[0].pcm, path, aac)
        return
    with tempfile.TemporaryDirectory(prefix="audioguide-pcm-") as tmp:  # a stretch per rate
        sources = []
        for n, piece in enumerate(runs):
            (Path(tmp) / f"{n}.pcm").write_bytes(piece.pcm)
            sources.append((piece.sample_rate, str(Path(tmp) / f"{n}.pcm")))
        _normalise(runs, sources, None, path, aac)


def _normalise(
    runs: list[Clip],
    sources: list[tuple[int, str]],
    data: bytes | None,
    path: Path,
    aac: Path | None,
) -> None:
    """:func:`encode_normalised` of ``runs``, given to ffmpeg as ``sources`` (rate, where) with
    ``data`` on its standard input."""
    loudness = _loudness(runs)
    rate_out = mp3_rate(max(run.sample_rate for run in runs))
    if loudness < -60:  # silence or nearly: nothing to bring up
        _encode(sources, data, rate_out, None, path, aac)
        return
    # The limiter eats part of any added gain (about 40% for synthetic speech), so each pass
    # encodes with the gain expected to land on target and measures what it got; a miss is
    # corrected along the slope measured between passes (secant steps).
    target = TARGET_LUFS + ENCODER_LOSS_LU
    gain, slope, last = 0.0, 0.6, (0.0, loudness)
    for _ in range(4):
        gain = last[0] + (target - last[1]) / slope
        reached = integrated_loudness(_encode(sources, data, rate_out, gain, path, aac), rate_out)
        if abs(reached - target) <= 0.5:
            return
        slope = max(0.1, min(1.0, (reached - last[1]) / (gain - last[0])))
        last = (gain, reached)


def _limiter(gain_db: float, rate: int) -> str:
    """The ffmpeg filters for a gain followed by the peak limiter, at ``rate``. The limiter
    works on the signal at :data:`OVERSAMPLE` times its rate, so that it also holds the peaks
    between samples (the true peak)."""
    ceiling = 10 ** (CEILING_DBFS / 20)
    gain_db = max(-40.0, min(40.0, gain_db))
    return (
        f"volume={gain_db:.2f}dB,aresample={rate * OVERSAMPLE},"
        f"alimiter=limit={ceiling:.4f}:level=false:latency=true:attack=5:release=60,"
        f"aresample={rate}"
    )


def _encode(
    sources: list[tuple[int, str]],
    data: bytes | None,
    out: int,
    gain_db: float | None,
    path: Path,
    aac: Path | None,
) -> bytes:
    """Encode ``sources`` (PCM at their rates, one after another) to ``path`` (MP3, at ``out``)
    and ``aac`` (ADTS, at :data:`AAC_RATE`) if given, with a gain and the limiter unless
    ``gain_db`` is None; return the PCM that was encoded as MP3 (empty without a gain)."""
    inputs = [arg for rate, where in sources
              for arg in ("-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", where)]  # fmt: skip
    also = [*ADTS_OUT, str(aac)] if aac else []
    start = [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", *inputs]
    if len(sources) == 1:
        resample = f"aresample={out}," if sources[0][0] != out else ""
        joined = f"[0:a]{resample}"
        if gain_db is None:
            run([*start, *mp3_out(out), str(path), *also], data, making=path)
            return b""
    else:  # each stretch resampled to the MP3's rate, then one after another
        each = "".join(f"[{n}:a]aresample={out}[r{n}];" for n in range(len(sources)))
        listed = "".join(f"[r{n}]" for n in range(len(sources)))
        joined = f"{each}{listed}concat=n={len(sources)}:v=0:a=1,"
    pcm = gain_db is not None
    outputs = ["[out]", *(["[pcm]"] if pcm else []), *(["[aac]"] if aac else [])]
    limited = f"{_limiter(gain_db, out)}," if gain_db is not None else ""
    graph = f"{joined}{limited}asplit={len(outputs)}{''.join(outputs)}"
    result = run(
        [*start, "-filter_complex", graph, "-map", "[out]", *mp3_out(out), str(path),
         *(["-map", "[pcm]", "-f", "s16le", "-ac", "1", "-ar", str(out), "pipe:1"] if pcm else []),
         *(["-map", "[aac]", *also] if aac else [])],
        data,
        making=path,
    )  # fmt: skip
    return result.stdout if pcm else b""
