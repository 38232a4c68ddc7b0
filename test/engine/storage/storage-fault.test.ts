/** What a technician reads for each way the log can fail to be written (issue 11, item 3). */
import { describe, expect, it } from 'vitest';
import { isStorageError, isStorageFault, StorageFaultError, storageFaultOf } from '../../../src/engine/storage/storage-fault';

const sqlite = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('storage faults', () => {
  it('names the cause, the file and what to do', () => {
    const file = '/data/linesight.sqlite';
    expect(storageFaultOf(sqlite('SQLITE_FULL'), file)).toMatchObject({
      kind: 'full',
      message: expect.stringMatching(/^the disk holding the log is full: \/data\/linesight\.sqlite/),
    });
    expect(storageFaultOf(sqlite('SQLITE_FULL'), file, true).message).toMatch(/^the log file is full: .*storage\.maxDatabaseBytes/);
    expect(storageFaultOf(sqlite('SQLITE_IOERR_WRITE', 'disk I/O error'), file)).toMatchObject({
      kind: 'io',
      message: expect.stringMatching(/fails to write.*disk I\/O error/),
    });
    expect(storageFaultOf(sqlite('SQLITE_READONLY_DBMOVED'), file)).toMatchObject({ kind: 'read-only', message: expect.stringMatching(/is read-only/) });
    expect(storageFaultOf(sqlite('SQLITE_CORRUPT'), file)).toMatchObject({ kind: 'corrupt', message: expect.stringMatching(/is damaged.*moves it aside/) });
    expect(storageFaultOf(Object.assign(new Error('gone'), { code: 'ENOENT' }), file)).toMatchObject({
      kind: 'gone',
      message: expect.stringMatching(/was removed/),
    });
  });

  it('tells SQLite’s errors from the writer’s own', () => {
    expect(isStorageError(sqlite('SQLITE_FULL'))).toBe(true);
    expect(isStorageError(Object.assign(new Error('no such folder'), { code: 'ENOENT' }))).toBe(false);
    expect(isStorageError(new TypeError('bug'))).toBe(false);
  });

  it('counts only failures of the storage as faults: not a constraint, a bad value or a bug (one bad event must not raise the storage alarm)', () => {
    for (const code of [
      'SQLITE_FULL',
      'SQLITE_IOERR_WRITE',
      'SQLITE_READONLY',
      'SQLITE_CANTOPEN',
      'SQLITE_CORRUPT',
      'SQLITE_NOTADB',
      'SQLITE_BUSY',
      'SQLITE_LOCKED',
    ])
      expect(isStorageFault(sqlite(code)), code).toBe(true);
    expect(isStorageFault(new StorageFaultError({ kind: 'gone', code: 'GONE', message: 'removed' }))).toBe(true);
    for (const code of ['SQLITE_CONSTRAINT_NOTNULL', 'SQLITE_ERROR', 'SQLITE_MISMATCH', 'SQLITE_RANGE']) expect(isStorageFault(sqlite(code)), code).toBe(false);
    expect(isStorageFault(new TypeError('Do not know how to serialize a BigInt'))).toBe(false);
    expect(isStorageFault(Object.assign(new Error('no such folder'), { code: 'ENOENT' }))).toBe(false);
  });
});
