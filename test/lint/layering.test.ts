/**
 * The layering rules of eslint.config.mjs, shown on files that break them:
 * the engine never imports electron, the renderer never imports Node, the
 * engine's rooms (its folders) never loop, and nothing that ships imports a tool.
 * The real linter, the project's real config, files placed where they would live.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

const eslint = new ESLint({ cwd: ROOT });

async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering, enforced by the linter', () => {
  it('fails an engine file that imports electron', async () => {
    const errors = await lint('src/engine/sources/camera.ts', "import { app } from 'electron';\nexport const where = app.getPath('userData');\n");
    expect(errors.join('\n')).toMatch(/no-restricted-imports: 'electron' import is restricted.*never import electron/);
  });

  it('fails a renderer file that imports node:fs, or a Node package', async () => {
    const fs = await lint('src/renderer/src/pages/Export.tsx', "import { writeFileSync } from 'node:fs';\nexport const save = writeFileSync;\n");
    expect(fs.join('\n')).toMatch(/'node:fs' import is restricted.*never imports Node/);
    const bare = await lint('src/renderer/src/pages/Export.tsx', "import { readFile } from 'fs/promises';\nexport const read = readFile;\n");
    expect(bare.join('\n')).toMatch(/'fs\/promises' import is restricted/);
    const sqlite = await lint('src/renderer/src/pages/Export.tsx', "import Database from 'better-sqlite3';\nexport const D = Database;\n");
    expect(sqlite.join('\n')).toMatch(/'better-sqlite3' import is restricted/);
  });

  it('fails imports across rooms: renderer → engine, engine → shell, shared → engine', async () => {
    expect((await lint('src/renderer/src/App2.tsx', "import { decide } from '../../engine/decision';\nexport const d = decide;\n")).join('\n')).toMatch(
      /import-x\/no-restricted-paths/,
    );
    expect((await lint('src/engine/x.ts', "import { startDesktopShell } from '../main/shell';\nexport const s = startDesktopShell;\n")).join('\n')).toMatch(
      /import-x\/no-restricted-paths: .*does not reach into the Electron shell/,
    );
    expect((await lint('src/shared/x.ts', "import { decide } from '../engine/decision';\nexport const d = decide;\n")).join('\n')).toMatch(
      /import-x\/no-restricted-paths: .*depends on nothing of ours/,
    );
  });

  it("fails an engine file that closes a loop between the engine's rooms, naming the loop", async () => {
    // upload/ reads the log through storage/ (upload/row-reader.ts): storage/ may not use upload/ back.
    const loop = await lint('src/engine/storage/x.ts', "import type { UploadLaneStatus } from '../upload/uploader';\nexport type L = UploadLaneStatus;\n");
    expect(loop.join('\n')).toMatch(/linesight\/engine-rooms: The engine rooms loop: storage\/ → upload\/ → storage\//);
    // Through a third room as well: line/ runs pipeline/, so pipeline/ may not reach line/ by way of station/.
    const longer = await lint('src/engine/pipeline/x.ts', "import { statusOf } from '../station/station-status';\nexport const s = statusOf;\n");
    expect(longer.join('\n')).toMatch(/linesight\/engine-rooms: The engine rooms loop: pipeline\/ → station\/ → .*pipeline\//);
    // The way the rooms are used today passes.
    expect(await lint('src/engine/upload/x.ts', "import type { InspectionRow } from '../storage/inspection-log';\nexport type R = InspectionRow;\n")).toEqual(
      [],
    );
  });

  it('fails an engine or shell file that imports a tool', async () => {
    const engine = await lint('src/engine/line/x.ts', "import { EngineRunner } from '../../tools/bench/engine-runner';\nexport const r = EngineRunner;\n");
    expect(engine.join('\n')).toMatch(/import-x\/no-restricted-paths: .*never ships, so nothing that ships imports it/);
    for (const shell of ['src/station/x.ts', 'src/main/x.ts', 'src/cli/x.ts']) {
      const errors = await lint(shell, "import { benchStationFlood } from '../tools/station-load/flood-bench';\nexport const f = benchStationFlood;\n");
      expect(errors.join('\n'), shell).toMatch(/import-x\/no-restricted-paths: .*never ships/);
    }
    // A tool may use the engine: that is what it measures.
    expect(await lint('src/tools/bench/x.ts', "import { decide } from '../../engine/decision';\nexport const d = decide;\n")).toEqual([]);
  });

  it('passes the same kinds of imports where they belong', async () => {
    expect(
      await lint('src/main/index2.ts', "import { app } from 'electron';\nimport { join } from 'node:path';\nexport const p = join(app.getAppPath(), 'x');\n"),
    ).toEqual([]);
    expect(await lint('src/renderer/src/x.ts', "import { DECISIONS } from '../../shared/decision';\nexport const d = DECISIONS;\n")).toEqual([]);
    expect(
      await lint(
        'src/engine/x.ts',
        "import { readFile } from 'node:fs/promises';\nimport { DECISIONS } from '../../shared/decision';\nexport const r = [readFile, DECISIONS];\n",
      ),
    ).toEqual([]);
  });
});
