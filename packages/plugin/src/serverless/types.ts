/** The parts of the Serverless Framework (3.x / osls 4.x) this plugin uses. */
export interface Serverless {
  version?: string;
  serviceDir?: string;
  config?: { servicePath?: string };
  service: {
    service?: string;
    provider: { name: string; region?: string; stage?: string };
    custom?: Record<string, unknown>;
    functions?: Record<string, { name?: string; handler?: string }>;
  };
  configSchemaHandler?: { defineCustomProperties(schema: object): void };
  classes?: { Error?: new (message: string) => Error };
}

export type ServerlessOptions = Record<string, unknown>;

type LogFn = (message: string) => void;

/** The third constructor argument of a v3-style plugin. */
export interface PluginUtils {
  log: LogFn & { notice?: LogFn; info?: LogFn; warning?: LogFn; error?: LogFn };
  writeText(text: string): void;
  progress?: { create(options: { message?: string }): { update(message: string): void; remove(): void } };
}
