/** Decisions the station can take for one item. Shared by engine and UI. */
export const DECISIONS = ['clean', 'maybe', 'pit'] as const;
export type Decision = (typeof DECISIONS)[number];
