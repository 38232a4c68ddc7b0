/** A captured item's picture (getCaptureImage), or its frame number while it loads or when its file is gone. */
import { useEffect, useState } from 'react';
import type { Capture } from '../../../shared/capture';
import type { LineSightApi } from '../../../shared/contract';
import { JpegImage } from './JpegImage';

export function CaptureImage({ api, capture }: { api: LineSightApi; capture: Pick<Capture, 'id' | 'frameId'> }) {
  const [jpeg, setJpeg] = useState<Uint8Array | null>(null);
  useEffect(() => {
    let alive = true;
    api.getCaptureImage({ id: capture.id }).then(
      (img) => alive && setJpeg(img?.jpeg ?? null),
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [api, capture.id]);
  return jpeg ? <JpegImage jpeg={jpeg} alt={`item ${capture.frameId}`} /> : <div className="frame-empty small">#{capture.frameId}</div>;
}
