/**
 * The engine's rooms do not loop (issue 13): no import cycle between the
 * folders of src/main/engine (a file at its top level counts as a room of
 * its own). Read from the source's relative imports, type imports included:
 * a room that needs another's types still depends on it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

const ENGINE = join(ROOT, 'src', 'main', 'engine');
const IMPORT = /(?:import|export)[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const roomOf = (file: string): string => {
  const parts = relative(ENGINE, file).split(sep);
  return parts.length > 1 ? `${parts[0]}/` : parts[0]!.replace(/(\.ts)?$/, '.ts');
};

/** room → rooms it imports from, with one file that does, for the message. */
function roomGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(ENGINE)) {
    const from = roomOf(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = normalize(join(dirname(file), m[1]!));
      if (!target.startsWith(ENGINE + sep)) continue;
      const to = roomOf(target);
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, relative(ENGINE, file));
    }
  }
  return graph;
}

function cycles(graph: Map<string, Map<string, string>>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (room: string, path: string[]): void => {
    state.set(room, 'open');
    for (const [next, via] of graph.get(room) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), room, next].join(' → ') + ` (${via})`);
      else if (!state.has(next)) visit(next, [...path, room]);
    }
    state.set(room, 'done');
  };
  for (const room of graph.keys()) if (!state.has(room)) visit(room, []);
  return found;
}

describe('the engine rooms', () => {
  it('import one another without a cycle', () => {
    const graph = roomGraph();
    // The reading works: the station's services run the line, the line runs the pipeline, and storage is used by upload.
    expect(graph.get('station/')?.has('line/')).toBe(true);
    expect(graph.get('line/')?.has('pipeline/')).toBe(true);
    expect(graph.get('upload/')?.has('storage/')).toBe(true);
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['storage/', new Map([['upload/', 'storage/log-worker.ts']])],
      ['upload/', new Map([['storage/', 'upload/row-reader.ts']])],
    ]);
    expect(cycles(graph)).toEqual(['storage/ → upload/ → storage/ (upload/row-reader.ts)']);
  });
});
