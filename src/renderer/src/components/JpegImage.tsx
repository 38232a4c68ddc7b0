/**
 * A JPEG's bytes shown as an image. A new object URL is set before the old
 * one is revoked (revoking an image's URL while it still loads is a failed
 * load in the console, net::ERR_FILE_NOT_FOUND), and the last one is revoked
 * when the image goes — after its load is called off, for the same reason:
 * a page left while its pictures load (a tab change) must not log errors.
 */
import { useEffect, useRef } from 'react';

export function JpegImage({
  jpeg,
  alt,
  className,
  testId,
  onLoad,
}: {
  jpeg: Uint8Array;
  alt: string;
  className?: string;
  testId?: string;
  /** Told once the picture is decoded (its natural size is known then). */
  onLoad?: (img: HTMLImageElement) => void;
}) {
  const img = useRef<HTMLImageElement>(null);
  const shown = useRef<string | null>(null);
  useEffect(() => {
    const el = img.current;
    if (!el) return;
    const url = URL.createObjectURL(new Blob([jpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
    el.src = url;
    const previous = shown.current;
    shown.current = url;
    if (previous) URL.revokeObjectURL(previous);
  }, [jpeg]);
  useEffect(() => {
    // The element as it is now: React lets go of the ref before this cleanup runs.
    const el = img.current;
    return () => {
      el?.removeAttribute('src');
      if (shown.current) URL.revokeObjectURL(shown.current);
    };
  }, []);
  return <img ref={img} alt={alt} className={className} data-testid={testId} onLoad={onLoad ? (e) => onLoad(e.currentTarget) : undefined} />;
}
