// The engine's rooms do not loop (issue 13): each folder of the engine (and
// each file at its top level) is a room, and an import from one room into
// another that can reach back to the first is an error. The graph is read
// from the engine's files on disk once per lint run, with the file being
// linted read from its own text, so an edit that closes a loop fails at once.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';

const IMPORT = /(?:import|export)[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** The room a path of the engine is in: "storage/", or "station-engine.ts" for a file at the top. */
export function roomOf(engineDir, file) {
  const parts = relative(engineDir, file).split(sep);
  return parts.length > 1 ? `${parts[0]}/` : parts[0].replace(/(\.ts)?$/, '.ts');
}

const inEngine = (engineDir, path) => path.startsWith(engineDir + sep);

/** file → rooms it imports from (other than its own). */
function roomsImported(engineDir, file, specifiers) {
  const from = roomOf(engineDir, file);
  const rooms = new Set();
  for (const spec of specifiers) {
    const target = normalize(join(dirname(file), spec));
    if (!inEngine(engineDir, target)) continue;
    const to = roomOf(engineDir, target);
    if (to !== from) rooms.add(to);
  }
  return rooms;
}

const onDisk = new Map();

function diskGraph(engineDir) {
  if (!onDisk.has(engineDir)) {
    const files = new Map();
    for (const file of sourceFiles(engineDir)) {
      const specifiers = [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => m[1]);
      files.set(file, roomsImported(engineDir, file, specifiers));
    }
    onDisk.set(engineDir, files);
  }
  return onDisk.get(engineDir);
}

/** A path of rooms from `start` to `goal` over the files' imports, or null. */
function pathBetween(engineDir, files, start, goal) {
  const next = new Map();
  for (const [file, rooms] of files) {
    const room = roomOf(engineDir, file);
    if (!next.has(room)) next.set(room, new Set());
    for (const r of rooms) next.get(room).add(r);
  }
  const cameFrom = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const room = queue.shift();
    if (room === goal) {
      const path = [];
      for (let r = room; r !== null; r = cameFrom.get(r)) path.unshift(r);
      return path;
    }
    for (const r of next.get(room) ?? []) {
      if (!cameFrom.has(r)) {
        cameFrom.set(r, room);
        queue.push(r);
      }
    }
  }
  return null;
}

/** The rule, for the engine in `engineDir` (relative to the lint's working directory). */
export function noRoomCycle(engineDir) {
  return {
    meta: {
      type: 'problem',
      docs: { description: 'No import cycle between the folders (rooms) of the engine.' },
      messages: {
        loop: 'The engine rooms loop: {{path}}. A room may use another only if that one never comes back to it; move what both need into a room of its own (docs/ARCHITECTURE.md).',
      },
      schema: [],
    },
    create(context) {
      const root = resolve(context.cwd, engineDir);
      const file = resolve(context.filename);
      if (!inEngine(root, file)) return {};
      const imports = [];
      const collect = (node) => {
        if (node.source && typeof node.source.value === 'string' && node.source.value.startsWith('.')) imports.push(node);
      };
      return {
        ImportDeclaration: collect,
        ExportNamedDeclaration: collect,
        ExportAllDeclaration: collect,
        'Program:exit'() {
          const files = new Map(diskGraph(root));
          files.set(
            file,
            roomsImported(
              root,
              file,
              imports.map((n) => n.source.value),
            ),
          );
          const from = roomOf(root, file);
          const told = new Set();
          for (const node of imports) {
            const target = normalize(join(dirname(file), node.source.value));
            if (!inEngine(root, target)) continue;
            const to = roomOf(root, target);
            if (to === from || told.has(to)) continue;
            const back = pathBetween(root, files, to, from);
            if (!back) continue;
            told.add(to);
            context.report({ node, messageId: 'loop', data: { path: [from, ...back].join(' → ') } });
          }
        },
      };
    },
  };
}
