"""Photo pipeline benchmark: ours vs the naive Pillow way, same photo, same run.

    .venv/bin/python bench/photos.py [--runs 7]

A 12-megapixel camera JPEG (4000x3000, EXIF orientation 6) is generated, then each
variant runs in a fresh process per run (so peak memory is that run's own):
- naive: open, full decode, EXIF transpose, thumbnail to 1280 and save, to 320 and save;
- ours:  chalicelib.adapters.imaging.make_derivatives (header checks, JPEG draft decode at
  reduced scale, transpose, both derivatives, metadata stripped).
Prints the median time of the pipeline itself and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_camera_jpeg(path: Path) -> int:
    from PIL import Image

    size = (4000, 3000)
    red = Image.linear_gradient("L").resize(size)
    green = Image.effect_noise(size, 40)
    blue = Image.radial_gradient("L").resize(size)
    photo = Image.merge("RGB", (red, green, blue))
    exif = photo.getexif()
    exif[0x0112] = 6
    exif[0x010F] = "BenchPhone"
    photo.save(path, "JPEG", quality=90, exif=exif)
    return path.stat().st_size


def naive(data: bytes) -> None:
    from PIL import Image, ImageOps

    image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image)
    display = image.copy()
    display.thumbnail((1280, 1280), Image.Resampling.LANCZOS)
    display.save(io.BytesIO(), "JPEG", quality=82)
    thumb = image.copy()
    thumb.thumbnail((320, 320), Image.Resampling.LANCZOS)
    thumb.save(io.BytesIO(), "JPEG", quality=78)


def ours(data: bytes) -> None:
    from chalicelib.adapters.imaging import make_derivatives

    make_derivatives(data)


def child(variant: str, path: str) -> None:
    import PIL.Image  # noqa: F401 - import cost is not what we measure

    sys.path.insert(0, str(ROOT))
    import chalicelib.adapters.imaging  # noqa: F401

    data = Path(path).read_bytes()
    work = {"naive": naive, "ours": ours}.get(variant)
    started = time.perf_counter()
    if work:
        work(data)
    elapsed = time.perf_counter() - started
    # The process's own high-water mark (wait4's ru_maxrss would also count the
    # parent's memory copied at fork, before exec).
    status = Path("/proc/self/status").read_text()
    hwm_kb = int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
    print(elapsed, hwm_kb / 1024)


def run_once(variant: str, path: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seconds, megabytes = out.split()
    return float(seconds), float(megabytes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "camera.jpg"
        size = make_camera_jpeg(path)
        results = {}
        for variant in ("idle", "naive", "ours"):
            runs = [run_once(variant, path) for _ in range(args.runs)]
            results[variant] = (
                statistics.median(t for t, _ in runs),
                max(m for _, m in runs),
            )
    print(f"12 MP camera JPEG (4000x3000, {size / 1e6:.1f} MB), median of {args.runs} runs")
    print(f"{'pipeline':<34} {'time (ms)':>10} {'peak RSS (MB)':>14}")
    rows = [
        ("interpreter + Pillow, no work", "idle"),
        ("naive: full decode, thumbnail", "naive"),
        ("ours: draft decode, derivatives", "ours"),
    ]
    for label, key in rows:
        t, m = results[key]
        print(f"{label:<34} {t * 1000:>10.0f} {m:>14.0f}")
    speedup = results["naive"][0] / results["ours"][0]
    print(
        f"speed-up vs naive: {speedup:.1f}x (target >= 2x); peak under 300 MB: "
        f"{'yes' if results['ours'][1] < 300 else 'NO'}"
    )


if __name__ == "__main__":
    main()
