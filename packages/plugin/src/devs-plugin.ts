import { fcSessionsPrefetch } from './devs/plugin.js';

export type { DevsCredential, DevsInputs, DevsLogger } from './devs/types.js';
export { fcSessionsPrefetch };
export default fcSessionsPrefetch;
