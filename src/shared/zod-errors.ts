/** Turns a zod error into one line a technician can act on: "path: problem; path: problem". */
import type { z } from 'zod';

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}
