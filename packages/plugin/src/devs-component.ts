import { FcSessionsComponent } from './devs/component.js';

export type { DevsCredential, DevsInputs, DevsLogger } from './devs/types.js';
export { FcSessionsComponent };
export default FcSessionsComponent;
