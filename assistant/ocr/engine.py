"""Chinese OCR, offline: rapidocr-onnxruntime (Apache-2.0) with the PP-OCRv4 models carried in its wheel,
run by OpenVINO's CPU runtime (Apache-2.0).

One engine per process, made on first use (loading the models costs ~1 s). Results are cached by the
image's sha256 in `cache_dir`, so re-adding or re-indexing a plan never reads a picture twice.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from pathlib import Path

from .models import OcrBox, OcrResult

# The text-direction classifier turns short upright boxes upside down ("91" read as "16" at 0.94):
# plans are printed upright, so it is off. Pages scanned sideways are not handled.
USE_CLS = False
THREADS = 2  # the machine's cores; more threads only queue
# Lines recognised one at a time, not six to a batch padded to the widest: ~20% faster on CPU (padding is
# computed too), and no padding for the model to read as trailing spaces. Text is the same in 171 of 174
# lines of the four tallest 专栏 pictures (two misreads mended, one made).
REC_BATCH = 1
# Over this many pixels a file is refused before decoding: a 200-megapixel "image" is a decompression
# bomb, and no plan picture or A4 page at 300 dpi (8.7 MP) comes near it.
MAX_PIXELS = 40_000_000
# OpenVINO computes in float32 here, as onnxruntime did. On CPUs with AMX its default is bfloat16: ~30%
# faster with the width steps below, but it changed 37 of 18,975 characters of the 13th outline's
# pictures, and a default that depends on the CPU would make the OCR cache hold different text for the
# same engine id.
PRECISION = "f32"
# A text line goes to the recogniser padded on the right to a multiple of this many pixels (at its
# 48-pixel height). OpenVINO prepares its kernels anew for each input width it has not seen and keeps
# them (~17 MB each): with every line its own width, the 13th outline's pictures took 1.8 GB and each
# new width ~20 ms. Steps of 64 px leave ~25 widths: 46 → 32 s for the 29 pictures, 1.8 → 1.0 GB.
# What it trades: up to 63 px of blank (≤ 8 CTC frames) read after the text; 8 of 18,975 characters
# differed. The detector is not padded: its output map must keep the picture's proportions.
REC_WIDTH_STEP = 64
ENGINE_ID = (f"rapidocr-onnxruntime-1.4.4/PP-OCRv4/openvino-{PRECISION}/cls={int(USE_CLS)}"
             f"/rec-batch={REC_BATCH}/rec-width-step={REC_WIDTH_STEP}")

_engine = None
load_seconds = 0.0  # what the last load of the engine took (bench/ocr.py reports it)
_lock = threading.Lock()  # an OpenVINO infer request must not be entered twice at once


class ImageError(ValueError):
    """The file is not a picture OCR can read; the message says why, in words staff understand."""


def image_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _OpenVinoSession:
    """Stands in for rapidocr's onnxruntime session: the same call on the same model file.

    OpenVINO's CPU kernels read the 13th outline's 29 pictures in half the time of onnxruntime 1.32
    (62 → 32 s, both in one process; the tallest 专栏 4.1 → 2.3 s); unpadded, the text was the same
    character for character. rapidocr 1.4.4 cannot be told to use another runtime (its own
    rapidocr-openvino pins an OpenVINO of 2024 that no longer imports this way), so its detector's and
    recogniser's sessions are replaced; the pipeline around them (resizing, box finding, CTC decoding)
    stays the library's.
    """

    def __init__(self, model_path: str, width_step: int = 0):
        import openvino

        core = openvino.Core()
        model = core.compile_model(core.read_model(model_path), "CPU",
                                   {"INFERENCE_NUM_THREADS": THREADS, "INFERENCE_PRECISION_HINT": PRECISION})
        self._width_step = width_step
        self._request = model.create_infer_request()

    def __call__(self, pixels):
        if self._width_step and pixels.shape[-1] % self._width_step:
            import numpy as np

            width = -(-pixels.shape[-1] // self._width_step) * self._width_step
            # Zeros are what rapidocr itself pads a line with.
            pixels = np.pad(pixels, ((0, 0), (0, 0), (0, 0), (0, width - pixels.shape[-1])))
        self._request.infer([pixels])
        return [self._request.get_output_tensor().data.copy()]  # the request reuses its buffer next call


def _get_engine():
    global _engine, load_seconds
    if _engine is None:
        t0 = time.perf_counter()
        from rapidocr_onnxruntime import RapidOCR

        engine = RapidOCR(intra_op_num_threads=THREADS, inter_op_num_threads=1, rec_batch_num=REC_BATCH)
        # rapidocr 1.4.4's attribute names (pinned); the OCR tests fail if they change.
        engine.text_det.infer = _OpenVinoSession(engine.text_det.infer.session._model_path)
        engine.text_rec.session = _OpenVinoSession(engine.text_rec.session.session._model_path, REC_WIDTH_STEP)
        _engine = engine
        load_seconds = round(time.perf_counter() - t0, 3)
    return _engine


def release() -> None:
    """Drops the engine: after a plan's pictures its kernels hold ~0.7 GB that a chat process would
    otherwise keep for good. The next picture loads it again (~1 s)."""
    global _engine
    with _lock:
        _engine = None


def decode(data: bytes, name: str = "image"):
    """bytes → RGB numpy array; ImageError for empty, corrupt, or oversized files."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ImageError(f"{name}: the file is empty (0 bytes)")
    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size  # read from the header, before any pixel is decoded
            if w * h > MAX_PIXELS:
                raise ImageError(f"{name}: {w}×{h} pixels is over the {MAX_PIXELS // 1_000_000} megapixel limit")
            if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info:
                # Transparent pixels are stored black (0,0,0,0) in most exported PNGs: converted
                # straight to RGB, black text on a transparent ground was all black and OCR read
                # nothing. Laid on white, as every viewer shows it.
                rgba = im.convert("RGBA")
                return np.asarray(Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB"))
            return np.asarray(im.convert("RGB"))
    except ImageError:
        raise
    except Image.DecompressionBombError:
        # PIL refuses over ~179 MP already in Image.open, before the size check above could say so:
        # without this the staff read "not a readable picture (DecompressionBombError)".
        raise ImageError(f"{name}: too many pixels, over the {MAX_PIXELS // 1_000_000} megapixel limit") from None
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise ImageError(f"{name}: not a readable picture ({type(e).__name__})") from None


def read_image(data: bytes, name: str = "image", cache_dir: Path | None = None) -> OcrResult:
    """OCR of one picture (file bytes), from the cache when it was read before."""
    digest = image_hash(data)
    cached = cache_dir / f"{digest}.json" if cache_dir else None
    if cached is not None and cached.is_file():
        try:
            result = OcrResult.model_validate_json(cached.read_text(encoding="utf-8"))
            if result.engine == ENGINE_ID and result.image == digest:  # else another picture's entry: damaged
                # `seconds` in the entry is what the first read cost; this call spent none. Returned
                # as stored, a plan added wholly from the cache reported minutes of OCR it never ran.
                return result.model_copy(update={"seconds": 0.0})
        except ValueError:
            pass  # a damaged cache entry is read again, not trusted
    pixels = decode(data, name)
    with _lock:
        ocr = _get_engine()  # loading (~1 s, once per plan: see release) is not this picture's time
        t0 = time.perf_counter()
        raw, _ = ocr(pixels, use_cls=USE_CLS)
    boxes = []
    for quad, text, conf in raw or []:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        boxes.append(OcrBox(text=text, box=(min(xs), min(ys), max(xs), max(ys)), conf=round(float(conf), 4)))
    result = OcrResult(image=digest, width=pixels.shape[1], height=pixels.shape[0], engine=ENGINE_ID,
                       boxes=boxes, seconds=round(time.perf_counter() - t0, 3))
    if cached is not None:
        from ..fsutil import atomic_write

        cache_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(cached, result.model_dump_json())
    return result
