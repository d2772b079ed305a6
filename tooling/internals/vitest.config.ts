export { default } from '@fc-sessions/vitest-config';
