/**
 * The layering rules of eslint.config.mjs, shown on files that break them:
 * the engine never imports electron, the renderer never imports Node.
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
    const errors = await lint('src/main/engine/sources/camera.ts', "import { app } from 'electron';\nexport const where = app.getPath('userData');\n");
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
    expect((await lint('src/renderer/src/App2.tsx', "import { decide } from '../../main/engine/decision';\nexport const d = decide;\n")).join('\n')).toMatch(
      /import-x\/no-restricted-paths/,
    );
    expect((await lint('src/main/engine/x.ts', "import { startDesktopShell } from '../shell';\nexport const s = startDesktopShell;\n")).join('\n')).toMatch(
      /import-x\/no-restricted-paths: .*does not reach into the Electron shell/,
    );
    expect((await lint('src/shared/x.ts', "import { decide } from '../main/engine/decision';\nexport const d = decide;\n")).join('\n')).toMatch(
      /import-x\/no-restricted-paths: .*depends on nothing of ours/,
    );
  });

  it('passes the same kinds of imports where they belong', async () => {
    expect(
      await lint('src/main/index2.ts', "import { app } from 'electron';\nimport { join } from 'node:path';\nexport const p = join(app.getAppPath(), 'x');\n"),
    ).toEqual([]);
    expect(await lint('src/renderer/src/x.ts', "import { DECISIONS } from '../../shared/decision';\nexport const d = DECISIONS;\n")).toEqual([]);
    expect(
      await lint(
        'src/main/engine/x.ts',
        "import { readFile } from 'node:fs/promises';\nimport { DECISIONS } from '../../shared/decision';\nexport const r = [readFile, DECISIONS];\n",
      ),
    ).toEqual([]);
  });
});
