import { toJsonSchema } from '@valibot/to-json-schema';
import type { Setting } from '../settings/define.js';
import { keysIn } from '../settings/resolve.js';
import { SETTINGS } from '../settings/settings.js';

function properties(place: 'service' | 'function'): Record<string, object> {
  return Object.fromEntries(
    keysIn(place).map((key) => {
      const { $schema: _, ...schema } = toJsonSchema((SETTINGS[key] as Setting).kind.schema, { errorMode: 'ignore' });
      return [key, { ...schema, description: SETTINGS[key].doc }];
    }),
  );
}

/**
 * JSON schema of `custom.fcSessions` for `configSchemaHandler.defineCustomProperties`, made from
 * the settings declaration. osls makes a mismatch an error; serverless 3 only warns, so the
 * plugin checks the same settings again itself.
 */
export const fcSessionsSchema = {
  type: 'object',
  properties: {
    fcSessions: {
      type: 'object',
      properties: {
        ...properties('service'),
        functions: {
          type: 'object',
          additionalProperties: { type: 'object', properties: properties('function'), additionalProperties: false },
        },
      },
      additionalProperties: false,
    },
  },
};
