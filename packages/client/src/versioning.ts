import { ALIAS_NAME, DESCRIPTION_MAX_LENGTH, VERSION_ID, VERSION_WEIGHT } from './limits.js';
import type { AdditionalVersionWeight } from './types.js';
import { invalid } from './validate.js';

export function validateVersionId(value: unknown, field = 'versionId'): void {
  if (typeof value !== 'string' || !VERSION_ID.pattern.test(value)) throw invalid(field, value, VERSION_ID.rule);
}

export function validateAliasName(value: unknown, field = 'aliasName'): void {
  if (typeof value !== 'string' || !ALIAS_NAME.pattern.test(value)) throw invalid(field, value, ALIAS_NAME.rule);
  if (value === 'LATEST') throw invalid(field, value, 'must not be LATEST (the unpublished code is not an alias)');
}

export function validateDescription(value: unknown, field = 'description'): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > DESCRIPTION_MAX_LENGTH)
    throw invalid(field, value, `must be a string of at most ${DESCRIPTION_MAX_LENGTH} characters`);
}

/** Canary weights: version ids other than the alias's own, each weight in [0, 1], together at most 1. */
export function validateVersionWeight(
  weights: AdditionalVersionWeight | undefined,
  mainVersionId: string | undefined,
  field = 'additionalVersionWeight',
): void {
  if (weights === undefined) return;
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights))
    throw invalid(field, weights, 'must be an object of version id -> weight');
  let total = 0;
  for (const [versionId, weight] of Object.entries(weights)) {
    validateVersionId(versionId, `${field} key`);
    if (versionId === mainVersionId) throw invalid(field, versionId, "must not name the alias's own versionId");
    if (
      typeof weight !== 'number' ||
      !Number.isFinite(weight) ||
      weight < VERSION_WEIGHT.min ||
      weight > VERSION_WEIGHT.max
    )
      throw invalid(
        `${field}["${versionId}"]`,
        weight,
        `must be a number from ${VERSION_WEIGHT.min} to ${VERSION_WEIGHT.max}`,
      );
    total += weight;
  }
  if (total > VERSION_WEIGHT.max) throw invalid(field, total, `weights must add up to at most ${VERSION_WEIGHT.max}`);
}
