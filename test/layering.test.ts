/** platform/ is the floor every service stands on: it must not import what stands on it (router/, subgraphs/, app/). */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('layering', () => {
  it('platform/ imports nothing from app/, router/ or subgraphs/', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(path.join(root, 'platform'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
        if (!match[1].startsWith('.')) continue;
        const target = path.relative(root, path.resolve(path.dirname(file), match[1]));
        if (/^(app|router|subgraphs)(\/|$)/.test(target)) offenders.push(`${path.relative(root, file)} → ${match[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
