"""The libjpeg-turbo peer of decode.floor (issue 18): OpenCV (Debian's python3-opencv) decodes the same JPEG frames
and resizes them to the model's input, as the engine's preprocessing does; prints one JSON line of per-frame times.

Usage: python3 opencv_decode.py DIR WIDTH HEIGHT ROUNDS
Two ways, each timed on every frame: imdecode at full size then resize (INTER_LINEAR), and reduced-size DCT decoding
(IMREAD_REDUCED_COLOR_2: half size straight out of the decoder) then resize, used when the input is at most half the
frame. One thread, as the engine's decode of one frame uses one."""
import json
import os
import sys
import time

import cv2
import numpy as np

cv2.setNumThreads(1)


def main() -> None:
    folder, width, height, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    frames = [np.fromfile(os.path.join(folder, name), dtype=np.uint8) for name in sorted(os.listdir(folder)) if name.endswith('.jpg')]
    full, reduced = [], []
    for _ in range(rounds):
        for data in frames:
            t0 = time.perf_counter()
            img = cv2.imdecode(data, cv2.IMREAD_COLOR)
            out = cv2.resize(img, (width, height), interpolation=cv2.INTER_LINEAR)
            t1 = time.perf_counter()
            small = cv2.imdecode(data, cv2.IMREAD_REDUCED_COLOR_2)
            out2 = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
            t2 = time.perf_counter()
            assert out.shape == (height, width, 3) and out2.shape == (height, width, 3)
            full.append((t1 - t0) * 1000)
            reduced.append((t2 - t1) * 1000)
    print(json.dumps({'opencv': cv2.__version__, 'full_ms': full, 'reduced_ms': reduced}))


if __name__ == '__main__':
    main()
