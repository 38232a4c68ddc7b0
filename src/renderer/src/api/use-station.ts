/** React hooks over the LineSight API: live status and the latest inspection with its image. */
import { useEffect, useRef, useState } from 'react';
import type { LineSightApi } from '../../../shared/contract';
import type { Inspection } from '../../../shared/inspection';
import { LIVE_VIEW } from '../../../shared/live-view';
import type { StationStatus } from '../../../shared/status';
import type { ConnectionState } from './ws-api';

/**
 * The station's status: asked once, then kept current by the status event, and asked again whenever the
 * connection opens after it was not (the token was given, the connection came back), so an error from
 * before does not stand until the next status event.
 */
export function useStationStatus(api: LineSightApi, link: ConnectionState = 'open'): { status: StationStatus | null; error: string | null } {
  const [status, setStatus] = useState<StationStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const lastLink = useRef(link);
  useEffect(() => {
    let alive = true;
    api.getStatus({}).then(
      (s) => alive && setStatus(s),
      (e: Error) => alive && setError(e.message),
    );
    const off = api.on('status', (s) => {
      setStatus(s);
      setError(null);
    });
    return () => {
      alive = false;
      off();
    };
  }, [api]);
  useEffect(() => {
    const was = lastLink.current;
    lastLink.current = link;
    if (link !== 'open' || was === 'open') return;
    let alive = true;
    api.getStatus({}).then(
      (s) => {
        if (!alive) return;
        setStatus(s);
        setError(null);
      },
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [api, link]);
  return { status, error };
}

export interface LatestItem {
  readonly inspection: Inspection;
  /** The frame's JPEG, when it could still be fetched. */
  readonly jpeg: Uint8Array | null;
}

/**
 * The newest inspection and its image. Fetches at most one image at a time,
 * at most LIVE_VIEW.frameFetchesPerS a second, and always the newest, so a fast line
 * never piles up requests: nobody reads more than ten items a second from
 * two metres, and five screens must not cost the line its rate (docs/BACKGROUND.md,
 * bench station.clients).
 */
export function useLatestInspection(api: LineSightApi): LatestItem | null {
  const [latest, setLatest] = useState<LatestItem | null>(null);
  const wanted = useRef<Inspection | null>(null);
  const fetching = useRef(false);
  const lastFetchAt = useRef(-Infinity);

  useEffect(() => {
    let alive = true;
    const fetchNewest = async (): Promise<void> => {
      if (fetching.current) return;
      fetching.current = true;
      try {
        while (alive && wanted.current) {
          const wait = lastFetchAt.current + 1000 / LIVE_VIEW.frameFetchesPerS - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (!alive) return;
          const inspection = wanted.current;
          wanted.current = null;
          lastFetchAt.current = performance.now();
          const image = await api.getFrameImage({ frameId: inspection.frameId }).catch(() => null);
          if (!alive) return;
          setLatest({ inspection, jpeg: image?.jpeg ?? null });
        }
      } finally {
        fetching.current = false;
      }
    };
    const show = (inspection: Inspection): void => {
      wanted.current = inspection;
      void fetchNewest();
    };
    api.getRecentInspections({ limit: 1 }).then(
      (items) => items[0] && !wanted.current && show(items[0]),
      () => {},
    );
    const off = api.on('inspection', show);
    return () => {
      alive = false;
      off();
    };
  }, [api]);
  return latest;
}
