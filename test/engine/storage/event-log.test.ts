/**
 * The event log on a log that cannot be written (issue 11, item 3): append()
 * never throws (it is called from timers), events wait in memory up to a
 * bound and the rest are counted, and once the file can grow again they are
 * written in order, with one more event saying how many were lost.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDatabaseCap } from '../../../src/engine/storage/database-cap';
import { openDatabase } from '../../../src/engine/storage/database';
import { EventLog } from '../../../src/engine/storage/event-log';
import { MainWrites } from '../../../src/engine/storage/main-writes';
import { StorageUnavailableError } from '../../../src/engine/storage/storage-fault';
import type { WriteEpisode } from '../../../src/engine/storage/write-health';
import { useTempDirs } from '../../helpers/temp-dir';
import { fillToCap } from './fill-to-cap';
import { waitFor } from '../../helpers/wait';

describe('EventLog and MainWrites on a full log', () => {
  const tempDir = useTempDirs();

  it('keeps events in memory up to its bound, counts the rest, and writes them in order once there is room', async () => {
    const path = join(tempDir(), 'log.sqlite');
    const db = openDatabase(path);
    const recovered: WriteEpisode[] = [];
    const writes = new MainWrites(db, { path, onRecovered: (e) => recovered.push(e) });
    const events = new EventLog(db, writes);
    const filler = db.prepare("INSERT INTO events (at, kind, severity, message) VALUES ('t', 'filler', 'info', ?)");
    fillToCap(db, (bytes) => filler.run('f'.repeat(bytes)));
    const message = (i: number): string => `event ${i} ${'x'.repeat(5000)}`;
    for (let i = 1; i <= 1005; i++) events.append({ at: new Date(), kind: 'test', severity: 'info', message: message(i) });
    expect(events.status()).toEqual({ waiting: 1000, notRecorded: 5, rejected: 0 });
    expect(writes.snapshot()).toMatchObject({ state: 'failing', fault: { kind: 'full' } });

    applyDatabaseCap(db, null);
    await waitFor('the events written', () => events.status().waiting === 0, 5000);
    const rows = db.prepare("SELECT message FROM events WHERE kind != 'filler' ORDER BY seq").all() as { message: string }[];
    expect(rows).toHaveLength(1001);
    expect(rows.slice(0, 1000).map((r) => r.message.split(' ', 2).join(' '))).toEqual(Array.from({ length: 1000 }, (_, i) => `event ${i + 1}`));
    expect(rows[1000]!.message).toMatch(/^5 event\(s\) could not be recorded/);
    expect(recovered).toHaveLength(1);
    expect(writes.snapshot().state).toBe('ok');
    events.close();
    db.close();
  });

  it('one bad event is dropped or written without its data, counted and reported: no storage alarm, and the events after it are written', async () => {
    const path = join(tempDir(), 'log.sqlite');
    const db = openDatabase(path);
    const writes = new MainWrites(db, { path });
    const rejected: string[] = [];
    const events = new EventLog(db, writes, (e, reason) => rejected.push(`${String(e.message)}: ${reason}`));
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    events.append({ at: new Date(), kind: 'test', severity: 'info', message: 'first' });
    events.append({ at: new Date(), kind: 'test', severity: 'warning', message: 'with a BigInt', data: { n: 10n } });
    events.append({ at: new Date(), kind: 'test', severity: 'warning', message: 'with a cycle', data: cycle });
    // A message SQLite cannot bind: the insert itself throws a TypeError, not a storage error.
    events.append({ at: new Date(), kind: 'test', severity: 'info', message: Symbol('not text') as unknown as string });
    events.append({ at: new Date(), kind: 'test', severity: 'info', message: 'after them', data: { ok: true } });
    expect(events.status()).toEqual({ waiting: 0, notRecorded: 0, rejected: 3 });
    expect(writes.snapshot()).toMatchObject({ state: 'ok', failures: 0 });
    const rows = db.prepare('SELECT message, data_json FROM events ORDER BY seq').all() as { message: string; data_json: string | null }[];
    expect(rows.map((r) => r.message)).toEqual(['first', 'with a BigInt', 'with a cycle', 'after them']);
    expect(JSON.parse(rows[1]!.data_json!)).toEqual({ dataNotRecorded: expect.stringMatching(/BigInt/) });
    expect(JSON.parse(rows[2]!.data_json!)).toEqual({ dataNotRecorded: expect.stringMatching(/circular/i) });
    expect(JSON.parse(rows[3]!.data_json!)).toEqual({ ok: true });
    expect(rejected).toEqual([
      expect.stringMatching(/^with a BigInt: its data cannot be recorded \(.*BigInt.*\); the event is written without it$/),
      expect.stringMatching(/^with a cycle: its data cannot be recorded/),
      expect.stringMatching(/it cannot be recorded: .*bind/i),
    ]);

    // The same while the file is full: the bad one does not hold the others back once there is room, and the alarm is the storage's own.
    const filler = db.prepare("INSERT INTO events (at, kind, severity, message) VALUES ('t', 'filler', 'info', ?)");
    fillToCap(db, (bytes) => filler.run('f'.repeat(bytes)));
    events.append({ at: new Date(), kind: 'test', severity: 'info', message: `waits ${'x'.repeat(5000)}` });
    events.append({ at: new Date(), kind: 'test', severity: 'info', message: Symbol('still not text') as unknown as string });
    events.append({ at: new Date(), kind: 'test', severity: 'info', message: `waits too ${'x'.repeat(5000)}` });
    expect(events.status()).toMatchObject({ waiting: 3, rejected: 3 });
    expect(writes.snapshot()).toMatchObject({ state: 'failing', fault: { kind: 'full' } });
    applyDatabaseCap(db, null);
    await waitFor('the events written', () => events.status().waiting === 0, 5000);
    expect(events.status()).toEqual({ waiting: 0, notRecorded: 0, rejected: 4 });
    const last = db.prepare("SELECT message FROM events WHERE kind = 'test' ORDER BY seq DESC LIMIT 2").all() as { message: string }[];
    expect(last.map((r) => r.message.slice(0, 9))).toEqual(['waits too', 'waits xxx']);
    expect(writes.snapshot().state).toBe('ok');
    events.close();
    db.close();
  });

  it('refuses a technician’s change whole with the reason, and passes other errors unchanged', () => {
    const path = join(tempDir(), 'log.sqlite');
    const db = openDatabase(path);
    const refused: string[] = [];
    const writes = new MainWrites(db, { path, onRefused: (what) => refused.push(what) });
    applyDatabaseCap(db, 1);
    const insert = db.prepare("INSERT INTO settings (key, value_json, updated_at, updated_by) VALUES (?, ?, 't', 'a')");
    const change = (): void =>
      writes.run('the thresholds change', () => {
        insert.run('small', '{}');
        insert.run('large', JSON.stringify('y'.repeat(20_000)));
      });
    expect(change).toThrow(StorageUnavailableError);
    expect(change).toThrow(/^the thresholds change was not applied: the log file is full: .*log\.sqlite reached its cap/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM settings').get()).toEqual({ n: 0 }); // not half applied
    expect(refused).toEqual(['the thresholds change', 'the thresholds change']);
    expect(() => writes.run('a bad change', () => insert.run('k', null))).toThrow(/NOT NULL constraint failed/);
    db.close();
  });
});

describe('EventLog filtered by kind (issue 12)', () => {
  const tempDir = useTempDirs();

  it('finds the sign-ins behind a thousand health events, newest first, and every kind when none is named', async () => {
    const path = join(tempDir(), 'log.sqlite');
    const db = openDatabase(path);
    const events = new EventLog(db, new MainWrites(db, { path }));
    events.append({ at: new Date(), kind: 'auth', severity: 'info', message: 'tech-anna signed in' });
    events.append({ at: new Date(), kind: 'auth', severity: 'warning', message: 'tech-anna locked out for 60 s' });
    for (let i = 0; i < 1000; i++) events.append({ at: new Date(), kind: i % 2 ? 'health' : 'demo', severity: 'info', message: `chatter ${i}` });
    await waitFor('the events written', () => events.status().waiting === 0, 5000);

    expect(events.recent(5, ['auth']).map((e) => e.message)).toEqual(['tech-anna locked out for 60 s', 'tech-anna signed in']);
    expect(events.recent(3, ['auth', 'demo']).map((e) => e.kind)).toEqual(['demo', 'demo', 'demo']);
    expect(events.recent(2).map((e) => e.message)).toEqual(['chatter 999', 'chatter 998']);
    expect(events.recent(5, ['no-such-kind'])).toEqual([]);
    // The index the filter reads (migration 11).
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT seq FROM events WHERE kind IN ('auth') ORDER BY seq DESC LIMIT 5").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/events_by_kind/);
    events.close();
    db.close();
  });
});
