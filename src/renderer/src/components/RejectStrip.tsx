/**
 * The latest rejects as thumbnails, newest on the left, so an operator sees
 * what the line is throwing out; one tap shows it large with its scores.
 */
import { useEffect, useState } from 'react';
import type { LineSightApi } from '../../../shared/contract';
import type { Inspection } from '../../../shared/inspection';
import { LIVE_VIEW } from '../../../shared/live-view';
import type { StationStatus } from '../../../shared/status';
import { DecisionBadge } from './DecisionBadge';
import { Modal } from './Modal';
import { ScoreBars } from './ScoreBars';
import { JpegImage } from './JpegImage';
import { LabelButtons } from './LabelButtons';

function Thumb({ api, inspection, onOpen }: { api: LineSightApi; inspection: Inspection; onOpen: () => void }) {
  const [jpeg, setJpeg] = useState<Uint8Array | null>(null);
  useEffect(() => {
    let alive = true;
    api.getFrameImage({ frameId: inspection.frameId }).then(
      (img) => alive && setJpeg(img?.jpeg ?? null),
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [api, inspection.frameId]);
  return (
    <button type="button" className="reject-thumb" onClick={onOpen} data-testid="reject-thumb" aria-label={`reject, frame ${inspection.frameId}`}>
      {jpeg ? <JpegImage jpeg={jpeg} alt="" /> : <span className="muted">#{inspection.frameId}</span>}
      <span className="reject-time">{new Date(inspection.capturedAt).toLocaleTimeString()}</span>
    </button>
  );
}

function Enlarged({ api, inspection, status, onClose }: { api: LineSightApi; inspection: Inspection; status: StationStatus; onClose: () => void }) {
  const [jpeg, setJpeg] = useState<Uint8Array | null>(null);
  useEffect(() => {
    api.getFrameImage({ frameId: inspection.frameId }).then(
      (img) => setJpeg(img?.jpeg ?? null),
      () => {},
    );
  }, [api, inspection.frameId]);
  return (
    <Modal title={`Frame ${inspection.frameId}`} onClose={onClose} wide testId="reject-enlarged">
      <div className="enlarged">
        {jpeg ? (
          <JpegImage jpeg={jpeg} alt={`frame ${inspection.frameId}`} className="enlarged-image" />
        ) : (
          <div className="frame-empty">image no longer in memory</div>
        )}
        <div>
          <DecisionBadge decision={inspection.decision} failSafeReason={inspection.failSafeReason} />
          <ScoreBars scores={inspection.scores} rejectLabel={status.model.rejectLabel} thresholds={status.thresholds} />
          <div className="item-meta">
            {new Date(inspection.capturedAt).toLocaleString()} · {inspection.origin} · model {inspection.modelVersion}
          </div>
          {jpeg && <LabelButtons api={api} target={{ kind: 'frame', frameId: inspection.frameId }} />}
        </div>
      </div>
    </Modal>
  );
}

export function RejectStrip({ api, status }: { api: LineSightApi; status: StationStatus }) {
  const [rejects, setRejects] = useState<Inspection[]>([]);
  const [open, setOpen] = useState<Inspection | null>(null);
  useEffect(() => {
    let alive = true;
    api.getRecentRejects({ limit: LIVE_VIEW.strip }).then(
      (list) => alive && setRejects((now) => (now.length ? now : list)),
      () => {},
    );
    let arrived: Inspection[] = [];
    const off = api.on('inspection', (i) => {
      if (i.decision === 'pit') arrived.push(i);
    });
    const flush = setInterval(() => {
      if (arrived.length === 0) return;
      const newest = arrived.reverse();
      arrived = [];
      setRejects((now) => [...newest, ...now].slice(0, LIVE_VIEW.strip));
    }, LIVE_VIEW.stripUpdateMs);
    return () => {
      alive = false;
      off();
      clearInterval(flush);
    };
  }, [api]);
  return (
    <section className="reject-strip" aria-label="latest rejects">
      <div className="count-title">Latest rejects</div>
      <div className="reject-thumbs" data-testid="reject-strip">
        {rejects.length === 0 ? (
          <span className="muted">no rejects yet</span>
        ) : (
          rejects.map((r) => <Thumb key={r.frameId} api={api} inspection={r} onOpen={() => setOpen(r)} />)
        )}
      </div>
      {open && <Enlarged api={api} inspection={open} status={status} onClose={() => setOpen(null)} />}
    </section>
  );
}
