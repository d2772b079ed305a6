import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dist = join(packageDir, 'dist');
const run = promisify(execFile);

/** Runs a script with plain Node in the package folder, so `@fc-sessions/client` resolves through package.json "exports". */
async function node(args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, args, { cwd: packageDir });
  return JSON.parse(stdout);
}

const DESCRIBE = `
  const out = {};
  for (const [name, mod] of Object.entries(modules)) out[name] = Object.keys(mod).sort();
  const { FcClient } = modules.client;
  const { signRequest, verifyRequest } = modules.signing;
  const credentials = { accessKeyId: 'id', accessKeySecret: 'secret' };
  const request = { method: 'GET', url: '/2023-03-30/functions/f', headers: { host: 'h', 'x-acs-action': 'GetFunction', 'x-acs-version': '2023-03-30' } };
  const signed = { ...request, headers: { ...request.headers, ...signRequest(request, credentials) } };
  out.verified = verifyRequest(signed, () => 'secret').ok;
  const client = new FcClient({ endpoint: 'http://127.0.0.1:9100', credentials });
  out.clientJson = JSON.stringify(client);
  client.close();
  process.stdout.write(JSON.stringify(out));
`;

describe('build output', () => {
  beforeAll(() => {
    expect(
      existsSync(join(dist, 'index.cjs')),
      'dist/ is missing: run `pnpm build` (turbo builds it before tests)',
    ).toBe(true);
  });

  it('has ESM, CommonJS and types for both entries', () => {
    // Assess
    for (const entry of ['index', 'signing/index']) {
      for (const ext of ['.js', '.cjs', '.d.ts', '.d.cts'])
        expect(existsSync(join(dist, `${entry}${ext}`)), `${entry}${ext}`).toBe(true);
    }
  });

  it("ships one set of declarations: each entry's .d.ts re-exports its .d.cts", () => {
    // Act
    const esmDeclarations = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'));

    // Assess
    expect(esmDeclarations.sort()).toEqual(['index.d.ts', 'limits.d.ts', 'signing/index.d.ts']);
    for (const file of esmDeclarations)
      expect(readFileSync(join(dist, file), 'utf8')).toBe(
        `export * from './${file.replace(/^.*\//, '').replace('.d.ts', '.cjs')}';\n`,
      );
  });

  it('works through require', async () => {
    // Act
    const out = (await node([
      '-e',
      `const modules = { client: require('@fc-sessions/client'), signing: require('@fc-sessions/client/signing'),
        clientFile: require('./dist/index.cjs'), signingFile: require('./dist/signing/index.cjs') };${DESCRIBE}`,
    ])) as Record<string, unknown>;

    // Assess
    expect(out['client']).toContain('FcClient');
    expect(out['client']).toContain('FcError');
    expect(out['signing']).toEqual(
      expect.arrayContaining([
        'signRequest',
        'verifyRequest',
        'createNonceCache',
        'signFc2Request',
        'verifyFc2Request',
      ]),
    );
    expect(out['clientFile']).toEqual(out['client']);
    expect(out['signingFile']).toEqual(out['signing']);
    expect(out['verified']).toBe(true);
  });

  it('works through import, with the same exports as require', async () => {
    // Act
    const esm = (await node([
      '--input-type=module',
      '-e',
      `const modules = { client: await import('@fc-sessions/client'), signing: await import('@fc-sessions/client/signing'),
        clientFile: await import('./dist/index.js'), signingFile: await import('./dist/signing/index.js') };${DESCRIBE}`,
    ])) as Record<string, unknown>;
    const cjs = (await node([
      '-e',
      `const modules = { client: require('@fc-sessions/client'), signing: require('@fc-sessions/client/signing') };${DESCRIBE}`,
    ])) as Record<string, unknown>;

    // Assess
    expect(esm['client']).toEqual(cjs['client']);
    expect(esm['signing']).toEqual(cjs['signing']);
    expect(esm['clientFile']).toEqual(esm['client']);
    expect(esm['verified']).toBe(true);
    expect(JSON.parse(String(esm['clientJson']))).toEqual({ endpoint: 'http://127.0.0.1:9100' });
  });

  it('loads its built-ins without process.getBuiltinModule (Node before 20.16), in both builds', async () => {
    // Prepare
    const withoutIt = 'delete process.getBuiltinModule;';

    // Act
    const cjs = (await node([
      '-e',
      `${withoutIt} const modules = { client: require('./dist/index.cjs'), signing: require('./dist/signing/index.cjs') };${DESCRIBE}`,
    ])) as Record<string, unknown>;
    const esm = (await node([
      '--input-type=module',
      '-e',
      `${withoutIt} const modules = { client: await import('./dist/index.js'), signing: await import('./dist/signing/index.js') };${DESCRIBE}`,
    ])) as Record<string, unknown>;

    // Assess
    expect(cjs['verified']).toBe(true);
    expect(esm['verified']).toBe(true);
  });

  it("sends package.json's version in its User-Agent", async () => {
    // Prepare
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    const script = (load: string) => `${load}
      const { createServer } = await import('node:http');
      let userAgent;
      const server = createServer((request, response) => {
        userAgent = request.headers['user-agent'];
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"functionName":"f"}');
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const client = new FcClient({ endpoint: 'http://127.0.0.1:' + server.address().port,
        credentials: { accessKeyId: 'id', accessKeySecret: 'secret' } });
      await client.getFunction('f');
      client.close();
      server.close();
      process.stdout.write(JSON.stringify(userAgent));`;

    // Act
    const esm = await node([
      '--input-type=module',
      '-e',
      script("const { FcClient } = await import('./dist/index.js');"),
    ]);
    const cjs = await node([
      '-e',
      `(async () => { ${script("const { FcClient } = require('./dist/index.cjs');")} })()`,
    ]);

    // Assess
    expect(esm).toBe(`fc-sessions-client/${version} node/${process.versions.node}`);
    expect(cjs).toBe(esm);
  });

  it('loads nothing but its own files and Node built-ins (zero runtime dependencies)', () => {
    // Prepare
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(c?js)$/.test(f));

    // Act
    const imported = files.flatMap((file) =>
      [...readFileSync(join(dist, file), 'utf8').matchAll(/(?:from\s*|require\(|import\()\s*["']([^"']+)["']/g)].map(
        (m) => m[1]!,
      ),
    );

    // Assess
    expect(pkg['dependencies']).toBeUndefined();
    expect(imported.length).toBeGreaterThan(0);
    expect(
      imported.filter((spec) => !spec.startsWith('./') && !spec.startsWith('../') && !spec.startsWith('node:')),
    ).toEqual([]);
  });
});
