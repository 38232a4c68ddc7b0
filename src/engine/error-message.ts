/** What went wrong, in one line, whatever was thrown (an Error's message, anything else as a string). */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
