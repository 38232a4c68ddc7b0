import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/engine/storage/database';
import { InspectionLog, type InspectionRow } from '../../../src/main/engine/storage/inspection-log';
import { useTempDirs } from '../../helpers/temp-dir';

const row = (frameId: number): InspectionRow => ({
  frameId,
  capturedAt: new Date(1_700_000_000_000 + frameId).toISOString(),
  origin: `test:${frameId}`,
  modelName: 'demo-cherry',
  modelVersion: '1.0.0',
  rejectScore: 0.8,
  scores: { cherry_clean: 0.2, cherry_pit: 0.8 },
  decision: 'pit',
  failSafeReason: null,
  decodeMs: 1,
  preprocessMs: 0.1,
  inferenceMs: 2,
  decisionMs: 0.01,
  totalMs: 3.2,
});

describe('InspectionLog', () => {
  const tempDir = useTempDirs();

  it('writes in batches of flushRows, not one transaction per row', () => {
    const db = openDatabase(join(tempDir(), 'log.sqlite'));
    const log = new InspectionLog(db, { flushIntervalMs: 60_000, flushRows: 10 });
    const count = (): number => (db.prepare('SELECT COUNT(*) AS n FROM inspections').get() as { n: number }).n;
    for (let i = 1; i <= 9; i++) log.append(row(i));
    expect(count()).toBe(0);
    expect(log.pendingRows).toBe(9);
    log.append(row(10));
    expect(count()).toBe(10);
    log.append(row(11));
    log.close();
    expect(count()).toBe(11);
    const stored = db.prepare('SELECT * FROM inspections WHERE frame_id = 11').get() as Record<string, unknown>;
    expect(stored['decision']).toBe('pit');
    expect(JSON.parse(stored['scores_json'] as string)).toEqual({ cherry_clean: 0.2, cherry_pit: 0.8 });
    expect(stored['model_version']).toBe('1.0.0');
    expect(stored['inference_ms']).toBe(2);
    db.close();
  });

  it('commits what waits after flushIntervalMs', async () => {
    const db = openDatabase(join(tempDir(), 'log.sqlite'));
    const log = new InspectionLog(db, { flushIntervalMs: 20, flushRows: 1000 });
    log.append(row(1));
    log.append(row(2));
    await new Promise((r) => setTimeout(r, 80));
    expect(log.rowsWritten).toBe(2);
    log.close();
    db.close();
  });

  it('keeps rows when a commit fails, and writes them once it can', () => {
    const db = openDatabase(join(tempDir(), 'log.sqlite'));
    const errors: string[] = [];
    const log = new InspectionLog(db, { flushIntervalMs: 60_000, flushRows: 1000, onError: (e) => errors.push(e.message) });
    log.append(row(1));
    db.exec(`CREATE TRIGGER no_writes BEFORE INSERT ON inspections BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    log.flush();
    expect(errors).toEqual(['disk says no']);
    expect(log.pendingRows).toBe(1);
    log.append(row(2));
    db.exec('DROP TRIGGER no_writes');
    log.close();
    expect((db.prepare('SELECT group_concat(frame_id) AS ids FROM inspections').get() as { ids: string }).ids).toBe('1,2');
    db.close();
  });
});
