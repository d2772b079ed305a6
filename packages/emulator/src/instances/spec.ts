import type { Credentials } from '@fc-sessions/client/signing';

/** What an instance needs to know about the function it runs (one snapshot per function version). */
export interface InstanceSpec {
  readonly functionName: string;
  /** The published version the instance runs; absent for LATEST. */
  readonly versionId?: string | undefined;
  readonly runtime: string;
  readonly handler: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly instanceConcurrency: number;
  readonly codeDir: string;
  readonly codeChecksum: string;
  readonly environmentVariables: Readonly<Record<string, string>>;
  readonly command?: readonly string[] | undefined;
  readonly args?: readonly string[] | undefined;
  readonly initializer?: LifecycleHook | undefined;
  readonly preStop?: LifecycleHook | undefined;
  /** The function role's credentials, handed to the code as FC does; absent without a role. */
  readonly credentials?: Credentials | undefined;
}

export interface LifecycleHook {
  readonly handler: string;
  readonly timeoutSeconds: number;
}

/** Facts about the emulator every instance shares. */
export interface InstanceHost {
  readonly accountId: string;
  readonly region: string;
  readonly endpoint: string;
  readonly startTimeoutMs: number;
  readonly stopGraceMs: number;
  readonly onLog?: ((line: string, source: { functionName: string; instanceId: string }) => void) | undefined;
}

export const isNodejs = (runtime: string): boolean => runtime.startsWith('nodejs');
