/**
 * Comments and docs point to files in this repo (issue 13): a newcomer with
 * a clean clone must be able to follow every document a comment names. The one place
 * outside it that may be named is the shared data folder the tests read
 * (../shared/data), whose README says where each file came from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths';

describe('documents named in the code and docs', () => {
  it('each exists in the repo (or is the shared data the tests read)', () => {
    const out = execFileSync('git', ['grep', '-noE', '[A-Za-z0-9_./-]+\\.md\\b', '--', 'src', 'scripts', 'test', 'docs', 'README.md', 'eslint.config.mjs'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const missing = out
      .trim()
      .split('\n')
      .map((line) => {
        const [file, lineNo, ref] = line.split(':');
        return { where: `${file}:${lineNo}`, ref: ref! };
      })
      .filter(({ ref }) => !ref.startsWith('../shared/data/'))
      // From the repo's root, or (a Markdown link) from the file's own folder.
      .filter(({ where, ref }) => !existsSync(join(ROOT, ref)) && !existsSync(join(ROOT, dirname(where.split(':')[0]!), ref)))
      .map(({ where, ref }) => `${where} names ${ref}, which is not in the repo`);
    expect(missing).toEqual([]);
    // The test itself reads something.
    expect(out).toContain('docs/BACKGROUND.md');
  });
});
