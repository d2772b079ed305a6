import { fileURLToPath } from 'node:url';
import { deepFreeze } from './freeze.js';

/** A Serverless Devs `access.yaml` as `s config add` writes it, and what its aliases hold once decrypted. */
export interface ServerlessDevsAccessFile {
  readonly path: string;
  readonly aliases: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const PROVIDER = 'Alibaba Cloud';

/**
 * `fixtures/s-access.yaml`: two aliases written by `s config add` (every value encrypted), one
 * with keys and one with an STS token.
 */
export const serverlessDevsAccess: ServerlessDevsAccessFile = deepFreeze({
  path: fileURLToPath(new URL('../fixtures/s-access.yaml', import.meta.url)),
  aliases: {
    myalias: {
      AccessKeyID: 'LTAI5tFakeAccessKeyId0000001',
      AccessKeySecret: 'FakeAccessKeySecret000000000001',
      __provider: PROVIDER,
      AccountID: '1234567890123456',
    },
    stsalias: {
      AccessKeyID: 'STS.FakeAccessKeyId0000002',
      AccessKeySecret: 'FakeAccessKeySecret000000000002',
      __provider: PROVIDER,
      SecurityToken: 'FakeSecurityToken000000003',
      AccountID: '1234567890123456',
    },
  },
});

/**
 * `fixtures/s-access-folded.yaml`: values long enough that `s` writes them as folded (`>-`) block
 * scalars: the emulator's 44-character secret and a long STS token.
 */
export const serverlessDevsAccessFolded: ServerlessDevsAccessFile = deepFreeze({
  path: fileURLToPath(new URL('../fixtures/s-access-folded.yaml', import.meta.url)),
  aliases: {
    default: {
      AccessKeyID: 'fcsEmulatorAccessKeyId0001',
      AccessKeySecret: 'fcsEmulatorAccessKeySecretDoNotUseInProd0001',
      __provider: PROVIDER,
      AccountID: '1234567890123456',
    },
    sts: {
      AccessKeyID: 'STS.FakeAccessKeyId0000002',
      AccessKeySecret: 'FakeAccessKeySecret000000000002',
      __provider: PROVIDER,
      SecurityToken: 'FakeSecurityToken000000003FakeSecurityToken000000003',
      AccountID: '1234567890123456',
    },
  },
});
