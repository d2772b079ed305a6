import { FcSessionsServerlessPlugin } from './serverless/plugin.js';

export type { PluginUtils, Serverless, ServerlessOptions } from './serverless/types.js';
export { FcSessionsServerlessPlugin };
export default FcSessionsServerlessPlugin;
