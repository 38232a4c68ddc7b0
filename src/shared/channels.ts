/**
 * Names of operations, events and IPC channels, with no dependencies, so that
 * the sandboxed preload can import them without pulling in zod.
 * contract.ts checks at compile time that these lists match its schemas.
 */
export const OPERATION_NAMES = [
  'getStatus',
  'getFrameImage',
  'getRecentInspections',
  'listModels',
  'getModelHistory',
  'importModel',
  'activateModel',
  'rollbackModel',
  'getEvents',
  'setThresholds',
  'getAudit',
] as const;
export const EVENT_NAMES = ['inspection', 'status', 'alarm'] as const;

export type OperationName = (typeof OPERATION_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

export const ipcChannel = {
  request: (op: OperationName): string => `linesight:op:${op}`,
  event: (event: EventName): string => `linesight:event:${event}`,
} as const;
