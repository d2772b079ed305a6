import type { UserConfig } from 'vitest/config';

export declare function vitestConfig(overrides?: UserConfig['test']): UserConfig;
declare const config: UserConfig;
export default config;
