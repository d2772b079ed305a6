import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { CreateFunctionInput, FcClient } from '@fc-sessions/client';
import { CHAT, COOKIE_COUNTER, EVENT_WORKER } from './apps.js';

export interface DeployOutcome {
  readonly functions: readonly string[];
  /** Session ids deploy prefetched, per function. */
  readonly sessions: Readonly<Record<string, readonly string[]>>;
}

// Interim: deploys through the client until the s CLI path lands.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function zipDir(dir: string): string {
  const files = (function walk(d: string): string[] {
    return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
    );
  })(dir);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const data = readFileSync(file);
    const packed = deflateRawSync(data);
    const name = Buffer.from(relative(dir, file));
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, packed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc32(data), 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += 30 + name.length + packed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]).toString('base64');
}

const FUNCTIONS: ReadonlyArray<readonly [string, CreateFunctionInput]> = [
  [
    CHAT.dir,
    {
      functionName: CHAT.functionName,
      runtime: 'custom.debian10',
      handler: 'index.handler',
      customRuntimeConfig: { command: ['node', '/code/index.mjs'], port: 9000 },
      environmentVariables: { FCS_SESSION_HEADER: CHAT.header },
      sessionAffinity: 'HEADER_FIELD',
      sessionAffinityConfig: { affinityHeaderFieldName: CHAT.header, sessionConcurrencyPerInstance: 20 },
    },
  ],
  [
    COOKIE_COUNTER.dir,
    {
      functionName: COOKIE_COUNTER.functionName,
      runtime: 'custom.debian10',
      handler: 'index.handler',
      customRuntimeConfig: { command: ['node', '/code/index.mjs'], port: 9000 },
      sessionAffinity: 'GENERATED_COOKIE',
      sessionAffinityConfig: { sessionTTLInSeconds: 3600 },
    },
  ],
  [
    EVENT_WORKER.dir,
    {
      functionName: EVENT_WORKER.functionName,
      runtime: 'nodejs20',
      handler: 'index.handler',
      instanceLifecycleConfig: { initializer: { handler: 'index.initializer', timeout: 10 } },
    },
  ],
];

export async function deployApps(client: FcClient, signal?: AbortSignal): Promise<DeployOutcome> {
  for (const [dir, input] of FUNCTIONS) {
    await client.createFunction({ ...input, code: { zipFile: zipDir(join(dir, 'code')) } }, { signal });
  }
  const sessions = [];
  for (let n = 0; n < 2; n++) sessions.push((await client.createSession(CHAT.functionName, {}, { signal })).sessionId);
  return { functions: FUNCTIONS.map(([, f]) => f.functionName), sessions: { [CHAT.functionName]: sessions } };
}
