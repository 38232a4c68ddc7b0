/**
 * Every reject-on-doubt rule of the line, table by table (issue 13): the
 * verdict is pure and the clock is passed in, so each rule is its inputs and
 * the verdict they must give. The station, the benchmark panel's scenarios
 * and the CLI bench's engine figures all take their verdicts from here.
 */
import { describe, expect, it } from 'vitest';
import { admit, deadlineReason, verdictOf, type Answer, type VerdictContext } from '../../../src/engine/line/verdict';

const RULES = { staleMs: 500, deadlineMs: 150 };
const T = 1_000_000;

describe('admit: before the pipeline', () => {
  it.each([
    ['a fresh frame is judged, with the time left to its deadline', { capturedAt: T - 20 }, null, { kind: 'judge', deadlineInMs: 130 }],
    ['a frame past its deadline but not stale is judged at once (the deadline fires now)', { capturedAt: T - 300 }, null, { kind: 'judge', deadlineInMs: 0 }],
    ['a frame at the stale limit is still judged', { capturedAt: T - 500 }, null, { kind: 'judge', deadlineInMs: 0 }],
    [
      'a stale frame is rejected unjudged',
      { capturedAt: T - 501 },
      null,
      { kind: 'reject', stage: 'stale', reason: 'frame is 501 ms old (over 500 ms): not judged' },
    ],
    [
      'a picture the source could not give is rejected with its reason',
      { capturedAt: T, unreadable: 'empty file' },
      null,
      { kind: 'reject', stage: 'source', reason: 'empty file' },
    ],
    [
      'a paused line rejects everything, before anything else',
      { capturedAt: T - 10_000, unreadable: 'empty file' },
      'benchmark by tech',
      { kind: 'reject', stage: 'paused', reason: 'benchmark by tech' },
    ],
  ] as const)('%s', (_name, item, paused, expected) => {
    expect(admit(item, paused, RULES, T)).toEqual(expected);
  });

  it('names the deadline the timer enforces', () => {
    expect(deadlineReason(RULES)).toBe('no decision within 150 ms of capture');
  });
});

describe('verdictOf: once the pipeline answered', () => {
  const ctx: VerdictContext = { thresholds: { pit: 0.75, maybe: 0.5 }, capturedAt: T - 40, now: T, deadlineMs: 150, storageVeto: null };
  const scored = (pit: number): Answer => ({ kind: 'scored', probabilities: [1 - pit, pit], labels: ['clean', 'pit'], rejectIndex: 1 });

  it.each([
    ['below maybe: clean', scored(0.2), ctx, { decision: 'clean', failSafeReason: null, counts: 'classified' }],
    ['at maybe: maybe', scored(0.5), ctx, { decision: 'maybe', failSafeReason: null, counts: 'classified' }],
    ['at pit: pit', scored(0.75), ctx, { decision: 'pit', failSafeReason: null, counts: 'classified' }],
    ['an invalid score cannot release an item', scored(Number.NaN), ctx, { decision: 'pit', failSafeReason: 'invalid score NaN', counts: 'classified' }],
    ['a score over 1 neither', scored(1.5), ctx, { decision: 'pit', failSafeReason: 'invalid score 1.5', counts: 'classified' }],
    [
      'a clean verdict after the deadline is a reject',
      scored(0.1),
      { ...ctx, capturedAt: T - 162 },
      { decision: 'pit', failSafeReason: 'late: decided 12 ms after the deadline', counts: 'classified' },
    ],
    ['exactly at the deadline is in time', scored(0.1), { ...ctx, capturedAt: T - 150 }, { decision: 'clean', failSafeReason: null, counts: 'classified' }],
    [
      'no deadline (the benchmark) is never late',
      scored(0.1),
      { ...ctx, capturedAt: 0, deadlineMs: Number.POSITIVE_INFINITY },
      { decision: 'clean', failSafeReason: null },
    ],
    [
      'a log that cannot record it vetoes a release',
      scored(0.1),
      { ...ctx, storageVeto: 'decisions cannot be recorded: disk full' },
      { decision: 'pit', failSafeReason: 'decisions cannot be recorded: disk full' },
    ],
    [
      'the veto leaves an earlier reason in place',
      scored(0.1),
      { ...ctx, capturedAt: T - 200, storageVeto: 'disk full' },
      { decision: 'pit', failSafeReason: 'late: decided 50 ms after the deadline' },
    ],
    [
      'a failed decode is an error and a reject',
      { kind: 'failed', stage: 'decode', reason: 'not an image' },
      ctx,
      { decision: 'pit', failSafeReason: 'decode failed: not an image', rejectScore: null, scores: null, counts: 'error' },
    ],
    [
      'a failed inference likewise',
      { kind: 'failed', stage: 'inference', reason: 'worker died' },
      ctx,
      { decision: 'pit', failSafeReason: 'inference failed: worker died', counts: 'error' },
    ],
    [
      'the deadline timer',
      { kind: 'failed', stage: 'deadline', reason: 'no decision within 150 ms of capture' },
      ctx,
      { decision: 'pit', failSafeReason: 'deadline failed: no decision within 150 ms of capture', counts: 'error' },
    ],
    [
      'a drop from a full queue is a reject, not an error',
      { kind: 'failed', stage: 'queue', reason: 'dropped' },
      ctx,
      { decision: 'pit', failSafeReason: 'queue failed: dropped', counts: null },
    ],
    [
      'a paused line is a reject, not an error',
      { kind: 'failed', stage: 'paused', reason: 'benchmark' },
      ctx,
      { decision: 'pit', failSafeReason: 'line paused: benchmark', counts: null },
    ],
  ] as const)('%s', (_name, answer, context, expected) => {
    expect(verdictOf(answer as Answer, context)).toMatchObject(expected);
  });

  it('carries the scores by label and the reject score', () => {
    expect(verdictOf(scored(0.8), ctx)).toEqual({
      decision: 'pit',
      failSafeReason: null,
      rejectScore: 0.8,
      scores: { clean: 1 - 0.8, pit: 0.8 },
      counts: 'classified',
    });
  });
});
