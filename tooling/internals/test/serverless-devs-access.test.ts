import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverlessDevsAccess, serverlessDevsAccessFolded } from '@fc-sessions/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  parseServerlessDevsAccess,
  readServerlessDevsAlias,
  serverlessDevsAccessPath,
} from '../src/serverless-devs-access.js';

describe('parseServerlessDevsAccess', () => {
  it('decrypts the values s config add writes, folded (>-) ones included', () => {
    for (const file of [serverlessDevsAccess, serverlessDevsAccessFolded]) {
      expect(parseServerlessDevsAccess(readFileSync(file.path, 'utf8'))).toEqual(file.aliases);
    }
  });

  it('reads plain, quoted and literal (|) values, skipping comments', () => {
    const text = [
      '# written by hand',
      'plain:',
      '  AccessKeyID: id-1',
      "  AccessKeySecret: 'it''s'",
      '  AccountID: "123"',
      '  Note: |',
      '    two',
      '    lines',
    ].join('\n');
    expect(parseServerlessDevsAccess(text)).toEqual({
      plain: { AccessKeyID: 'id-1', AccessKeySecret: "it's", AccountID: '123', Note: 'two\nlines' },
    });
  });
});

describe('readServerlessDevsAlias', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('reads ~/.s/access.yaml, or $serverless_devs_config_home/.s/access.yaml when set', async () => {
    // Prepare
    const home = await mkdtemp(join(tmpdir(), 'fcs-s-home-'));
    const configHome = await mkdtemp(join(tmpdir(), 'fcs-s-config-home-'));
    dirs.push(home, configHome);
    await mkdir(join(configHome, '.s'));
    await writeFile(join(configHome, '.s', 'access.yaml'), readFileSync(serverlessDevsAccess.path));
    const env = { serverless_devs_config_home: configHome };

    // Act
    const found = await readServerlessDevsAlias('myalias', { home, env });
    const missing = await readServerlessDevsAlias('myalias', { home, env: {} });
    const unknown = await readServerlessDevsAlias('nope', { home, env });

    // Assess
    expect(await serverlessDevsAccessPath({ home, env: {} })).toBe(join(home, '.s', 'access.yaml'));
    expect(await serverlessDevsAccessPath({ home, env })).toBe(join(configHome, '.s', 'access.yaml'));
    expect(found).toEqual(serverlessDevsAccess.aliases['myalias']);
    expect(missing).toBeUndefined();
    expect(unknown).toBeUndefined();
  });
});
