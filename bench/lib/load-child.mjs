// Loaded in a fresh process: times one `import()` or `require()` of a package and prints milliseconds.
import { createRequire } from 'node:module';

const [specifier, mode] = process.argv.slice(2);
const start = performance.now();
if (mode === 'require') createRequire(import.meta.url)(specifier);
else await import(specifier);
process.stdout.write(String(performance.now() - start));
