/** A JPEG's bytes shown as an image: an object URL made for it, and revoked when the bytes change or the image goes. */
import { useEffect, useRef } from 'react';

export function JpegImage({ jpeg, alt, className, testId }: { jpeg: Uint8Array; alt: string; className?: string; testId?: string }) {
  const img = useRef<HTMLImageElement>(null);
  useEffect(() => {
    const el = img.current;
    if (!el) return;
    const url = URL.createObjectURL(new Blob([jpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
    el.src = url;
    return () => URL.revokeObjectURL(url);
  }, [jpeg]);
  return <img ref={img} alt={alt} className={className} data-testid={testId} />;
}
